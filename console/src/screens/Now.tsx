import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { downloadCsv } from '../csv.ts';
import { duration, relative, when } from '../format.ts';
import { onLink } from '../router.ts';
import type { IssueView, OpenIssuesPage } from '../types.ts';

const REFRESH_MS = 30_000;
const PAGE = 100;
const DUE_WORDS = { acknowledgement: 'Acknowledge', update: 'Customer update', etr: 'ETR' } as const;

/** Now: the unresolved issues, what is due next first; refreshes itself. */
export function Now() {
  const [issues, setIssues] = useState<IssueView[]>([]);
  const [count, setCount] = useState(0);
  const [next, setNext] = useState<string | undefined>();
  const [error, setError] = useState<string>();
  const [severity, setSeverity] = useState('');
  const [status, setStatus] = useState('');
  const [customer, setCustomer] = useState('');
  // Steward's clock as the server gave it with the list (never the browser's): until then, nothing is said to be refreshed.
  const [now, setNow] = useState(Date.now());
  const [refreshed, setRefreshed] = useState<string | undefined>();

  const query = useCallback(
    (after?: string) =>
      `/issues?open=true&limit=${PAGE}${status ? `&status=${status}` : ''}${severity ? `&severity=${severity}` : ''}${customer ? `&customerId=${encodeURIComponent(customer)}` : ''}${after ? `&after=${encodeURIComponent(after)}` : ''}`,
    [status, severity, customer],
  );
  const load = useCallback(async () => {
    try {
      const page = await api<OpenIssuesPage>(query());
      setIssues(page.issues);
      setCount(page.count);
      setNext(page.next);
      setNow(Date.parse(page.now));
      setRefreshed(page.now);
      setError(undefined);
    } catch (failure) {
      setError((failure as Error).message);
    }
  }, [query]);
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);
  const more = async () => {
    const page = await api<OpenIssuesPage>(query(next));
    setIssues([...issues, ...page.issues]);
    setNext(page.next);
  };
  /** Every open issue the filters select (not only the pages shown), read in pages of 500. */
  const exportAll = async () => {
    const all: IssueView[] = [];
    let after: string | undefined;
    do {
      const page = await api<OpenIssuesPage>(query(after).replace(`limit=${PAGE}`, 'limit=500'));
      all.push(...page.issues);
      after = page.next;
    } while (after);
    downloadCsv('steward-open-issues.csv', [
      [
        'due next',
        'due at',
        'overdue',
        'issue',
        'title',
        'customer',
        'severity',
        'status',
        'owner',
        'escalation level',
        'last customer contact',
        'ETR',
        'on backup',
      ],
      ...all.map((issue) => [
        issue.due?.what,
        issue.due?.at,
        issue.due ? String(issue.due.overdue) : '',
        issue.id,
        issue.title,
        issue.customerId,
        issue.severity,
        issue.status,
        issue.owner?.name,
        issue.escalationLevel,
        issue.lastCustomerContactAt ?? issue.createdAt,
        issue.etr,
        String(issue.runningOnBackup),
      ]),
    ]);
  };

  return (
    <section aria-labelledby="now-title">
      <h1 id="now-title">Now</h1>
      <p class="lead">
        {count} open {count === 1 ? 'issue' : 'issues'}, what is due next first.{refreshed ? ` Refreshed ${when(refreshed)}.` : ''}
      </p>
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <label>
          Severity
          <select value={severity} onChange={(event) => setSeverity(event.currentTarget.value)}>
            <option value="">all</option>
            {['sev1', 'sev2', 'sev3', 'sev4'].map((value) => (
              <option key={value}>{value}</option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select value={status} onChange={(event) => setStatus(event.currentTarget.value)}>
            <option value="">open and acknowledged</option>
            <option value="open">open</option>
            <option value="acknowledged">acknowledged</option>
          </select>
        </label>
        <label>
          Customer
          <input
            value={customer}
            maxLength={64}
            placeholder="customer id"
            onChange={(event) => setCustomer(event.currentTarget.value.trim())}
          />
        </label>
      </form>
      {error && <p role="alert">{error}</p>}
      <table class="issues">
        <thead>
          <tr>
            <th scope="col">Due next</th>
            <th scope="col">Issue</th>
            <th scope="col">Customer</th>
            <th scope="col">Severity</th>
            <th scope="col">Status</th>
            <th scope="col">Owner</th>
            <th scope="col">Escalation</th>
            <th scope="col">Silent for</th>
            <th scope="col">Flags</th>
          </tr>
        </thead>
        <tbody>
          {issues.map((issue) => (
            <tr key={issue.id} class={issue.due?.overdue ? 'overdue' : undefined}>
              <td>
                {issue.due ? (
                  <span title={when(issue.due.at)}>
                    {DUE_WORDS[issue.due.what]} {relative(issue.due.at, now)}
                  </span>
                ) : (
                  '—'
                )}
              </td>
              <td>
                <a href={`/console/issues/${encodeURIComponent(issue.id)}`} onClick={onLink}>
                  {issue.id} {issue.title}
                </a>
              </td>
              <td>
                <a href={`/console/customers/${encodeURIComponent(issue.customerId)}`} onClick={onLink}>
                  {issue.customerId}
                </a>
              </td>
              <td>
                <span class={`sev ${issue.severity}`}>{issue.severity}</span>
              </td>
              <td>{issue.status}</td>
              <td>{issue.owner?.name ?? '—'}</td>
              <td>{issue.escalationLevel ? `level ${issue.escalationLevel}` : '—'}</td>
              <td>{duration(now - new Date(issue.lastCustomerContactAt ?? issue.createdAt).getTime())}</td>
              <td>
                {issue.etr && new Date(issue.etr).getTime() < now && <span class="flag">ETR passed</span>}
                {issue.runningOnBackup && <span class="flag">on backup</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {issues.length === 0 && !error && <p>Nothing open. Every customer has been answered.</p>}
      <div class="buttons">
        {next && (
          <button type="button" onClick={() => void more()}>
            Show more
          </button>
        )}
        <button type="button" class="secondary" onClick={() => void exportAll()}>
          Export all {count} as CSV
        </button>
      </div>
    </section>
  );
}
