import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, problemsOf } from '../api.ts';
import { when } from '../format.ts';
import { Policies } from './Policies.tsx';

interface User {
  id: string;
  email: string;
  name: string;
  roles: string[];
  active: boolean;
  timezone?: string;
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

const KINDS = ['alertmanager', 'grafana', 'pagerduty', 'datadog', 'generic'] as const;
const SEVERITIES = ['sev1', 'sev2', 'sev3', 'sev4'] as const;

/** Where each kind of sender posts, and what to paste into it; with the secret when it was just made (shown once). */
export function configFor(integration: Integration, origin: string, made?: { secret: string; routingKey?: string }): string {
  const path = integration.kind === 'pagerduty' ? '/v2/enqueue' : `/webhooks/${integration.kind}`;
  const url = `${origin}${path}${integration.name === integration.kind ? '' : `?integration=${encodeURIComponent(integration.name)}`}`;
  const secret = made?.secret ?? "<the integration's secret>";
  const label = integration.customerLabel;
  switch (integration.kind) {
    case 'alertmanager':
      return `# alertmanager.yml
receivers:
  - name: steward
    webhook_configs:
      - url: ${url}
        send_resolved: true
        http_config:
          authorization:
            credentials: ${secret}
# label each alert with ${label}: <customer id>`;
    case 'grafana':
      return `# Grafana provisioning: alerting/steward.yaml
apiVersion: 1
contactPoints:
  - orgId: 1
    name: steward
    receivers:
      - uid: steward
        type: webhook
        settings:
          url: ${url}
          httpMethod: POST
          authorization_scheme: Bearer
          authorization_credentials: ${secret}
# label each alert rule with ${label}: <customer id>`;
    case 'pagerduty':
      return `# Any PagerDuty Events v2 sender: point its events URL here, with this routing key
events URL: ${url}
routing_key: ${made?.routingKey ?? "<the integration's routing key>"}
# put the customer id in payload.custom_details.${label}`;
    case 'datadog':
      return `# Datadog → Integrations → Webhooks → New
URL: ${url}
Custom headers: {"Authorization": "Bearer ${secret}"}
# tag each monitor with ${label}:<customer id>`;
    default:
      return `# Standard Webhooks sender (webhook-id, webhook-timestamp, webhook-signature)
URL: ${url}
Signing secret: ${secret}
# put the customer id in "${label}"`;
  }
}

/** A random secret for a new integration, in the form its kind's sender expects. */
function newSecret(kind: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  const base64 = btoa(String.fromCharCode(...bytes));
  return kind === 'generic' ? `whsec_${base64}` : base64.replaceAll('+', '-').replaceAll('/', '_');
}

/** Settings: people and their roles (admin), your own API tokens (everyone), integrations with what to paste. */
export function Settings({ permissions, me }: { permissions: string[]; me?: { id: string } }) {
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      {permissions.includes('users:read') && <Users canWrite={permissions.includes('users:write')} />}
      {me && <Tokens userId={me.id} />}
      {permissions.includes('policies:read') && <Policies canWrite={permissions.includes('policies:write')} />}
      {permissions.includes('integrations:read') && <Integrations canWrite={permissions.includes('integrations:write')} />}
    </section>
  );
}

function Users({ canWrite }: { canWrite: boolean }) {
  const [users, setUsers] = useState<User[]>([]);
  const [error, setError] = useState<string>();
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const [draft, setDraft] = useState({ email: '', name: '', role: 'agent', timezone: browserZone });
  const load = useCallback(async () => setUsers((await api<{ users: User[] }>('/users')).users), []);
  useEffect(() => void load().catch((failure: Error) => setError(failure.message)), [load]);
  const add = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    try {
      await api('/users', {
        method: 'POST',
        body: { email: draft.email, name: draft.name, roles: [draft.role], ...(draft.timezone ? { timezone: draft.timezone } : {}) },
      });
      setDraft({ email: '', name: '', role: 'agent', timezone: browserZone });
      await load();
    } catch (failure) {
      setError(problemsOf(failure));
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
            <th scope="col">Time zone</th>
            <th scope="col">Active</th>
          </tr>
        </thead>
        <tbody>
          {users.map((user) => (
            <tr key={user.id}>
              <td>{user.name}</td>
              <td>{user.email}</td>
              <td>{user.roles.join(', ')}</td>
              <td>{user.timezone ?? '—'}</td>
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
          <label>
            Time zone (their emails and screens)
            <input
              required
              maxLength={64}
              value={draft.timezone}
              onInput={(event) => setDraft({ ...draft, timezone: event.currentTarget.value })}
            />
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

function Integrations({ canWrite }: { canWrite: boolean }) {
  const [integrations, setIntegrations] = useState<Integration[]>([]);
  const [draft, setDraft] = useState({ name: '', kind: 'alertmanager', customerLabel: 'customer', defaultSeverity: 'sev3' });
  const [made, setMade] = useState<{ integration: Integration; secret: string; routingKey?: string }>();
  const [error, setError] = useState<string>();
  const load = useCallback(async () => setIntegrations((await api<{ integrations: Integration[] }>('/integrations')).integrations), []);
  useEffect(() => void load(), [load]);
  const save = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    const secret = newSecret(draft.kind);
    const routingKey = draft.kind === 'pagerduty' ? newSecret('pagerduty').replace(/[-_]/g, '').slice(0, 32) : undefined;
    try {
      const { name, ...body } = draft;
      const stored = await api<Integration>(`/integrations/${encodeURIComponent(name)}`, {
        method: 'PUT',
        body: { ...body, secret, ...(routingKey ? { routingKey } : {}) },
      });
      setMade({ integration: stored, secret, routingKey });
      await load();
    } catch (failure) {
      setError(problemsOf(failure));
    }
  };
  const remove = async (name: string) => {
    if (!confirm(`Delete the integration ${name}? Its sender's secret stops working at once.`)) return;
    setError(undefined);
    try {
      await api(`/integrations/${encodeURIComponent(name)}`, { method: 'DELETE' });
      await load();
    } catch (failure) {
      setError(problemsOf(failure));
    }
  };
  return (
    <>
      <h2>Integrations</h2>
      {integrations.length === 0 && <p>No integration configured yet.</p>}
      {integrations.map((integration) => (
        <div key={integration.name} class="action">
          <h3>
            {integration.name} ({integration.kind}){integration.secret ? '' : ' — no secret of its own'}
          </h3>
          <pre>{configFor(integration, location.origin)}</pre>
          {canWrite && (
            <button type="button" class="secondary" onClick={() => void remove(integration.name)}>
              Delete {integration.name}
            </button>
          )}
        </div>
      ))}
      {canWrite && (
        <form class="action" onSubmit={save} aria-labelledby="integration-form-title">
          <h3 id="integration-form-title">Add or replace an integration</h3>
          <p>Saving makes a new secret: a sender configured with the old one must be given the new configuration.</p>
          <label>
            Integration name
            <input
              required
              pattern="[a-z0-9][a-z0-9\-]{0,63}"
              value={draft.name}
              onInput={(event) => setDraft({ ...draft, name: event.currentTarget.value })}
            />
          </label>
          <label>
            Sender
            <select value={draft.kind} onChange={(event) => setDraft({ ...draft, kind: event.currentTarget.value })}>
              {KINDS.map((kind) => (
                <option key={kind}>{kind}</option>
              ))}
            </select>
          </label>
          <label>
            Label naming the customer
            <input
              required
              maxLength={200}
              value={draft.customerLabel}
              onInput={(event) => setDraft({ ...draft, customerLabel: event.currentTarget.value })}
            />
          </label>
          <label>
            Severity when the alert names none
            <select value={draft.defaultSeverity} onChange={(event) => setDraft({ ...draft, defaultSeverity: event.currentTarget.value })}>
              {SEVERITIES.map((severity) => (
                <option key={severity}>{severity}</option>
              ))}
            </select>
          </label>
          <button type="submit">Save with a new secret</button>
          {error && <p role="alert">{error}</p>}
        </form>
      )}
      {made && (
        <div class="action" role="status" aria-label="New integration configuration">
          <h3>{made.integration.name}: paste this now (the secret is not shown again)</h3>
          <pre>{configFor(made.integration, location.origin, made)}</pre>
        </div>
      )}
    </>
  );
}
