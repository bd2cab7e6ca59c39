import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, problemsOf } from '../api.ts';
import { readerZone, when, zonedInstant } from '../format.ts';
import { onLink } from '../router.ts';
import type { EmailPreview, IssueDetail, IssueEventInput, Rung, TimelineEntry } from '../types.ts';

/** A datetime-local value (the person's zone) as an instant; undefined when empty. */
const instant = (local: string) => zonedInstant(local);

/** The words of a timeline entry: what it says, whoever wrote it. */
function entryText(entry: TimelineEntry): string {
  const fields = ['message', 'rfo', 'comment', 'reason', 'summary', 'subject', 'text', 'title'];
  const parts = fields.map((field) => entry[field]).filter((value): value is string => typeof value === 'string' && value !== '');
  if (entry.etr) parts.push(`ETR ${when(String(entry.etr))}`);
  return parts.join(' — ');
}

const ROLE_NAMES = { teamLead: 'Team lead', serviceManager: 'Service manager', director: 'Director' } as const;

const byOf = (entry: TimelineEntry) => {
  const by = entry.by as { name?: string; id?: string; kind?: string } | string | undefined;
  return typeof by === 'string' ? by : (by?.name ?? by?.id ?? '');
};

/** Issue: the facts, the timeline, and the actions the person's role allows. */
export function Issue({ id, permissions }: { id: string; permissions: string[] }) {
  const [issue, setIssue] = useState<IssueDetail>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [older, setOlder] = useState<{ entries: TimelineEntry[]; next?: string }>();
  const load = useCallback(async () => {
    try {
      setIssue(await api<IssueDetail>(`/issues/${encodeURIComponent(id)}`));
      setOlder(undefined);
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
      setError(problemsOf(failure));
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
  // The view holds the newest entries; older ones come a page at a time, newest first, and go on top.
  const earlierFrom = older ? older.next : issue.timelineNext;
  const loadEarlier = async (after: string) => {
    const page = await api<{ timeline: TimelineEntry[]; next?: string }>(
      `/issues/${encodeURIComponent(id)}/timeline?limit=200&after=${encodeURIComponent(after)}`,
    );
    setOlder((shown) => ({ entries: [...page.timeline.reverse(), ...(shown?.entries ?? [])], next: page.next }));
  };
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
        {issue.awaitingReply && (
          <>
            <dt>Customer waiting</dt>
            <dd>
              since {when(issue.awaitingReply.since)}, answer due by {when(issue.awaitingReply.replyBy)}
            </dd>
          </>
        )}
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
          {unresolved && <UpdateForm issueId={issue.id} onSubmit={(event) => act(event, 'Update recorded; the customer is emailed.')} />}
          {unresolved && <EtrForm act={act} />}
          {unresolved && <AssignForm act={act} />}
          <MoveForm current={issue.customerId} act={act} />
          {unresolved && (
            <TextAction label="Resolve" field="rfo" hint="Reason for outage (RFO)" make={(rfo) => ({ type: 'resolve', rfo })} act={act} />
          )}
          {issue.status === 'resolved' && issue.rfo && issue.rfo.status !== 'accepted' && (
            <TextAction
              label="Revise RFO"
              field="rfo"
              hint="Revised reason for outage (sent to the customer)"
              make={(rfo) => ({ type: 'revise-rfo', rfo })}
              act={act}
            />
          )}
          {!unresolved && (
            <TextAction
              label="Reply"
              field="message"
              hint="Answer to the customer (emailed to them)"
              make={(message) => ({ type: 'reply', message })}
              act={act}
            />
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
      <Ladder rungs={issue.ladder} />
      <h2>Timeline</h2>
      {earlierFrom && (
        <div class="buttons">
          <button type="button" class="secondary" onClick={() => void loadEarlier(earlierFrom)}>
            Earlier entries
          </button>
        </div>
      )}
      <ol class="timeline">
        {[...(older?.entries ?? []), ...issue.timeline].map((entry, index) => (
          <li key={`${entry.at}-${index}`}>
            <time dateTime={entry.at}>{when(entry.at)}</time> <strong>{entry.type}</strong>{' '}
            {byOf(entry) && <span class="by">by {byOf(entry)}</span>}{' '}
            {entry.type === 'email' ? <EmailEntry entry={entry} /> : <span>{entryText(entry)}</span>}
          </li>
        ))}
      </ol>
    </section>
  );
}

/** An email on the timeline: who it went to, its subject, and its text as sent (folded). */
function EmailEntry({ entry }: { entry: TimelineEntry }) {
  const list = (value: unknown) => (Array.isArray(value) ? value.join(', ') : '');
  return (
    <span class="email">
      {String(entry.template)} to {String(entry.audience)}
      {entry.subject !== undefined && (
        <>
          {' — '}
          <q>{String(entry.subject)}</q> to {list(entry.to)}
          {list(entry.cc) && <> (copy: {list(entry.cc)})</>}
          <details>
            <summary>Text of the email</summary>
            <pre>{String(entry.text)}</pre>
          </details>
        </>
      )}
    </span>
  );
}

/** Who each level of the ladder is, when it was reached and told, and when time alone reaches the next. */
function Ladder({ rungs }: { rungs: Rung[] }) {
  return (
    <>
      <h2 id="ladder-title">Escalation ladder</h2>
      <table class="issues" aria-labelledby="ladder-title">
        <thead>
          <tr>
            <th scope="col">Level</th>
            <th scope="col">Who</th>
            <th scope="col">Reached</th>
            <th scope="col">Told</th>
            <th scope="col">Next by time</th>
          </tr>
        </thead>
        <tbody>
          {rungs.map((rung) => (
            <tr key={rung.level}>
              <td>
                {rung.level} {ROLE_NAMES[rung.role]}
              </td>
              <td>
                {rung.person.name} <small>{rung.person.email}</small>
              </td>
              <td>{rung.reachedAt ? `${when(rung.reachedAt)}: ${rung.reason}` : 'not reached'}</td>
              <td>{when(rung.toldAt)}</td>
              <td>{when(rung.dueAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function UpdateForm({ issueId, onSubmit }: { issueId: string; onSubmit: (event: IssueEventInput) => Promise<void> }) {
  const [message, setMessage] = useState('');
  const [etr, setEtr] = useState('');
  const [nextUpdate, setNextUpdate] = useState('');
  const [preview, setPreview] = useState<EmailPreview>();
  const [problem, setProblem] = useState<string>();
  const update = (): IssueEventInput => ({ type: 'update', message, etr: instant(etr), nextUpdateAt: instant(nextUpdate) });
  const showPreview = async () => {
    setProblem(undefined);
    try {
      setPreview(await api<EmailPreview>(`/issues/${encodeURIComponent(issueId)}/preview`, { method: 'POST', body: update() }));
    } catch (failure) {
      setPreview(undefined);
      setProblem(problemsOf(failure));
    }
  };
  return (
    <form
      class="action"
      onSubmit={async (event) => {
        event.preventDefault();
        await onSubmit(update());
        setMessage('');
        setPreview(undefined);
      }}
    >
      <h2>Update the customer</h2>
      <label>
        Message to the customer
        <textarea required maxLength={10_000} value={message} onInput={(event) => setMessage(event.currentTarget.value)} />
      </label>
      <label>
        ETR ({readerZone()})
        <input type="datetime-local" value={etr} onInput={(event) => setEtr(event.currentTarget.value)} />
      </label>
      <label>
        Next update by ({readerZone()})
        <input type="datetime-local" value={nextUpdate} onInput={(event) => setNextUpdate(event.currentTarget.value)} />
      </label>
      <div class="buttons">
        <button type="button" class="secondary" disabled={!message} onClick={() => void showPreview()}>
          Preview the email
        </button>
        <button type="submit">Send update</button>
      </div>
      {problem && <p role="alert">{problem}</p>}
      {preview && (
        <article class="preview" aria-label="Preview of the customer email">
          <p>
            To: {preview.to.join(', ')}
            <br />
            Subject: {preview.subject}
          </p>
          <p class="hint">
            Times you typed are in {readerZone()}
            {etr ? `: ETR ${when(instant(etr))}` : ''}
            {nextUpdate ? `${etr ? ',' : ':'} next update ${when(instant(nextUpdate))}` : ''}; the email gives them in the customer's zone.
          </p>
          <pre>{preview.text}</pre>
        </article>
      )}
    </form>
  );
}

/** A new ETR with why it moved; the customer hears it in the next update. */
function EtrForm({ act }: { act: (event: IssueEventInput, done: string) => Promise<void> }) {
  const [etr, setEtr] = useState('');
  const [reason, setReason] = useState('');
  return (
    <form
      class="action"
      onSubmit={async (event) => {
        event.preventDefault();
        await act({ type: 'set-etr', etr: instant(etr)!, reason: reason || undefined }, 'ETR set.');
        setReason('');
      }}
    >
      <label>
        New ETR ({readerZone()})
        <input type="datetime-local" required value={etr} onInput={(event) => setEtr(event.currentTarget.value)} />
      </label>
      <label>
        Why it moved
        <input maxLength={2_000} value={reason} onInput={(event) => setReason(event.currentTarget.value)} />
      </label>
      <button type="submit">Set ETR</button>
    </form>
  );
}

/** Hands the issue to another person, who gets the owner's emails from now on. */
function AssignForm({ act }: { act: (event: IssueEventInput, done: string) => Promise<void> }) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  return (
    <form
      class="action"
      onSubmit={async (event) => {
        event.preventDefault();
        await act({ type: 'assign', owner: { name, email } }, `Assigned to ${name}.`);
        setName('');
        setEmail('');
      }}
    >
      <label>
        Assign to (name)
        <input required maxLength={200} value={name} onInput={(event) => setName(event.currentTarget.value)} />
      </label>
      <label>
        Their email
        <input type="email" required maxLength={254} value={email} onInput={(event) => setEmail(event.currentTarget.value)} />
      </label>
      <button type="submit">Assign</button>
    </form>
  );
}

/** Files the issue under another customer (a triage issue that found its customer); their contacts get its emails from now on. */
function MoveForm({ current, act }: { current: string; act: (event: IssueEventInput, done: string) => Promise<void> }) {
  const [customerId, setCustomerId] = useState('');
  const [reason, setReason] = useState('');
  const [choices, setChoices] = useState<{ id: string; name: string }[]>([]);
  useEffect(() => {
    api<{ customers: { id: string; name: string }[] }>('/customers?limit=200')
      .then((page) => setChoices(page.customers.filter((customer) => customer.id !== current)))
      .catch(() => setChoices([]));
  }, [current]);
  return (
    <form
      class="action"
      onSubmit={async (event) => {
        event.preventDefault();
        const name = choices.find((choice) => choice.id === customerId)?.name ?? customerId;
        await act({ type: 'move', customerId, ...(reason ? { reason } : {}) }, `Moved to ${name}; its contacts are told.`);
        setCustomerId('');
        setReason('');
      }}
    >
      <label>
        Move to customer
        <input
          required
          list="move-customers"
          maxLength={64}
          value={customerId}
          onInput={(event) => setCustomerId(event.currentTarget.value)}
        />
        <datalist id="move-customers">
          {choices.map((choice) => (
            <option key={choice.id} value={choice.id}>
              {choice.name}
            </option>
          ))}
        </datalist>
      </label>
      <label>
        Why
        <input maxLength={2_000} value={reason} onInput={(event) => setReason(event.currentTarget.value)} />
      </label>
      <button type="submit">Move</button>
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
