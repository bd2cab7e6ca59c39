import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api.ts';
import { money, when } from '../format.ts';
import { onLink } from '../router.ts';
import { DataTable } from '../data-table.tsx';
import type { CustomerHistory, CustomerView, Invoice, OpenIssuesPage, ServiceView } from '../types.ts';
import { CustomerForm } from './CustomerForm.tsx';

interface Dunning {
  cycle: number;
  lastStep?: { key: string; at?: string };
  suspension: { date?: string; proposal?: { round: number; state: string; at: string }; suspendedAt?: string };
  nextDunningAt?: string;
}

/** What a role may not read is left out, not an error: an agent sees the customer without its invoices. */
const unlessForbidden = <T,>(promise: Promise<T>): Promise<T | undefined> =>
  promise.catch((error) => (error instanceof ApiError && error.status === 403 ? undefined : Promise.reject(error)));

type HistoryName = keyof CustomerHistory;

/** A service's state as the team says it (the unresolved issues naming it decide it). */
const STATE_WORDS: Record<ServiceView['state'], string> = { operational: 'operational', degraded: 'degraded', outage: 'outage' };

/**
 * The customer's history lists as the view gave their start, each continued a page at a time from the
 * server (GET /customers/{id}/history/{list}). Emails are kept newest first, as their pages come.
 */
function useHistory(customer: CustomerView | undefined) {
  const [history, setHistory] = useState<CustomerHistory>({});
  const [next, setNext] = useState<CustomerView['historyNext']>({});
  useEffect(() => {
    if (!customer) return;
    setHistory({ ...customer.history, ...(customer.history.emails ? { emails: [...customer.history.emails].reverse() } : {}) });
    setNext(customer.historyNext ?? {});
  }, [customer]);
  const more = (name: HistoryName, label: string) => {
    const after = next?.[name];
    if (!customer || !after) return undefined;
    return {
      label,
      load: async () => {
        const page = await api<Partial<CustomerHistory> & { next?: string }>(
          `/customers/${encodeURIComponent(customer.id)}/history/${name}?limit=100&after=${encodeURIComponent(after)}`,
        );
        setHistory((shown) => ({ ...shown, [name]: [...(shown[name] ?? []), ...(page[name] ?? [])] }));
        setNext((shown) => ({ ...shown, [name]: page.next }));
      },
    };
  };
  return { history, more };
}

const balance = (invoice: Invoice) => Math.round((invoice.amount - invoice.amountPaid - invoice.credit) * 100) / 100;

/** Customer: contacts, team, policy, open issues, invoices with the balance per currency, dunning and suspension. */
export function CustomerScreen({ id, permissions }: { id: string; permissions: string[] }) {
  const [customer, setCustomer] = useState<CustomerView>();
  const [editing, setEditing] = useState(false);
  const [reloads, setReloads] = useState(0);
  const [issues, setIssues] = useState<OpenIssuesPage>();
  const [invoices, setInvoices] = useState<Invoice[]>();
  const [moreInvoices, setMoreInvoices] = useState<string>();
  const [dunning, setDunning] = useState<Dunning>();
  const [services, setServices] = useState<ServiceView[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    const path = encodeURIComponent(id);
    Promise.all([
      api<CustomerView>(`/customers/${path}`),
      unlessForbidden(api<OpenIssuesPage>(`/issues?open=true&customerId=${path}&limit=50`)),
      unlessForbidden(api<{ invoices: Invoice[]; next?: string }>(`/invoices?customerId=${path}&limit=200`)),
      unlessForbidden(api<Dunning>(`/customers/${path}/dunning`)),
      api<{ services: ServiceView[] }>(`/customers/${path}/services`),
    ]).then(
      ([found, open, billed, dunned, kept]) => {
        setServices(kept.services);
        setCustomer(found);
        setIssues(open);
        setInvoices(billed?.invoices);
        setMoreInvoices(billed?.next);
        setDunning(dunned);
      },
      (failure: Error) => setError(failure.message),
    );
  }, [id, reloads]);
  const { history, more } = useHistory(customer);

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
      {permissions.includes('customers:write') &&
        (editing ? (
          <CustomerForm
            editing={customer}
            onSaved={() => {
              setEditing(false);
              setReloads((count) => count + 1);
            }}
          />
        ) : (
          <button type="button" onClick={() => setEditing(true)}>
            Edit customer
          </button>
        ))}
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
            <dd>
              {owed.size ? [...owed].map(([currency, amount]) => money(amount, currency)).join(', ') : 'nothing owed'}
              {moreInvoices && ` (of the ${invoices.length} invoices shown)`}
            </dd>
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
      <h2>Services</h2>
      {services?.length ? (
        <table>
          <caption class="visually-hidden">Services and how they stand</caption>
          <thead>
            <tr>
              <th scope="col">Service</th>
              <th scope="col">Kind</th>
              <th scope="col">Site</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {services.map((service) => (
              <tr key={service.id}>
                <td>
                  {service.name}
                  {service.model && ` (${service.model})`}
                </td>
                <td>{service.kind}</td>
                <td>{service.site ?? ''}</td>
                <td>
                  <span class={`state state-${service.state}`}>{STATE_WORDS[service.state]}</span>
                  {service.issues.map((issueId) => (
                    <span key={issueId}>
                      {' '}
                      <a href={`/console/issues/${encodeURIComponent(issueId)}`} onClick={onLink}>
                        {issueId}
                      </a>
                    </span>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>{services ? 'No services recorded.' : 'Loading…'}</p>
      )}
      {issues && (
        <>
          <h2>Open issues</h2>
          {issues.issues.length ? (
            <ul>
              {issues.issues.map((issue) => (
                <li key={issue.id}>
                  <a href={`/console/issues/${encodeURIComponent(issue.id)}`} onClick={onLink}>
                    {issue.id} {issue.title}
                  </a>{' '}
                  ({issue.severity}, {issue.status})
                </li>
              ))}
            </ul>
          ) : (
            <p>None open.</p>
          )}
        </>
      )}
      {invoices && (
        <DataTable
          caption="Invoices"
          filename={`steward-${customer.id}-invoices.csv`}
          rows={invoices}
          rowKey={(invoice) => invoice.id}
          more={
            moreInvoices
              ? {
                  label: 'More invoices',
                  load: async () => {
                    const page = await api<{ invoices: Invoice[]; next?: string }>(
                      `/invoices?customerId=${encodeURIComponent(customer.id)}&limit=200&after=${encodeURIComponent(moreInvoices)}`,
                    );
                    setInvoices((shown) => [...(shown ?? []), ...page.invoices]);
                    setMoreInvoices(page.next);
                  },
                }
              : undefined
          }
          columns={[
            { label: 'Invoice', cell: (invoice) => invoice.id },
            { label: 'Due', cell: (invoice) => invoice.dueDate },
            { label: 'Amount', cell: (invoice) => money(invoice.amount, invoice.currency) },
            { label: 'Open', cell: (invoice) => money(balance(invoice), invoice.currency) },
            {
              label: 'Status',
              cell: (invoice) => (
                <>
                  {invoice.status}
                  {invoice.dispute && !invoice.dispute.resolvedAt && <span class="flag">disputed</span>}
                  {invoice.promise && !invoice.promise.outcome && <span class="flag">promise {invoice.promise.date}</span>}
                </>
              ),
              text: (invoice) => invoice.status,
            },
          ]}
        />
      )}
      <h2>History</h2>
      {history.issues && (
        <DataTable
          caption="Issues"
          filename={`steward-${customer.id}-issues.csv`}
          rows={history.issues}
          more={more('issues', 'More issues')}
          rowKey={(issue) => issue.id}
          columns={[
            {
              label: 'Issue',
              cell: (issue) => (
                <a href={`/console/issues/${encodeURIComponent(issue.id)}`} onClick={onLink}>
                  {issue.id}
                </a>
              ),
              text: (issue) => issue.id,
            },
            { label: 'Title', cell: (issue) => issue.title },
            { label: 'Severity', cell: (issue) => issue.severity },
            { label: 'Status', cell: (issue) => issue.status },
            { label: 'Opened', cell: (issue) => when(issue.createdAt), text: (issue) => issue.createdAt },
            { label: 'Resolved', cell: (issue) => when(issue.resolvedAt), text: (issue) => issue.resolvedAt },
          ]}
        />
      )}
      {history.rfos && (
        <DataTable
          caption="RFOs"
          filename={`steward-${customer.id}-rfos.csv`}
          rows={history.rfos}
          more={more('rfos', 'More RFOs')}
          rowKey={(rfo) => `${rfo.issueId}-${rfo.revision}`}
          columns={[
            { label: 'Issue', cell: (rfo) => rfo.issueId },
            { label: 'Revision', cell: (rfo) => rfo.revision },
            { label: 'State', cell: (rfo) => `${rfo.status}${rfo.acceptedBy ? ` (by ${rfo.acceptedBy})` : ''}` },
            { label: 'Reason for outage', cell: (rfo) => rfo.text },
          ]}
        />
      )}
      {history.payments && (
        <DataTable
          caption="Payments"
          filename={`steward-${customer.id}-payments.csv`}
          rows={history.payments}
          more={more('payments', 'More payments')}
          rowKey={(payment) => `${payment.invoiceId}-${payment.reference}`}
          columns={[
            { label: 'Date', cell: (payment) => payment.date },
            { label: 'Invoice', cell: (payment) => payment.invoiceId },
            { label: 'Amount', cell: (payment) => money(payment.amount), text: (payment) => payment.amount },
            { label: 'Reference', cell: (payment) => payment.reference },
          ]}
        />
      )}
      {history.disputes && (
        <DataTable
          caption="Disputes"
          filename={`steward-${customer.id}-disputes.csv`}
          rows={history.disputes}
          more={more('disputes', 'More disputes')}
          rowKey={(dispute) => `${dispute.invoiceId}-${dispute.openedAt}`}
          columns={[
            { label: 'Invoice', cell: (dispute) => dispute.invoiceId },
            { label: 'Reason', cell: (dispute) => dispute.reason },
            { label: 'Owner', cell: (dispute) => dispute.owner ?? '—' },
            { label: 'Resolve by', cell: (dispute) => dispute.resolveBy ?? '—' },
            { label: 'Outcome', cell: (dispute) => (dispute.resolvedAt ? `${dispute.outcome} (${when(dispute.resolvedAt)})` : 'open') },
          ]}
        />
      )}
      {history.promises && (
        <DataTable
          caption="Promises to pay"
          filename={`steward-${customer.id}-promises.csv`}
          rows={history.promises}
          more={more('promises', 'More promises')}
          rowKey={(promise) => `${promise.invoiceId}-${promise.madeAt}`}
          columns={[
            { label: 'Invoice', cell: (promise) => promise.invoiceId },
            { label: 'Pay by', cell: (promise) => promise.date },
            { label: 'Amount', cell: (promise) => money(promise.amount), text: (promise) => promise.amount },
            { label: 'Made', cell: (promise) => when(promise.madeAt), text: (promise) => promise.madeAt },
            { label: 'Outcome', cell: (promise) => promise.outcome ?? 'due' },
          ]}
        />
      )}
      {history.emails && (
        <DataTable
          caption="Emails"
          filename={`steward-${customer.id}-emails.csv`}
          rows={history.emails}
          more={more('emails', 'More emails')}
          rowKey={(email) => email.messageId}
          columns={[
            { label: 'Sent', cell: (email) => when(email.sentAt), text: (email) => email.sentAt },
            { label: 'Subject', cell: (email) => email.subject },
            { label: 'To', cell: (email) => [...email.to, ...(email.cc ?? [])].join(', ') },
            { label: 'Kind', cell: (email) => email.template },
          ]}
        />
      )}
    </section>
  );
}
