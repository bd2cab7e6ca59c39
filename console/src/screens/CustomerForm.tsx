import { useState } from 'preact/hooks';
import { ApiError, api } from '../api.ts';
import type { Customer } from '../types.ts';

type Person = { name: string; email: string; timezone?: string };
type Contact = Customer['contacts'][number];
const ROLES = ['technical', 'billing', 'management'] as const;
const TEAM = [
  ['teamLead', 'Team lead'],
  ['serviceManager', 'Service manager'],
  ['director', 'Director'],
] as const;

const blank = (): Customer => ({
  id: '',
  name: '',
  tier: 'silver',
  timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
  country: '',
  emailDomains: [],
  contacts: [{ name: '', email: '', roles: ['technical'] }],
  team: { teamLead: { name: '', email: '' }, serviceManager: { name: '', email: '' }, director: { name: '', email: '' } },
  policy: 'default',
});

/** The stored customer's facts, without what the server adds (version, history, dates). */
const factsOf = (customer: Customer): Customer => ({
  id: customer.id,
  name: customer.name,
  tier: customer.tier,
  timezone: customer.timezone,
  country: customer.country,
  emailDomains: customer.emailDomains,
  contacts: customer.contacts,
  team: customer.team,
  policy: customer.policy,
});

/**
 * Creates a customer (POST /customers) or edits one (PUT /customers/{id}). Each problem the API names
 * is shown beside its field (`contacts.0.email` under that contact's email); the rest above the button.
 */
export function CustomerForm({ editing, onSaved }: { editing?: Customer; onSaved: (customer: Customer) => void }) {
  const [customer, setCustomer] = useState<Customer>(() => (editing ? factsOf(editing) : blank()));
  const [domains, setDomains] = useState(() => customer.emailDomains.join(', '));
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string>();
  const set = (change: Partial<Customer>) => setCustomer((shown) => ({ ...shown, ...change }));
  const setContact = (index: number, change: Partial<Contact>) =>
    set({ contacts: customer.contacts.map((contact, at) => (at === index ? { ...contact, ...change } : contact)) });
  const setPerson = (role: keyof Customer['team'], change: Partial<Person>) =>
    set({ team: { ...customer.team, [role]: { ...customer.team[role], ...change } } });
  const problem = (field: string) =>
    problems[field] ? (
      <span class="field-problem" role="alert" data-field={field}>
        {problems[field]}
      </span>
    ) : null;

  const save = async (event: Event) => {
    event.preventDefault();
    setProblems({});
    setFailure(undefined);
    const body = {
      ...customer,
      emailDomains: domains
        .split(/[\s,]+/)
        .map((domain) => domain.trim())
        .filter(Boolean),
      team: Object.fromEntries(
        TEAM.map(([role]) => {
          const { timezone, ...person } = customer.team[role];
          return [role, timezone ? { ...person, timezone } : person];
        }),
      ),
    };
    try {
      const saved = editing
        ? await api<Customer>(`/customers/${encodeURIComponent(editing.id)}`, { method: 'PUT', body })
        : await api<Customer>('/customers', { method: 'POST', body });
      onSaved(saved);
    } catch (error) {
      const details =
        error instanceof ApiError && Array.isArray(error.details) ? (error.details as { field: string; problem: string }[]) : [];
      setProblems(Object.fromEntries(details.map((detail) => [detail.field, detail.problem])));
      setFailure((error as Error).message);
    }
  };

  return (
    <form class="customer-form" onSubmit={save} aria-label={editing ? `Edit ${editing.name}` : 'New customer'}>
      <fieldset>
        <legend>Customer</legend>
        <label>
          Id
          <input
            name="id"
            required
            maxLength={64}
            pattern="[A-Za-z0-9][A-Za-z0-9_\-]{0,63}"
            disabled={!!editing}
            value={customer.id}
            onInput={(event) => set({ id: event.currentTarget.value })}
          />
          {problem('id')}
        </label>
        <label>
          Name
          <input name="name" required maxLength={200} value={customer.name} onInput={(event) => set({ name: event.currentTarget.value })} />
          {problem('name')}
        </label>
        <label>
          Tier
          <select name="tier" value={customer.tier} onChange={(event) => set({ tier: event.currentTarget.value as Customer['tier'] })}>
            {['platinum', 'gold', 'silver', 'bronze'].map((tier) => (
              <option key={tier}>{tier}</option>
            ))}
          </select>
        </label>
        <label>
          Time zone (e.g. America/Sao_Paulo)
          <input
            name="timezone"
            required
            maxLength={64}
            value={customer.timezone}
            onInput={(event) => set({ timezone: event.currentTarget.value })}
          />
          {problem('timezone')}
        </label>
        <label>
          Country (two letters, e.g. BR)
          <input
            name="country"
            required
            maxLength={2}
            value={customer.country}
            onInput={(event) => set({ country: event.currentTarget.value.toUpperCase() })}
          />
          {problem('country')}
        </label>
        <label>
          Email domains (comma-separated)
          <input name="emailDomains" maxLength={5_000} value={domains} onInput={(event) => setDomains(event.currentTarget.value)} />
          {problem('emailDomains')}
        </label>
        <label>
          Policy
          <input
            name="policy"
            required
            maxLength={64}
            value={customer.policy}
            onInput={(event) => set({ policy: event.currentTarget.value })}
          />
          {problem('policy')}
        </label>
      </fieldset>
      <fieldset>
        <legend>Contacts</legend>
        {customer.contacts.map((contact, index) => (
          <div class="row" key={index}>
            <label>
              Name
              <input
                name={`contacts.${index}.name`}
                required
                maxLength={200}
                value={contact.name}
                onInput={(event) => setContact(index, { name: event.currentTarget.value })}
              />
              {problem(`contacts.${index}.name`)}
            </label>
            <label>
              Email
              <input
                name={`contacts.${index}.email`}
                type="email"
                required
                maxLength={254}
                value={contact.email}
                onInput={(event) => setContact(index, { email: event.currentTarget.value })}
              />
              {problem(`contacts.${index}.email`)}
            </label>
            {ROLES.map((role) => (
              <label key={role} class="inline">
                <input
                  type="checkbox"
                  checked={contact.roles.includes(role)}
                  onChange={(event) =>
                    setContact(index, {
                      roles: event.currentTarget.checked ? [...contact.roles, role] : contact.roles.filter((held) => held !== role),
                    })
                  }
                />
                {role}
              </label>
            ))}
            {problem(`contacts.${index}.roles`)}
            {customer.contacts.length > 1 && (
              <button type="button" onClick={() => set({ contacts: customer.contacts.filter((_, at) => at !== index) })}>
                Remove
              </button>
            )}
          </div>
        ))}
        {problem('contacts')}
        {customer.contacts.length < 25 && (
          <button type="button" onClick={() => set({ contacts: [...customer.contacts, { name: '', email: '', roles: ['technical'] }] })}>
            Add contact
          </button>
        )}
      </fieldset>
      <fieldset>
        <legend>Team</legend>
        {TEAM.map(([role, label]) => (
          <div class="row" key={role}>
            <label>
              {label}
              <input
                name={`team.${role}.name`}
                required
                maxLength={200}
                value={customer.team[role].name}
                onInput={(event) => setPerson(role, { name: event.currentTarget.value })}
              />
              {problem(`team.${role}.name`)}
            </label>
            <label>
              Email
              <input
                name={`team.${role}.email`}
                type="email"
                required
                maxLength={254}
                value={customer.team[role].email}
                onInput={(event) => setPerson(role, { email: event.currentTarget.value })}
              />
              {problem(`team.${role}.email`)}
            </label>
            <label>
              Time zone (optional)
              <input
                name={`team.${role}.timezone`}
                maxLength={64}
                value={customer.team[role].timezone ?? ''}
                onInput={(event) => setPerson(role, { timezone: event.currentTarget.value || undefined })}
              />
              {problem(`team.${role}.timezone`)}
            </label>
          </div>
        ))}
      </fieldset>
      {failure && <p role="alert">{failure}</p>}
      <button type="submit">{editing ? 'Save changes' : 'Create customer'}</button>
    </form>
  );
}
