import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api.ts';
import { when } from '../format.ts';
import { onLink } from '../router.ts';
import type { Customer, Invoice, OpenIssuesPage } from '../types.ts';

interface Dunning {
  cycle: number;
  lastStep?: { key: string; at?: string };
  suspension: { date?: string; proposal?: { round: number; state: string; at: string }; suspendedAt?: string };
  nextDunningAt?: string;
}

/** What a role may not read is left out, not an error: an agent sees the customer without its invoices. */
const unlessForbidden = <T,>(promise: Promise<T>): Promise<T | undefined> =>
  promise.catch((error) => (error instanceof ApiError && error.status === 403 ? undefined : Promise.reject(error)));

const balance = (invoice: Invoice) => Math.round((invoice.amount - invoice.amountPaid) * 100) / 100;

/** Customer: contacts, team, policy, open issues, invoices with the balance per currency, dunning and suspension. */
export function CustomerScreen({ id }: { id: string }) {
  const [customer, setCustomer] = useState<Customer>();
  const [issues, setIssues] = useState<OpenIssuesPage>();
  const [invoices, setInvoices] = useState<Invoice[]>();
  const [dunning, setDunning] = useState<Dunning>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    const path = encodeURIComponent(id);
    Promise.all([
      api<Customer>(`/customers/${path}`),
      api<OpenIssuesPage>(`/issues?open=true&customerId=${path}&limit=50`),
      unlessForbidden(api<{ invoices: Invoice[] }>(`/invoices?customerId=${path}`)),
      unlessForbidden(api<Dunning>(`/customers/${path}/dunning`)),
    ]).then(
      ([found, open, billed, dunned]) => {
        setCustomer(found);
        setIssues(open);
        setInvoices(billed?.invoices);
        setDunning(dunned);
      },
      (failure: Error) => setError(failure.message),
    );
  }, [id]);

  if (!customer)
    return (
      <section>
        <h1>Customer {id}</h1>
        {error ? <p role="alert">{error}</p> : <p>Loading…</p>}
      </section>
    );
  const open = (invoices ?? []).filter((invoice) => invoice.status === 'open' && balance(invoice) > 0);
  const owed = new Map<string, number>();
  for (const invoice of open) owed.set(invoice.currency, (owed.get(invoice.currency) ?? 0) + balance(invoice));

  return (
    <section aria-labelledby="customer-title">
      <h1 id="customer-title">{customer.name}</h1>
      <dl class="facts">
        <dt>Id</dt>
        <dd>{customer.id}</dd>
        <dt>Tier</dt>
        <dd>{customer.tier}</dd>
        <dt>Time zone</dt>
        <dd>{customer.timezone}</dd>
        <dt>Policy</dt>
        <dd>{customer.policy}</dd>
        <dt>Team</dt>
        <dd>
          lead {customer.team.teamLead.name}, service manager {customer.team.serviceManager.name}, director {customer.team.director.name}
        </dd>
        {invoices && (
          <>
            <dt>Balance</dt>
            <dd>{owed.size ? [...owed].map(([currency, amount]) => `${amount.toFixed(2)} ${currency}`).join(', ') : 'nothing owed'}</dd>
          </>
        )}
        {dunning && (
          <>
            <dt>Dunning</dt>
            <dd>
              {dunning.lastStep ? `last step ${dunning.lastStep.key} (${when(dunning.lastStep.at)})` : 'no step sent'}
              {dunning.nextDunningAt ? `, next ${when(dunning.nextDunningAt)}` : ''}
            </dd>
            <dt>Suspension</dt>
            <dd>
              {dunning.suspension.suspendedAt
                ? `suspended ${when(dunning.suspension.suspendedAt)}`
                : dunning.suspension.proposal
                  ? `proposal ${dunning.suspension.proposal.state} (${when(dunning.suspension.proposal.at)})`
                  : 'none'}
            </dd>
          </>
        )}
      </dl>
      <h2>Contacts</h2>
      <ul>
        {customer.contacts.map((contact) => (
          <li key={contact.email}>
            {contact.name} &lt;{contact.email}&gt; ({contact.roles.join(', ')})
            {contact.undeliverable && <span class="flag">undeliverable</span>}
          </li>
        ))}
      </ul>
      <h2>Open issues</h2>
      {issues?.issues.length ? (
        <ul>
          {issues.issues.map((issue) => (
            <li key={issue.id}>
              <a href={`/console/issues/${encodeURIComponent(issue.id)}`} onClick={onLink}>
                {issue.id}
              </a>{' '}
              {issue.title} ({issue.severity}, {issue.status})
            </li>
          ))}
        </ul>
      ) : (
        <p>None open.</p>
      )}
      {invoices && (
        <>
          <h2>Invoices</h2>
          <table class="issues">
            <thead>
              <tr>
                <th scope="col">Invoice</th>
                <th scope="col">Due</th>
                <th scope="col">Amount</th>
                <th scope="col">Open</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {invoices.map((invoice) => (
                <tr key={invoice.id}>
                  <td>{invoice.id}</td>
                  <td>{invoice.dueDate}</td>
                  <td>
                    {invoice.amount.toFixed(2)} {invoice.currency}
                  </td>
                  <td>{balance(invoice).toFixed(2)}</td>
                  <td>
                    {invoice.status}
                    {invoice.dispute && !invoice.dispute.resolvedAt && <span class="flag">disputed</span>}
                    {invoice.promise && <span class="flag">promise {invoice.promise.date}</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
