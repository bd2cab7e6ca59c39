import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { when } from '../format.ts';

interface User {
  id: string;
  email: string;
  name: string;
  roles: string[];
  active: boolean;
}
interface Token {
  id: string;
  name: string;
  createdAt: string;
  expiresAt?: string;
  lastUsedAt?: string;
}
interface Integration {
  name: string;
  kind: string;
  secret?: string;
  customerLabel: string;
}
const ROLES = ['admin', 'manager', 'agent', 'finance', 'viewer'];

/** Where each kind of sender posts, and what to paste into it. */
function configFor(integration: Integration, origin: string): string {
  const path = integration.kind === 'pagerduty' ? '/v2/enqueue' : `/webhooks/${integration.kind}`;
  if (integration.kind === 'alertmanager')
    return `receivers:
  - name: steward
    webhook_configs:
      - url: ${origin}${path}
        send_resolved: true
        http_config:
          authorization:
            credentials: <the integration's secret>
# label each alert with ${integration.customerLabel}: <customer id>`;
  return `URL: ${origin}${path}\nAuthenticate with the integration's secret; label alerts with "${integration.customerLabel}" = <customer id>.`;
}

/** Settings: people and their roles (admin), your own API tokens (everyone), integrations with what to paste. */
export function Settings({ permissions, me }: { permissions: string[]; me?: { id: string } }) {
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      {permissions.includes('users:read') && <Users canWrite={permissions.includes('users:write')} />}
      {me && <Tokens userId={me.id} />}
      {permissions.includes('integrations:read') && <Integrations />}
    </section>
  );
}

function Users({ canWrite }: { canWrite: boolean }) {
  const [users, setUsers] = useState<User[]>([]);
  const [error, setError] = useState<string>();
  const [draft, setDraft] = useState({ email: '', name: '', role: 'agent' });
  const load = useCallback(async () => setUsers((await api<{ users: User[] }>('/users')).users), []);
  useEffect(() => void load().catch((failure: Error) => setError(failure.message)), [load]);
  const add = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    try {
      await api('/users', { method: 'POST', body: { email: draft.email, name: draft.name, roles: [draft.role] } });
      setDraft({ email: '', name: '', role: 'agent' });
      await load();
    } catch (failure) {
      setError((failure as Error).message);
    }
  };
  return (
    <>
      <h2>People</h2>
      {error && <p role="alert">{error}</p>}
      <table class="issues">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Roles</th>
            <th scope="col">Active</th>
          </tr>
        </thead>
        <tbody>
          {users.map((user) => (
            <tr key={user.id}>
              <td>{user.name}</td>
              <td>{user.email}</td>
              <td>{user.roles.join(', ')}</td>
              <td>{user.active ? 'yes' : 'deactivated'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {canWrite && (
        <form class="filters" onSubmit={add}>
          <label>
            Name
            <input
              required
              maxLength={200}
              value={draft.name}
              onInput={(event) => setDraft({ ...draft, name: event.currentTarget.value })}
            />
          </label>
          <label>
            Email
            <input
              required
              type="email"
              maxLength={254}
              value={draft.email}
              onInput={(event) => setDraft({ ...draft, email: event.currentTarget.value })}
            />
          </label>
          <label>
            Role
            <select value={draft.role} onChange={(event) => setDraft({ ...draft, role: event.currentTarget.value })}>
              {ROLES.map((role) => (
                <option key={role}>{role}</option>
              ))}
            </select>
          </label>
          <button type="submit">Add person</button>
        </form>
      )}
    </>
  );
}

function Tokens({ userId }: { userId: string }) {
  const [tokens, setTokens] = useState<Token[]>([]);
  const [name, setName] = useState('');
  const [shown, setShown] = useState<string>();
  const [error, setError] = useState<string>();
  const base = `/users/${encodeURIComponent(userId)}/tokens`;
  const load = useCallback(async () => setTokens((await api<{ tokens: Token[] }>(base)).tokens), [base]);
  useEffect(() => void load().catch((failure: Error) => setError(failure.message)), [load]);
  const create = async (event: Event) => {
    event.preventDefault();
    try {
      setShown((await api<{ token: string }>(base, { method: 'POST', body: { name } })).token);
      setName('');
      await load();
    } catch (failure) {
      setError((failure as Error).message);
    }
  };
  const revoke = async (token: Token) => {
    await api(`${base}/${encodeURIComponent(token.id)}`, { method: 'DELETE' });
    await load();
  };
  return (
    <>
      <h2>Your API tokens</h2>
      {error && <p role="alert">{error}</p>}
      {shown && (
        <p role="status">
          Your new token, shown this once: <code class="token">{shown}</code>
        </p>
      )}
      <ul>
        {tokens.map((token) => (
          <li key={token.id}>
            {token.name}: created {when(token.createdAt)}, {token.lastUsedAt ? `last used ${when(token.lastUsedAt)}` : 'never used'}
            {token.expiresAt ? `, expires ${when(token.expiresAt)}` : ''}{' '}
            <button type="button" onClick={() => void revoke(token)} aria-label={`Revoke the token ${token.name}`}>
              Revoke
            </button>
          </li>
        ))}
      </ul>
      <form class="filters" onSubmit={create}>
        <label>
          Token name
          <input required maxLength={100} value={name} onInput={(event) => setName(event.currentTarget.value)} />
        </label>
        <button type="submit">Create token</button>
      </form>
    </>
  );
}

function Integrations() {
  const [integrations, setIntegrations] = useState<Integration[]>([]);
  useEffect(() => void api<{ integrations: Integration[] }>('/integrations').then((answer) => setIntegrations(answer.integrations)), []);
  return (
    <>
      <h2>Integrations</h2>
      {integrations.length === 0 && <p>No integration configured yet (PUT /integrations/&lt;name&gt;).</p>}
      {integrations.map((integration) => (
        <div key={integration.name} class="action">
          <h3>
            {integration.name} ({integration.kind}){integration.secret ? '' : ' — no secret of its own'}
          </h3>
          <pre>{configFor(integration, location.origin)}</pre>
        </div>
      ))}
    </>
  );
}
