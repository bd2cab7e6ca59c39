import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { DataTable } from '../data-table.tsx';
import { navigate, onLink } from '../router.ts';
import type { Customer } from '../types.ts';
import { CustomerForm } from './CustomerForm.tsx';

type Page = { customers: Customer[]; next?: string };

/** Customers: every customer by id, a page at a time, searched by id or name on the server; creating one for those who may. */
export function Customers({ permissions }: { permissions: string[] }) {
  const [query, setQuery] = useState('');
  const [shown, setShown] = useState<Page>();
  const [error, setError] = useState<string>();
  const [creating, setCreating] = useState(false);
  const path = (after?: string) =>
    `/customers?limit=50${query.trim() ? `&q=${encodeURIComponent(query.trim())}` : ''}${after ? `&after=${encodeURIComponent(after)}` : ''}`;
  const search = async () => {
    setError(undefined);
    try {
      setShown(await api<Page>(path()));
    } catch (failure) {
      setError((failure as Error).message);
    }
  };
  useEffect(() => void search(), []);
  const canWrite = permissions.includes('customers:write');

  return (
    <section aria-labelledby="customers-title">
      <h1 id="customers-title">Customers</h1>
      <form
        aria-label="Search customers"
        class="action"
        onSubmit={(event) => {
          event.preventDefault();
          void search();
        }}
      >
        <label>
          Search by id or name
          <input type="search" maxLength={200} value={query} onInput={(event) => setQuery(event.currentTarget.value)} />
        </label>
        <button type="submit">Search</button>
      </form>
      {canWrite &&
        (creating ? (
          <CustomerForm onSaved={(customer) => navigate(`/console/customers/${encodeURIComponent(customer.id)}`)} />
        ) : (
          <button type="button" onClick={() => setCreating(true)}>
            New customer
          </button>
        ))}
      {error && <p role="alert">{error}</p>}
      {shown && (
        <DataTable
          caption={query.trim() ? `Customers matching "${query.trim()}"` : 'Customers'}
          filename="steward-customers.csv"
          rows={shown.customers}
          rowKey={(customer) => customer.id}
          more={
            shown.next
              ? {
                  label: 'More customers',
                  load: async () => {
                    const page = await api<Page>(path(shown.next));
                    setShown({ customers: [...shown.customers, ...page.customers], next: page.next });
                  },
                }
              : undefined
          }
          columns={[
            {
              label: 'Customer',
              cell: (customer) => (
                <a href={`/console/customers/${encodeURIComponent(customer.id)}`} onClick={onLink}>
                  {customer.name}
                </a>
              ),
              text: (customer) => customer.name,
            },
            { label: 'Id', cell: (customer) => customer.id },
            { label: 'Tier', cell: (customer) => customer.tier },
            { label: 'Time zone', cell: (customer) => customer.timezone },
            { label: 'Country', cell: (customer) => customer.country },
            { label: 'Policy', cell: (customer) => customer.policy },
          ]}
        />
      )}
      {shown && !shown.customers.length && <p>No customer matches.</p>}
    </section>
  );
}
