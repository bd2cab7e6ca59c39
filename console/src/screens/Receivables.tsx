import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api.ts';
import { DataTable } from '../data-table.tsx';
import { money as formatMoney, when } from '../format.ts';
import { onLink } from '../router.ts';
import type { Invoice, WorklistEntry } from '../types.ts';

interface Approval {
  customerId: string;
  customerName: string;
  round: number;
  proposedAt: string;
  suspensionDate: string | null;
}
interface ArKpis {
  asOf: string;
  openInvoices: number;
  byCurrency: Record<string, { aging: Record<string, number> }>;
}
/** A line of the file the import refused, as the API names it. */
type Problem = { line?: number; column?: string; problem: string };

const BUCKETS = ['current', '1-30', '31-60', '61-90', '91-120', '120+', 'disputed'];
const bucketLabel = (bucket: string) =>
  bucket === 'current' ? 'not yet due' : bucket === 'disputed' ? 'in dispute' : `${bucket} days past due`;

type AgedInvoice = Invoice & { balance: number };

/** Pages of a list the server pages: the lines so far, the cursor for more, and the total. */
function usePaged<T>(
  first: () => Promise<{ items: T[]; next?: string; count: number }>,
  more: (next: string) => Promise<{ items: T[]; next?: string; count: number }>,
) {
  const [state, setState] = useState<{ items: T[]; next?: string; count: number }>();
  const [error, setError] = useState<string>();
  // The first page is read once per mount: the caller keys the component by what it lists.
  useEffect(() => void first().then(setState, (failure: Error) => setError(failure.message)), []);
  const loadMore = async () => {
    if (!state?.next) return;
    const page = await more(state.next);
    setState({ items: [...state.items, ...page.items], next: page.next, count: page.count });
  };
  return { state, error, loadMore };
}

/** The invoices behind one aging figure (the click-through), oldest due first, with CSV export. */
function AgingInvoices({ currency, bucket }: { currency: string; bucket: string }) {
  const read = async (after?: string) => {
    const answer = await api<{ invoices: AgedInvoice[]; next?: string; count: number }>(
      `/invoices?aging=${encodeURIComponent(bucket)}&currency=${currency}&limit=100${after ? `&after=${encodeURIComponent(after)}` : ''}`,
    );
    return { items: answer.invoices, next: answer.next, count: answer.count };
  };
  const { state, error, loadMore } = usePaged(() => read(), read);
  return (
    <>
      {error && <p role="alert">{error}</p>}
      {state && (
        <DataTable
          caption={`Invoices ${bucketLabel(bucket)}, ${currency} (${state.count})`}
          filename={`steward-invoices-${bucket}-${currency}.csv`}
          rows={state.items}
          rowKey={(invoice) => invoice.id}
          more={state.next ? { label: 'More invoices', load: loadMore } : undefined}
          columns={[
            { label: 'Invoice', cell: (invoice) => invoice.id },
            {
              label: 'Customer',
              cell: (invoice) => (
                <a href={`/console/customers/${encodeURIComponent(invoice.customerId)}`} onClick={onLink}>
                  {invoice.customerId}
                </a>
              ),
            },
            { label: 'Due', cell: (invoice) => invoice.dueDate },
            { label: 'Balance', cell: (invoice) => formatMoney(invoice.balance, invoice.currency) },
            {
              label: 'Dispute or promise',
              cell: (invoice) =>
                invoice.dispute && !invoice.dispute.resolvedAt
                  ? `disputed: ${invoice.dispute.reason}`
                  : invoice.promise && !invoice.promise.outcome
                    ? `promised for ${invoice.promise.date}`
                    : '',
            },
          ]}
          exportAs={{
            label: 'Export these invoices as CSV',
            rows: () => [
              ['invoice', 'customer', 'issue date', 'due date', 'currency', 'amount', 'balance', 'dispute', 'promise date'],
              ...state.items.map((invoice) => [
                invoice.id,
                invoice.customerId,
                invoice.issueDate,
                invoice.dueDate,
                invoice.currency,
                invoice.amount,
                invoice.balance,
                invoice.dispute && !invoice.dispute.resolvedAt ? invoice.dispute.reason : '',
                invoice.promise && !invoice.promise.outcome ? invoice.promise.date : '',
              ]),
            ],
          }}
        />
      )}
    </>
  );
}

const overdueText = (entry: WorklistEntry) =>
  entry.overdue.map((owed) => `${formatMoney(owed.amount, owed.currency)} (${owed.invoices}, ${owed.daysOverdue} d)`).join('; ');
const promiseText = (entry: WorklistEntry) =>
  entry.promises
    .map(
      (promise) => `${promise.invoiceId}: ${formatMoney(promise.amount)} by ${promise.date}${promise.state === 'broken' ? ' BROKEN' : ''}`,
    )
    .join('; ');
const disputeText = (entry: WorklistEntry) =>
  entry.disputes
    .map(
      (dispute) =>
        `${dispute.invoiceId}: ${dispute.owner ?? 'no owner'}${dispute.resolveBy ? `, by ${dispute.resolveBy}` : ''}${dispute.late ? ' LATE' : ''}`,
    )
    .join('; ');

/** The dunning worklist: who needs a person (broken promises, late disputes), then who gets what next; paged, exported as CSV. */
function Worklist() {
  const read = async (after?: string) => {
    const answer = await api<{ customers: WorklistEntry[]; next?: string; count: number }>(
      `/dunning/worklist?limit=100${after ? `&after=${encodeURIComponent(after)}` : ''}`,
    );
    return { items: answer.customers, next: answer.next, count: answer.count };
  };
  const { state, error, loadMore } = usePaged(() => read(), read);
  return (
    <>
      <h2 id="worklist-title">Dunning worklist{state ? ` (${state.count})` : ''}</h2>
      {error && <p role="alert">{error}</p>}
      {state && state.items.length === 0 && <p>Nobody owes anything past due.</p>}
      {state && state.items.length > 0 && (
        <DataTable
          caption="Dunning worklist: who needs a person first, then who is mailed next"
          filename="steward-dunning-worklist.csv"
          rows={state.items}
          rowKey={(entry) => entry.customerId}
          more={state.next ? { label: 'More customers', load: loadMore } : undefined}
          columns={[
            {
              label: 'Customer',
              cell: (entry) => (
                <>
                  <a href={`/console/customers/${encodeURIComponent(entry.customerId)}`} onClick={onLink}>
                    {entry.customerName}
                  </a>
                  {entry.suspension?.proposal === 'pending' && <span class="flag">suspension to answer</span>}
                  {entry.paused.length > 0 && <small> {entry.paused.length} paused</small>}
                </>
              ),
            },
            { label: 'Past due', cell: (entry) => overdueText(entry) || '—' },
            { label: 'Last sent', cell: (entry) => (entry.lastStep ? `${entry.lastStep.key}, ${when(entry.lastStep.at)}` : 'nothing yet') },
            {
              label: 'Next',
              cell: (entry) =>
                entry.next.step ? `${entry.next.step}, ${when(entry.next.at)}` : `ladder done; next look ${when(entry.next.at)}`,
            },
            {
              label: 'Promises',
              cell: (entry) => promiseText(entry) || '—',
              className: (entry) => (entry.promises.some((promise) => promise.state === 'broken') ? 'late' : undefined),
            },
            {
              label: 'Disputes',
              cell: (entry) => disputeText(entry) || '—',
              className: (entry) => (entry.disputes.some((dispute) => dispute.late) ? 'late' : undefined),
            },
          ]}
          exportAs={{
            label: 'Export the worklist as CSV',
            rows: () => [
              ['customer id', 'customer', 'past due', 'last step', 'last sent', 'next step', 'next at', 'promises', 'disputes'],
              ...state.items.map((entry) => [
                entry.customerId,
                entry.customerName,
                overdueText(entry),
                entry.lastStep?.key,
                entry.lastStep?.at,
                entry.next.step,
                entry.next.at,
                promiseText(entry),
                disputeText(entry),
              ]),
            ],
          }}
        />
      )}
    </>
  );
}

/** Receivables: aging per currency, the suspensions waiting for an answer, and the CSV import with its line-by-line problems. */
export function Receivables({ permissions }: { permissions: string[] }) {
  const [kpis, setKpis] = useState<ArKpis>();
  const [approvals, setApprovals] = useState<Approval[]>([]);
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [selected, setSelected] = useState<{ currency: string; bucket: string }>();
  // Bumped after an answer: the worklist reads again, so an approved suspension is no longer "to answer".
  const [answered, setAnswered] = useState(0);
  const load = useCallback(async () => {
    try {
      const [ar, waiting] = await Promise.all([api<ArKpis>('/kpis/ar'), api<{ approvals: Approval[] }>('/dunning/approvals')]);
      setKpis(ar);
      setApprovals(waiting.approvals);
    } catch (failure) {
      setError((failure as Error).message);
    }
  }, []);
  useEffect(() => void load(), [load]);

  const answer = async (approval: Approval, approve: boolean) => {
    setError(undefined);
    try {
      await api(`/customers/${encodeURIComponent(approval.customerId)}/dunning/events`, {
        method: 'POST',
        body: { type: approve ? 'approve-suspension' : 'decline-suspension', round: approval.round },
      });
      setNotice(`${approve ? 'Approved' : 'Declined'}: the suspension of ${approval.customerName}.`);
      await load();
      setAnswered((count) => count + 1);
    } catch (failure) {
      setError((failure as Error).message);
    }
  };
  const canDecide = permissions.includes('suspensions:decide');

  return (
    <section aria-labelledby="ar-title">
      <h1 id="ar-title">Receivables</h1>
      {notice && <p role="status">{notice}</p>}
      {error && <p role="alert">{error}</p>}
      <h2>Suspensions waiting for an answer</h2>
      {approvals.length === 0 ? (
        <p>None waiting.</p>
      ) : (
        <table class="issues">
          <thead>
            <tr>
              <th scope="col">Customer</th>
              <th scope="col">Proposed</th>
              <th scope="col">Suspension date</th>
              <th scope="col">Answer</th>
            </tr>
          </thead>
          <tbody>
            {approvals.map((approval) => (
              <tr key={approval.customerId}>
                <td>{approval.customerName}</td>
                <td>{when(approval.proposedAt)}</td>
                <td>{approval.suspensionDate ?? '—'}</td>
                <td>
                  {canDecide ? (
                    <>
                      <button
                        type="button"
                        onClick={() => void answer(approval, true)}
                        aria-label={`Approve the suspension of ${approval.customerName}`}
                      >
                        Approve
                      </button>{' '}
                      <button
                        type="button"
                        onClick={() => void answer(approval, false)}
                        aria-label={`Decline the suspension of ${approval.customerName}`}
                      >
                        Decline
                      </button>
                    </>
                  ) : (
                    'a manager decides'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Aging{kpis ? ` on ${kpis.asOf}` : ''}</h2>
      {kpis &&
        Object.entries(kpis.byCurrency).map(([currency, money]) => (
          <table class="issues aging" key={currency}>
            <caption>{currency}</caption>
            <thead>
              <tr>
                {BUCKETS.map((bucket) => (
                  <th scope="col" key={bucket}>
                    {bucket === 'current' || bucket === 'disputed' ? bucket : `${bucket} days`}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              <tr>
                {BUCKETS.map((bucket) => (
                  <td key={bucket}>
                    {money.aging[bucket] ? (
                      <button
                        type="button"
                        class="link"
                        aria-label={`${formatMoney(money.aging[bucket] ?? 0, currency)}: the invoices ${bucketLabel(bucket)}`}
                        aria-pressed={selected?.currency === currency && selected.bucket === bucket}
                        onClick={() => setSelected({ currency, bucket })}
                      >
                        {formatMoney(money.aging[bucket], currency)}
                      </button>
                    ) : (
                      '0.00'
                    )}
                  </td>
                ))}
              </tr>
            </tbody>
          </table>
        ))}
      {selected && <AgingInvoices key={`${selected.currency}-${selected.bucket}`} {...selected} />}
      <Worklist key={answered} />
      {permissions.includes('invoices:write') && <CsvImport onImported={load} />}
    </section>
  );
}

function CsvImport({ onImported }: { onImported: () => Promise<void> }) {
  const [csv, setCsv] = useState('');
  const [problems, setProblems] = useState<Problem[]>([]);
  const [result, setResult] = useState<{ ok: boolean; text: string }>();
  const submit = async (event: Event) => {
    event.preventDefault();
    setProblems([]);
    setResult(undefined);
    try {
      const answer = await api<{ rows?: number; created?: number; updated?: number; id?: string; status?: string }>('/invoices/import', {
        method: 'POST',
        csv,
      });
      setResult({
        ok: true,
        text: answer.id
          ? `Import ${answer.id} started (${answer.status}): a long file is imported in the background.`
          : `Imported ${answer.rows} rows: ${answer.created} new invoices, ${answer.updated} updated.`,
      });
      await onImported();
    } catch (failure) {
      setResult({ ok: false, text: (failure as Error).message });
      if (failure instanceof ApiError && Array.isArray(failure.details)) setProblems(failure.details as Problem[]);
    }
  };
  return (
    <form class="action import" onSubmit={submit}>
      <h2>Import invoices (CSV)</h2>
      <label>
        CSV: invoice_number,customer_id,issue_date,due_date,currency,amount,amount_paid
        <textarea required value={csv} onInput={(event) => setCsv(event.currentTarget.value)} rows={6} />
      </label>
      <label>
        Or a file
        <input type="file" accept=".csv,text/csv" onChange={async (event) => setCsv(await event.currentTarget.files![0].text())} />
      </label>
      <button type="submit">Import</button>
      {result && <p role={result.ok ? 'status' : 'alert'}>{result.text}</p>}
      {problems.length > 0 && (
        <table class="issues problems">
          <caption>Nothing was imported: fix these lines</caption>
          <thead>
            <tr>
              <th scope="col">Line</th>
              <th scope="col">Column</th>
              <th scope="col">Problem</th>
            </tr>
          </thead>
          <tbody>
            {problems.map((problem, index) => (
              <tr key={index}>
                <td>{problem.line ?? '—'}</td>
                <td>{problem.column ?? '—'}</td>
                <td>{problem.problem}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </form>
  );
}
