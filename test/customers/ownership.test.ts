import { describe, expect, it } from 'vitest';
import { CustomerRepository } from '../../modules/customers/index.ts';
import { acme, ownAddresses, useRuntime } from '../support/runtime.ts';

const env = useRuntime();
const customer = (id: string, extra: Record<string, unknown> = {}) => ({
  ...acme,
  id,
  name: `Customer ${id}`,
  ...ownAddresses(id),
  ...extra,
});

describe('customers: an id, a domain and a contact address each belong to one customer', () => {
  it("claiming another customer's domain or contact is a 409 naming the owner, and stores nothing", async () => {
    const domain = await env.client.post('/customers', customer('taker', { emailDomains: ['acme.test'] }));
    expect([domain.status, domain.body.details]).toEqual([409, [{ field: 'emailDomains', problem: 'belongs to customer acme' }]]);
    const contact = await env.client.post(
      '/customers',
      customer('taker', { contacts: [{ name: 'Ann', email: 'ANN@acme.test', roles: ['technical'] }] }),
    );
    expect([contact.status, contact.body.details]).toEqual([409, [{ field: 'contacts', problem: 'belongs to customer acme' }]]);
    expect((await env.client.get('/customers/taker')).status).toBe(404);
    expect((await env.client.post('/customers', customer('taker'))).status).toBe(201);
  });

  it('POST creates (an existing id is a 409); PUT /customers/{id} replaces (404 for an unknown id, 400 for another id in the body)', async () => {
    const again = await env.client.post('/customers', acme);
    expect([again.status, again.body.error]).toEqual([409, 'customer acme exists already; PUT /customers/acme replaces it']);
    const replaced = await env.client.call('PUT', '/customers/acme', { ...acme, name: 'ACME Corporation' });
    expect(replaced.status).toBe(200);
    expect((await env.client.get('/customers/acme')).body.name).toBe('ACME Corporation');
    expect((await env.client.call('PUT', '/customers/nobody', { ...acme, id: 'nobody' })).status).toBe(404);
    expect((await env.client.call('PUT', '/customers/acme', { ...acme, id: 'other' })).status).toBe(400);
  });

  it('a domain a customer gives up can be claimed by another', async () => {
    expect((await env.client.call('PUT', '/customers/taker', customer('taker', { emailDomains: [] }))).status).toBe(200);
    expect((await env.client.post('/customers', customer('heir', { emailDomains: ['taker.test'] }))).status).toBe(201);
  });

  it('20 parallel creates of one id: one 201, the rest 409, never a 5xx', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => env.client.post('/customers', customer('rush'))));
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status !== 201 && status !== 409)).toEqual([]);
  });
});

describe('customers: concurrent changes', () => {
  it('ten parallel PUTs of one customer with different domains: each 200 or 409, and only the stored domains lead to it', async () => {
    expect((await env.client.post('/customers', customer('par'))).status).toBe(201);
    const domains = Array.from({ length: 10 }, (_, index) => `par${index}.test`);
    const answers = await Promise.all(
      domains.map((domain) => env.client.call('PUT', '/customers/par', customer('par', { emailDomains: [domain] }))),
    );
    expect(answers.every(({ status }) => status === 200 || status === 409)).toBe(true);
    const stored: string[] = (await env.client.get('/customers/par')).body.emailDomains;
    const repo = new CustomerRepository(env.runtime.store);
    const leading = [];
    for (const domain of domains) if ((await repo.customerBySender(`someone@${domain}`))?.id === 'par') leading.push(domain);
    expect(leading).toEqual(stored);
  });
});

describe('customers: the largest customer fits one transaction', () => {
  const many = (prefix: string, contacts: number, domains: number) => ({
    contacts: Array.from({ length: contacts }, (_, n) => ({ name: `C${n}`, email: `c${n}@${prefix}0.test`, roles: ['technical'] })),
    emailDomains: Array.from({ length: domains }, (_, n) => `${prefix}${n}.test`),
  });

  it('100 contacts are a 400 naming contacts and store nothing; 25 contacts and 20 domains, replaced by 25 and 20 others, are a 200', async () => {
    const tooMany = await env.client.post('/customers', customer('big', many('big', 100, 1)));
    expect([tooMany.status, tooMany.body.details?.[0]?.field]).toEqual([400, 'contacts']);
    expect((await env.client.get('/customers/big')).status).toBe(404);
    expect((await env.client.post('/customers', customer('big', many('big', 25, 20)))).status).toBe(201);
    const replaced = await env.client.call('PUT', '/customers/big', customer('big', many('huge', 25, 20)));
    expect(replaced.status).toBe(200);
    const repo = new CustomerRepository(env.runtime.store);
    expect((await repo.customerBySender('c3@huge0.test'))?.id).toBe('big');
    expect(await repo.customerBySender('c3@big0.test')).toBeUndefined();
  });

  it('a contact name over 200 characters or an address over 254 is a 400 naming the field', async () => {
    const longName = await env.client.post(
      '/customers',
      customer('longname', { contacts: [{ name: 'N'.repeat(201), email: 'a@longname.test', roles: ['technical'] }] }),
    );
    expect([longName.status, longName.body.details?.[0]?.field]).toEqual([400, 'contacts.0.name']);
    const longAddress = await env.client.post(
      '/customers',
      customer('longname', {
        contacts: [
          {
            name: 'N',
            email: `${'a'.repeat(64)}@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(10)}.test`,
            roles: ['technical'],
          },
        ],
      }),
    );
    expect([longAddress.status, longAddress.body.details?.[0]?.field]).toEqual([400, 'contacts.0.email']);
  });
});

describe('GET /customers', () => {
  it('pages through every customer by id: limit and after, next until the last page; a bad limit is a 400', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 20; page++) {
      const answer = await env.client.get(`/customers?limit=2${after ? `&after=${after}` : ''}`);
      expect(answer.status).toBe(200);
      expect(answer.body.customers.length).toBeLessThanOrEqual(2);
      seen.push(...answer.body.customers.map((customer: { id: string }) => customer.id));
      after = answer.body.next;
      if (!after) break;
    }
    expect(seen).toEqual([...seen].sort());
    expect(seen).toEqual(expect.arrayContaining(['acme', 'big', 'heir', 'par', 'rush', 'taker']));
    expect(new Set(seen).size).toBe(seen.length);
    const first = (await env.client.get('/customers')).body.customers[0];
    expect(first).toMatchObject({ id: seen[0], name: expect.any(String), contacts: expect.any(Array) });
    expect(first).not.toHaveProperty('gsi3pk');
    for (const limit of ['0', '201', 'x', '1.5'])
      expect([limit, (await env.client.get(`/customers?limit=${limit}`)).status]).toEqual([limit, 400]);
  });

  it('searches ids and names (any case) a page at a time; an empty or over-long q is a 400', async () => {
    const ids = async (path: string) => (await env.client.get(path)).body.customers.map((customer: { id: string }) => customer.id);
    expect(await ids('/customers?q=ACME')).toEqual(['acme']); // by name "ACME Corp" and id
    const all = await ids('/customers?limit=200');
    const withA = all.filter((id: string) => id.includes('a'));
    const first = await env.client.get('/customers?q=a&limit=1');
    expect(first.body.customers.map((customer: { id: string }) => customer.id)).toEqual(withA.slice(0, 1));
    expect(first.body.next).toBe(withA[0]);
    expect(await ids(`/customers?q=a&limit=200&after=${first.body.next}`)).toEqual(withA.slice(1));
    for (const q of ['', '%20', 'x'.repeat(201)]) expect([q, (await env.client.get(`/customers?q=${q}`)).status]).toEqual([q, 400]);
  });
});
