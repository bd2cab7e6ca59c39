import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api.ts';
import { when } from '../format.ts';
import { onLink } from '../router.ts';
import type { IssueDetail, IssueEventInput, TimelineEntry } from '../types.ts';

/** A datetime-local value (the person's zone) as an instant; undefined when empty. */
const instant = (local: string) => (local ? new Date(local).toISOString() : undefined);

/** The words of a timeline entry: what it says, whoever wrote it. */
function entryText(entry: TimelineEntry): string {
  const fields = ['message', 'rfo', 'comment', 'reason', 'summary', 'subject', 'text', 'title'];
  const parts = fields.map((field) => entry[field]).filter((value): value is string => typeof value === 'string' && value !== '');
  if (entry.etr) parts.push(`ETR ${when(String(entry.etr))}`);
  if (Array.isArray(entry.to)) parts.unshift(`to ${entry.to.join(', ')}`);
  if (entry.type === 'email') parts.unshift(`${String(entry.template)} to ${String(entry.audience)}`);
  return parts.join(' — ');
}

const byOf = (entry: TimelineEntry) => {
  const by = entry.by as { name?: string; id?: string; kind?: string } | string | undefined;
  return typeof by === 'string' ? by : (by?.name ?? by?.id ?? '');
};

/** Issue: the facts, the timeline, and the actions the person's role allows. */
export function Issue({ id, permissions }: { id: string; permissions: string[] }) {
  const [issue, setIssue] = useState<IssueDetail>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const load = useCallback(async () => {
    try {
      setIssue(await api<IssueDetail>(`/issues/${encodeURIComponent(id)}`));
    } catch (failure) {
      setError((failure as Error).message);
    }
  }, [id]);
  useEffect(() => void load(), [load]);

  const act = async (event: IssueEventInput, done: string) => {
    setError(undefined);
    try {
      await api(`/issues/${encodeURIComponent(id)}/events`, { method: 'POST', body: event });
      setNotice(done);
      await load();
    } catch (failure) {
      const details = failure instanceof ApiError && Array.isArray(failure.details) ? failure.details : [];
      setError(
        [(failure as Error).message, ...details.map((d: { field: string; problem: string }) => `${d.field}: ${d.problem}`)].join(' · '),
      );
    }
  };

  if (!issue)
    return (
      <section>
        <h1>Issue {id}</h1>
        {error ? <p role="alert">{error}</p> : <p>Loading…</p>}
      </section>
    );
  const canWrite = permissions.includes('issues:write');
  const unresolved = issue.status === 'open' || issue.status === 'acknowledged';

  return (
    <section aria-labelledby="issue-title">
      <p>
        <a href="/console/" onClick={onLink}>
          ← Now
        </a>
      </p>
      <h1 id="issue-title">
        {issue.id} {issue.title}
      </h1>
      <dl class="facts">
        <dt>Customer</dt>
        <dd>
          <a href={`/console/customers/${encodeURIComponent(issue.customerId)}`} onClick={onLink}>
            {issue.customerId}
          </a>
        </dd>
        <dt>Severity</dt>
        <dd>
          <span class={`sev ${issue.severity}`}>{issue.severity}</span>
        </dd>
        <dt>Status</dt>
        <dd>{issue.status}</dd>
        <dt>Owner</dt>
        <dd>{issue.owner?.name ?? '—'}</dd>
        <dt>Escalation</dt>
        <dd>{issue.escalationLevel ? `level ${issue.escalationLevel}` : 'none'}</dd>
        <dt>ETR</dt>
        <dd>{when(issue.etr)}</dd>
        <dt>Next customer update</dt>
        <dd>{when(issue.nextUpdateAt)}</dd>
        <dt>RFO</dt>
        <dd>{issue.rfo ? `${issue.rfo.status}: ${issue.rfo.text}` : '—'}</dd>
      </dl>
      {notice && <p role="status">{notice}</p>}
      {error && <p role="alert">{error}</p>}
      {canWrite && (
        <div class="actions">
          {issue.status === 'open' && (
            <button type="button" onClick={() => void act({ type: 'acknowledge' }, 'Acknowledged.')}>
              Acknowledge
            </button>
          )}
          {unresolved && <UpdateForm onSubmit={(event) => act(event, 'Update recorded; the customer is emailed.')} />}
          {unresolved && (
            <TextAction label="Resolve" field="rfo" hint="Reason for outage (RFO)" make={(rfo) => ({ type: 'resolve', rfo })} act={act} />
          )}
          <TextAction label="Add note" field="message" hint="Internal note" make={(message) => ({ type: 'note', message })} act={act} />
          {issue.status === 'resolved' && (
            <button type="button" onClick={() => void act({ type: 'close' }, 'Closed.')}>
              Close
            </button>
          )}
          {(issue.status === 'resolved' || issue.status === 'closed') && (
            <button type="button" onClick={() => void act({ type: 'reopen' }, 'Reopened.')}>
              Reopen
            </button>
          )}
        </div>
      )}
      <h2>Timeline</h2>
      <ol class="timeline">
        {issue.timeline.map((entry, index) => (
          <li key={`${entry.at}-${index}`}>
            <time dateTime={entry.at}>{when(entry.at)}</time> <strong>{entry.type}</strong>{' '}
            {byOf(entry) && <span class="by">by {byOf(entry)}</span>} <span>{entryText(entry)}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}

function UpdateForm({ onSubmit }: { onSubmit: (event: IssueEventInput) => Promise<void> }) {
  const [message, setMessage] = useState('');
  const [etr, setEtr] = useState('');
  const [nextUpdate, setNextUpdate] = useState('');
  return (
    <form
      class="action"
      onSubmit={async (event) => {
        event.preventDefault();
        await onSubmit({ type: 'update', message, etr: instant(etr), nextUpdateAt: instant(nextUpdate) });
        setMessage('');
      }}
    >
      <h2>Update the customer</h2>
      <label>
        Message to the customer
        <textarea required maxLength={10_000} value={message} onInput={(event) => setMessage(event.currentTarget.value)} />
      </label>
      <label>
        ETR
        <input type="datetime-local" value={etr} onInput={(event) => setEtr(event.currentTarget.value)} />
      </label>
      <label>
        Next update by
        <input type="datetime-local" value={nextUpdate} onInput={(event) => setNextUpdate(event.currentTarget.value)} />
      </label>
      <button type="submit">Send update</button>
    </form>
  );
}

function TextAction({
  label,
  field,
  hint,
  make,
  act,
}: {
  label: string;
  field: string;
  hint: string;
  make: (text: string) => IssueEventInput;
  act: (event: IssueEventInput, done: string) => Promise<void>;
}) {
  const [text, setText] = useState('');
  return (
    <form
      class="action"
      onSubmit={async (event) => {
        event.preventDefault();
        await act(make(text), `${label}: done.`);
        setText('');
      }}
    >
      <label>
        {hint}
        <textarea name={field} required maxLength={20_000} value={text} onInput={(event) => setText(event.currentTarget.value)} />
      </label>
      <button type="submit">{label}</button>
    </form>
  );
}
