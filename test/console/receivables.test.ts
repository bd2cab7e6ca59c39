import { DateTime } from 'luxon';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../modules/policies/index.ts';
import { browserClient, screenshot, seriousAccessibilityFindings, signInOnPage, useConsole } from '../support/browser.ts';
import { acme, api, invoiceInput } from '../support/runtime.ts';

const chromium = browserClient();
const berlin = (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/Berlin' }).toUTC().toISO()!;

describe.skipIf(!chromium.available)(
  `the console's receivables in a real browser${chromium.available ? '' : ` (skipped: ${chromium.reason})`}`,
  () => {
    const env = useConsole(async (runtime) => {
      const client = api(runtime);
      // A policy whose only dunning step is the suspension (it needs a service manager's approval).
      const { name: _name, version: _version, ...body } = defaultPolicy;
      await client.call('PUT', '/policies/suspension-only', {
        ...body,
        dunning: { ...body.dunning, steps: body.dunning.steps.filter((step) => step.approval) },
      });
      const customer = { ...acme, id: 'sus-a', name: 'Customer sus-a', emailDomains: ['sus-a.test'], policy: 'suspension-only' };
      customer.contacts = [{ name: 'Pay', email: 'pay@sus-a.test', roles: ['billing'] }];
      expect((await client.post('/customers', customer)).status).toBe(201);
      expect((await client.post('/invoices', invoiceInput('sus-a-1', 'sus-a', '2026-12-01', 900))).status).toBe(201);
      await client.moveTo(berlin('2026-12-31T12:00'));
    });
    beforeAll(async () => {
      await env.page.goto(`${env.runtime.urls.api}/console/receivables`);
      await signInOnPage(env.page);
      await env.page.waitForURL(`${env.runtime.urls.api}/console/receivables`);
    });

    it('approves a suspension waiting for an answer; the proposal names who approved it', async () => {
      const { page, runtime } = env;
      const approve = page.getByRole('button', { name: 'Approve the suspension of Customer sus-a' });
      await approve.waitFor();
      expect(await seriousAccessibilityFindings(page)).toEqual([]);
      await screenshot(page, 'receivables');
      await expect.poll(() => page.getByText('suspension to answer').count()).toBe(1); // the worklist says so too
      await approve.click();
      await expect.poll(() => page.getByRole('status').first().textContent()).toBe('Approved: the suspension of Customer sus-a.');
      await expect.poll(() => page.getByText('None waiting.').count()).toBe(1);
      await expect.poll(() => page.getByText('suspension to answer').count()).toBe(0);
      const dunning = (await api(runtime).get('/customers/sus-a/dunning')).body;
      expect(dunning.suspension.proposal).toMatchObject({ state: 'approved', by: { kind: 'user', name: 'Admin' } });
    });

    it('the worklist shows who owes what and what they get next; an aging figure opens its invoices; both export as CSV', async () => {
      const { page } = env;
      await page.reload();
      const worklist = page.getByRole('table', { name: /^Dunning worklist/ });
      const row = worklist.getByRole('row').filter({ hasText: 'Customer sus-a' });
      await expect.poll(() => row.textContent()).toContain('€900.00 (1, 30 d)');
      const saved = async (button: string) => {
        const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
        const stream = (await download.createReadStream()) as unknown as ReadableStream;
        return { name: download.suggestedFilename(), lines: (await new Response(stream).text()).trim().split('\r\n') };
      };
      const exported = await saved('Export the worklist as CSV');
      expect(exported.name).toBe('steward-dunning-worklist.csv');
      expect(exported.lines[0]).toBe('customer id,customer,past due,last step,last sent,next step,next at,promises,disputes');
      // Quoted where a cell holds a comma; nothing sent yet, the suspension (approved above) is next.
      expect(exported.lines[1]).toMatch(/^sus-a,Customer sus-a,"€900\.00 \(1, 30 d\)",,,suspension,2027-01-04T08:00:00\.000Z,,$/);

      await page.getByRole('button', { name: '€900.00: the invoices 1-30 days past due' }).click();
      const invoices = page.getByRole('table', { name: 'Invoices 1-30 days past due, EUR (1)' });
      await expect.poll(() => invoices.getByRole('row').count()).toBe(2);
      expect(await invoices.textContent()).toContain('sus-a-1');
      expect(await seriousAccessibilityFindings(page)).toEqual([]);
      await screenshot(page, 'receivables-worklist');
      const aged = await saved('Export these invoices as CSV');
      expect(aged.name).toBe('steward-invoices-1-30-EUR.csv');
      expect(aged.lines).toEqual([
        'invoice,customer,issue date,due date,currency,amount,balance,dispute,promise date',
        'sus-a-1,sus-a,2026-11-01,2026-12-01,EUR,900,900,,',
      ]);
    });

    it('imports a CSV: a file with errors is refused line by line with nothing imported; the corrected file imports', async () => {
      const { page, runtime } = env;
      const header = 'invoice_number,customer_id,issue_date,due_date,currency,amount,amount_paid';
      const good = 'CSV-1,acme,2026-12-01,2026-12-31,EUR,120.00,0';
      const bad = 'CSV-2,acme,2026-12-01,31/12/2026,EUR,lots,0';
      const field = page.getByLabel(/^CSV:/);
      await field.fill([header, good, bad].join('\n'));
      await page.getByRole('button', { name: 'Import' }).click();
      const problems = page.locator('table.problems tbody tr');
      await expect.poll(() => problems.count()).toBeGreaterThanOrEqual(1);
      const lines = await problems.locator('td:first-child').allTextContents();
      expect(new Set(lines)).toEqual(new Set(['3']));
      expect(await page.locator('table.problems').textContent()).toMatch(/due_date|amount/);
      expect(await seriousAccessibilityFindings(page)).toEqual([]);
      await screenshot(page, 'receivables-import-errors');
      expect((await api(runtime).get('/invoices/CSV-1')).status).toBe(404);

      await field.fill([header, good].join('\n'));
      await page.getByRole('button', { name: 'Import' }).click();
      await expect.poll(() => page.locator('form.import [role=status]').textContent()).toBe('Imported 1 rows: 1 new invoices, 0 updated.');
      expect((await api(runtime).get('/invoices/CSV-1')).status).toBe(200);
    });
  },
);
