import diff from 'microdiff';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { api, fieldProblems } from '../api.ts';
import { when } from '../format.ts';
import type { Policy, PolicyVersion } from '../types.ts';

type Stored = Policy & { updatedAt?: string; updatedBy?: { name?: string; id?: string } };

/** What a person edits: the policy without its name, version and history. */
const editable = ({ name: _name, version: _version, updatedAt: _at, updatedBy: _by, ...rules }: Stored) => rules;

const shown = (value: unknown) => (value === undefined ? '(none)' : JSON.stringify(value));

/** The changes from one policy to another, a line each: "severities.sev1.updateEvery: "PT30M" → "PT15M"". */
export function changes(from: object, to: object): string[] {
  return diff(from, to).map((change) => {
    const path = change.path.join('.');
    if (change.type === 'CREATE') return `${path}: added ${shown(change.value)}`;
    if (change.type === 'REMOVE') return `${path}: removed (was ${shown(change.oldValue)})`;
    return `${path}: ${shown(change.oldValue)} → ${shown(change.value)}`;
  });
}

function Changes({ lines, label }: { lines: string[]; label: string }) {
  return (
    <section aria-label={label} class="diff">
      <h4>{label}</h4>
      {lines.length === 0 ? (
        <p>No change.</p>
      ) : (
        <ul>
          {lines.map((line) => (
            <li key={line}>
              <code>{line}</code>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Policies as validated data: the current version of each, edited as JSON and checked by the API; its versions, compared. */
export function Policies({ canWrite }: { canWrite: boolean }) {
  const [names, setNames] = useState<string[]>([]);
  const [name, setName] = useState('default');
  const [current, setCurrent] = useState<Stored>();
  const [versions, setVersions] = useState<PolicyVersion[]>([]);
  const [text, setText] = useState('');
  const [problems, setProblems] = useState<string[]>([]);
  const [notice, setNotice] = useState<string>();
  const [compared, setCompared] = useState<{ version: number; lines: string[] }>();

  const load = useCallback(async (policy: string) => {
    const [stored, history] = await Promise.all([
      api<Stored>(`/policies/${encodeURIComponent(policy)}`),
      api<{ versions: PolicyVersion[] }>(`/policies/${encodeURIComponent(policy)}/versions?limit=20`),
    ]);
    setCurrent(stored);
    setVersions(history.versions);
    setText(JSON.stringify(editable(stored), null, 2));
    setCompared(undefined);
  }, []);
  useEffect(() => {
    void api<{ policies: Policy[] }>('/policies').then((answer) => setNames(answer.policies.map((policy) => policy.name)));
  }, []);
  useEffect(() => void load(name).catch((failure: Error) => setProblems([failure.message])), [load, name]);

  // What saving would change, while the text is JSON.
  const pending = useMemo(() => {
    if (!current) return undefined;
    try {
      return changes(editable(current), JSON.parse(text));
    } catch {
      return undefined;
    }
  }, [current, text]);

  const save = async (event: Event) => {
    event.preventDefault();
    setProblems([]);
    setNotice(undefined);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (failure) {
      setProblems([`not JSON: ${(failure as Error).message}`]);
      return;
    }
    try {
      const stored = await api<Stored>(`/policies/${encodeURIComponent(name)}`, { method: 'PUT', body });
      setNotice(`Stored version ${stored.version} of ${name}. Issues opened from now on follow it; open issues keep theirs.`);
      await load(name);
    } catch (failure) {
      const fields = fieldProblems(failure);
      setProblems(fields.length ? fields : [(failure as Error).message]);
    }
  };

  const compare = async (version: number) => {
    if (!current) return;
    const old = await api<Stored>(`/policies/${encodeURIComponent(name)}/versions/${version}`);
    setCompared({ version, lines: changes(editable(old), editable(current)) });
  };

  return (
    <>
      <h2 id="policies-title">Policies</h2>
      <label class="inline">
        Policy{' '}
        <select value={name} onChange={(event) => setName(event.currentTarget.value)}>
          {names.map((entry) => (
            <option key={entry}>{entry}</option>
          ))}
        </select>
      </label>
      {current && (
        <p>
          Version {current.version}
          {current.updatedAt ? `, stored ${when(current.updatedAt)} by ${current.updatedBy?.name ?? current.updatedBy?.id}` : ' (built in)'}
        </p>
      )}
      {notice && <p role="status">{notice}</p>}
      {problems.length > 0 && (
        <div role="alert">
          <p>The policy was not stored:</p>
          <ul>
            {problems.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
        </div>
      )}
      <form class="action policy" onSubmit={save}>
        <label>
          Rules of {name} (JSON, checked by the API when stored)
          <textarea
            rows={18}
            spellcheck={false}
            readOnly={!canWrite}
            value={text}
            onInput={(event) => setText(event.currentTarget.value)}
          />
        </label>
        {pending && <Changes label="Changes to store" lines={pending} />}
        {canWrite && (
          <button type="submit" disabled={pending?.length === 0}>
            Store as version {(current?.version ?? 0) + 1}
          </button>
        )}
      </form>
      <table class="issues" aria-labelledby="versions-title">
        <caption id="versions-title">Versions of {name}</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Stored</th>
            <th scope="col">By</th>
            <th scope="col">
              <span class="visually-hidden">Compare</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {versions.map((entry) => (
            <tr key={entry.version}>
              <td>{entry.version}</td>
              <td>{entry.storedAt ? when(entry.storedAt) : 'built in'}</td>
              <td>{entry.updatedBy?.name ?? entry.updatedBy?.id ?? '—'}</td>
              <td>
                {entry.version !== current?.version && (
                  <button type="button" class="secondary" onClick={() => void compare(entry.version)}>
                    Compare version {entry.version} with {current?.version}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {compared && <Changes label={`From version ${compared.version} to ${current?.version}`} lines={compared.lines} />}
    </>
  );
}
