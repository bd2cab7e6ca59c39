import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api.ts';
import { when } from '../format.ts';

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

/** Receivables: aging per currency, the suspensions waiting for an answer, and the CSV import with its line-by-line problems. */
export function Receivables({ permissions }: { permissions: string[] }) {
  const [kpis, setKpis] = useState<ArKpis>();
  const [approvals, setApprovals] = useState<Approval[]>([]);
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
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
                  <td key={bucket}>{(money.aging[bucket] ?? 0).toFixed(2)}</td>
                ))}
              </tr>
            </tbody>
          </table>
        ))}
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
