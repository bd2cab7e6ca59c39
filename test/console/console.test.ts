import { describe, expect, it } from 'vitest';
import { acme, alertmanagerAlert, api, inbox, invoiceInput } from '../support/runtime.ts';
import { addSignInAccount } from '../support/sign-in.ts';
import { browserClient, CONSOLE_ADMIN, screenshot, seriousAccessibilityFindings, signInOnPage, useConsole } from '../support/browser.ts';

const chromium = browserClient();
const ADMIN = CONSOLE_ADMIN;

describe.skipIf(!chromium.available)(`the console in a real browser${chromium.available ? '' : ` (skipped: ${chromium.reason})`}`, () => {
  const env = useConsole();
  it('signs in: / leads to the console, the console to the sign-in page, and back to the screen asked for', async () => {
    const { page, runtime } = env;
    await page.goto(`${runtime.urls.api}/`);
    await page.waitForURL(/\/oidc\/interaction\//);
    expect(await seriousAccessibilityFindings(page)).toEqual([]);
    await screenshot(page, 'sign-in');
    await page.getByLabel('Email address').fill(ADMIN.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('do not match');
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${runtime.urls.api}/console/`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Now');
    await expect.poll(() => page.locator('.who').textContent()).toContain('admin');
  });

  it('works an issue from Now to closed; the customer emails arrive in the SES inbox', async () => {
    const { page, runtime } = env;
    const opened = await api(runtime).post('/issues', { customerId: 'acme', title: 'Checkout fails', severity: 'sev2', description: 'x' });
    const id = opened.body.id as string;
    await runtime.tracker.idle();
    await page.reload();
    const row = page.getByRole('row').filter({ hasText: id });
    await expect.poll(() => row.textContent()).toContain('Acknowledge in');
    expect(await seriousAccessibilityFindings(page)).toEqual([]);
    await screenshot(page, 'now');
    // The severity filter asks the server (not only the page shown); the export holds every open issue it selects.
    await page.getByLabel('Severity').selectOption('sev1');
    await expect.poll(() => row.count()).toBe(0);
    await page.getByLabel('Severity').selectOption('sev2');
    await expect.poll(() => row.count()).toBe(1);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: /^Export all \d+ as CSV$/ }).click(),
    ]);
    const exported = await new Response((await download.createReadStream()) as unknown as ReadableStream).text();
    expect(exported).toMatch(new RegExp(`\\r\\nacknowledgement,2026-11-02T[^,]+,false,${id},Checkout fails,acme,sev2,open,,0,`));
    await page.getByLabel('Severity').selectOption('');

    await row.getByRole('link', { name: id }).click();
    await page.waitForURL(`${runtime.urls.api}/console/issues/${id}`);
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Acknowledged.');
    await page.getByLabel('Message to the customer').fill('We found the faulty payment node and are replacing it.');
    // Times are typed in the signed-in person's zone (the admin has none: the browser's), and it says which.
    expect(await page.getByLabel('Next update by').locator('xpath=..').textContent()).toContain('(Europe/Berlin)');
    await page.getByLabel('Next update by').fill('2026-11-02T11:00');
    await page.getByRole('button', { name: 'Preview the email' }).click();
    const preview = page.getByRole('article', { name: 'Preview of the customer email' });
    await expect.poll(() => preview.textContent()).toContain(`Subject: [${id}] Update: Checkout fails`);
    expect(await preview.textContent()).toContain('To: ann@acme.test');
    expect(await preview.textContent()).toContain('We found the faulty payment node and are replacing it.');
    expect(await preview.textContent()).toContain('Times you typed are in Europe/Berlin: next update 2 Nov 2026, 11:00');
    expect(await preview.textContent()).toContain('Next update by Mon 2 Nov 2026, 11:00 CET'); // acme is in Berlin too
    await page.getByRole('button', { name: 'Send update' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Update recorded');
    await runtime.tracker.idle();
    await page.getByLabel('New ETR').fill('2026-11-02T15:00');
    await page.getByLabel('Why it moved').fill('the spare node arrives at 14:00');
    await page.getByRole('button', { name: 'Set ETR' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('ETR set.');
    await runtime.tracker.idle();
    await page.reload();
    // The ladder names the customer's people; the timeline shows each email with its recipients and text.
    const ladder = page.getByRole('table', { name: 'Escalation ladder' });
    await expect.poll(() => ladder.getByRole('row').count()).toBe(4);
    expect(await ladder.textContent()).toContain('Tina Lead');
    const sentUpdate = page.locator('.timeline li').filter({ hasText: `[${id}] Update: Checkout fails` });
    expect(await sentUpdate.textContent()).toContain('ann@acme.test');
    await sentUpdate.getByText('Text of the email').click();
    expect(await sentUpdate.locator('pre').textContent()).toContain('We found the faulty payment node and are replacing it.');
    expect(await seriousAccessibilityFindings(page)).toEqual([]);
    await screenshot(page, 'issue');

    await page.getByLabel('Reason for outage (RFO)').fill('A payment node ran out of disk; it was replaced and disks are now alarmed.');
    await page.getByRole('button', { name: 'Resolve' }).click();
    await expect.poll(() => page.locator('.facts').textContent()).toContain('resolved');
    await page.getByLabel('Revised reason for outage (sent to the customer)').fill('A payment node ran out of disk (log rotation failed).');
    await page.getByRole('button', { name: 'Revise RFO' }).click();
    await expect.poll(() => page.locator('.facts').textContent()).toContain('log rotation failed');
    await page.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => page.locator('.facts').textContent()).toContain('closed');
    await runtime.tracker.idle();

    const issue = (await api(runtime).get(`/issues/${id}`)).body;
    expect(issue.status).toBe('closed');
    const worked = ['acknowledge', 'update', 'set-etr', 'resolve', 'revise-rfo', 'close'];
    const signedIn = issue.timeline.filter((entry: { type: string }) => worked.includes(entry.type));
    expect(
      signedIn.map((entry: { type: string; by?: { kind: string; name: string } }) => [entry.type, entry.by?.kind, entry.by?.name]),
    ).toEqual(worked.map((type) => [type, 'user', 'Admin']));
    expect(issue.etr).toBe('2026-11-02T14:00:00.000Z'); // the browser's zone is Berlin
    const subjects = (await inbox(runtime)).filter((email) => email.subject.includes(`[${id}]`)).map((email) => email.subject);
    expect(subjects.some((subject) => /update/i.test(subject))).toBe(true);
    expect(subjects.some((subject) => /resolved/i.test(subject))).toBe(true);
  });

  it('KPIs: a chart and a table of the last 8 weeks with the change from the week before, by team; the AR trend; exported as CSV', async () => {
    const { page, runtime } = env;
    // An invoice paid in full: the AR trend has a currency to show, and acme's balance is unchanged.
    expect((await api(runtime).post('/invoices', { ...invoiceInput('K-1', 'acme', '2026-11-20', 100), amountPaid: 100 })).status).toBe(201);
    await page.getByRole('navigation').getByRole('link', { name: 'KPIs' }).click();
    await page.waitForURL(`${runtime.urls.api}/console/kpis`);
    await page.locator('.chart canvas').first().waitFor();
    const rows = page.getByRole('table', { name: 'By week, with the change from the week before' }).locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(8);
    // This week: the issue worked above, acknowledged and resolved on the runtime's clock.
    expect(await rows.last().textContent()).toMatch(/^.+?1\s/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('steward-kpis-by-week.csv');
    const text = await new Response(await download.createReadStream().then((stream) => stream as unknown as ReadableStream)).text();
    const lines = text.trim().split('\r\n');
    expect(lines[0]).toBe(
      'week from,week to,Issues opened,MTTA (min),MTTR (min),SLA met (%),Updates on time (%),Longest silence (min),First ETR met (%),RFOs accepted,Escalated by customer (%),Reopened (%)',
    );
    expect(lines).toHaveLength(9);
    expect(lines[8].split(',')[2]).toBe('1');

    // Scoped to acme's team (its team lead's): the issues worked above still count.
    await page.getByLabel('Team').selectOption({ label: 'Tina Lead' });
    await expect.poll(() => page.locator('.lead').first().textContent()).toContain('team of tina@provider.test');
    expect(await rows.last().textContent()).toMatch(/^.+?[1-9]\s/);
    await page.getByLabel('Chart').selectOption({ label: 'SLA met' });
    expect(await page.getByRole('img', { name: /^SLA met by week/ }).count()).toBe(1);

    const ar = page.getByRole('table', { name: 'Receivables: DSO and CEI by week' });
    await expect.poll(() => ar.locator('tbody tr').count()).toBe(8);
    expect(await ar.locator('thead').textContent()).toContain('DSO EUR');
    expect(await seriousAccessibilityFindings(page)).toEqual([]);
    await screenshot(page, 'kpis');
  });

  it('Customer: contacts, team, open issues, invoices with the balance, dunning; reached from an issue', async () => {
    const { page, runtime } = env;
    const client = api(runtime);
    expect((await client.post('/invoices', invoiceInput('C-1', 'acme', '2026-11-20', 250))).status).toBe(201);
    const opened = await client.post('/issues', { customerId: 'acme', title: 'Slow VPN', severity: 'sev3', description: 'x' });
    // A service an alert names: the Customer screen shows it in outage, with the alert's issue.
    const gateway = {
      name: 'VPN gateway',
      kind: 'device',
      model: 'ASR 1001-X',
      site: 'Lisbon DC',
      match: { labels: { instance: 'vpn-gw-1' } },
    };
    expect((await client.call('PUT', '/customers/acme/services/vpn-gw-1', gateway)).status).toBe(201);
    expect((await client.call('PUT', '/customers/acme/services/lis-uplink', { name: 'Lisbon uplink', kind: 'circuit' })).status).toBe(201);
    const alerted = await fetch(`${runtime.urls.api}/webhooks/alertmanager`, {
      method: 'POST',
      headers: { authorization: `Bearer ${runtime.apiToken}`, 'content-type': 'application/json' },
      body: alertmanagerAlert('console-vpn', { alertname: 'VpnDown', severity: 'critical', instance: 'vpn-gw-1' }),
    });
    const outageId = ((await alerted.json()) as { alerts: { issueId: string }[] }).alerts[0].issueId;
    await runtime.tracker.idle();
    await page.goto(`${runtime.urls.api}/console/issues/${opened.body.id}`);
    await page.locator('.facts').getByRole('link', { name: 'acme' }).click();
    await page.waitForURL(`${runtime.urls.api}/console/customers/acme`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(acme.name);
    const text = () => page.locator('main').textContent();
    await expect.poll(text).toContain('€250.00');
    expect(await text()).toContain('ann@acme.test');
    expect(await text()).toContain(opened.body.id);
    expect(await text()).toContain('Sam Manager');
    const services = page.getByRole('table', { name: 'Services and how they stand' });
    const rows = services.getByRole('row');
    expect(await rows.count()).toBe(3);
    expect((await rows.nth(1).textContent())?.replace(/\s+/g, ' ')).toBe('Lisbon uplinkcircuitoperational');
    expect(await rows.nth(2).textContent()).toBe(`VPN gateway (ASR 1001-X)deviceLisbon DCoutage ${outageId}`);
    // History across modules: every issue (closed ones too) and every email, each list exported as CSV.
    const emails = page.getByRole('table', { name: 'Emails' });
    expect(await emails.textContent()).toContain(`[${opened.body.id}] We are working on: Slow VPN`);
    const issues = page.getByRole('table', { name: 'Issues' });
    expect(await issues.getByRole('row').count()).toBeGreaterThanOrEqual(3); // Checkout fails (closed), Slow VPN, the heading
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export issues as CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('steward-acme-issues.csv');
    const csv = await new Response((await download.createReadStream()) as unknown as ReadableStream).text();
    expect(csv.split('\r\n')[0]).toBe('Issue,Title,Severity,Status,Opened,Resolved');
    expect(csv).toMatch(/\r\nISS-\d+,Checkout fails,sev2,closed,2026-11-02T/);
    expect(await seriousAccessibilityFindings(page)).toEqual([]);
    await screenshot(page, 'customer');
    expect((await client.post(`/issues/${outageId}/events`, { type: 'close' })).status).toBe(202);
    await runtime.tracker.idle();
  });

  it('Customer: long lists come a page at a time from the server; More loads the next page until there is none', async () => {
    const { page, runtime } = env;
    const client = api(runtime);
    expect(
      (
        await client.post('/customers', {
          ...acme,
          id: 'many',
          name: 'Many Ltd',
          emailDomains: [],
          contacts: [{ ...acme.contacts[0], email: 'ann@many.test' }],
        })
      ).status,
    ).toBe(201);
    const rows = Array.from({ length: 205 }, (_, n) => `M-${String(n).padStart(3, '0')},many,2026-11-01,2027-03-01,EUR,10.00,0`);
    const imported = await fetch(`${runtime.urls.api}/invoices/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${runtime.apiToken}`, 'content-type': 'text/csv' },
      body: ['invoice_number,customer_id,issue_date,due_date,currency,amount,amount_paid', ...rows].join('\n'),
    });
    expect(imported.status, await imported.text()).toBeLessThan(300);
    for (let start = 0; start < 101; start += 10)
      await Promise.all(
        Array.from({ length: Math.min(10, 101 - start) }, (_, n) =>
          client.post('/issues', { customerId: 'many', title: `Blip ${start + n}`, severity: 'sev4', description: 'x' }),
        ),
      );
    await runtime.tracker.idle();
    await expect.poll(async () => (await client.get('/invoices?customerId=many')).body.invoices.length, { timeout: 60_000 }).toBe(205);

    await page.goto(`${runtime.urls.api}/console/customers/many`);
    const invoices = page.getByRole('table', { name: 'Invoices' });
    // 205 invoices and 101 issues in one screen: on a loaded machine it takes more than the default 5 s.
    await expect.poll(() => invoices.locator('tbody tr').count(), { timeout: 30_000 }).toBe(200);
    expect(await page.locator('main').textContent()).toContain('€2,000.00 (of the 200 invoices shown)');
    await page.getByRole('button', { name: 'More invoices' }).click();
    await expect.poll(() => invoices.locator('tbody tr').count()).toBe(205);
    expect(await page.getByRole('button', { name: 'More invoices' }).count()).toBe(0);
    expect(await page.locator('main').textContent()).toContain('€2,050.00');

    const issues = page.getByRole('table', { name: 'Issues' });
    expect(await issues.locator('tbody tr').count()).toBe(100);
    await page.getByRole('button', { name: 'More issues' }).click();
    await expect.poll(() => issues.locator('tbody tr').count()).toBe(101);
    expect(await issues.locator('tbody tr').last().textContent()).toContain('Blip');
    const ids = await issues.locator('tbody tr td:first-child').allTextContents();
    expect(new Set(ids).size).toBe(101);
    expect(await page.getByRole('button', { name: 'More issues' }).count()).toBe(0);
    expect(await seriousAccessibilityFindings(page)).toEqual([]);
  });

  it('Issue: a long timeline shows its newest entries; Earlier entries loads the older ones from the server', async () => {
    const { page, runtime } = env;
    const client = api(runtime);
    const { id } = (await client.post('/issues', { customerId: 'acme', title: 'Chatty alert', severity: 'sev4', description: 'x' })).body;
    for (let n = 0; n < 220; n++)
      expect((await client.post(`/issues/${id}/events`, { type: 'note', message: `Note ${n}`, eventId: `n-${n}` })).status).toBe(202);
    await runtime.tracker.idle();
    const total = async () => {
      let count = 0;
      let after: string | undefined = '';
      while (after !== undefined) {
        const answer = await client.get(`/issues/${id}/timeline?limit=500${after ? `&after=${encodeURIComponent(after)}` : ''}`);
        count += answer.body.timeline.length;
        after = answer.body.next;
      }
      return count;
    };
    const entries = await total();
    expect(entries).toBe(222); // opened, the acknowledgement email, 220 notes
    await page.goto(`${runtime.urls.api}/console/issues/${id}`);
    const timeline = page.locator('ol.timeline > li');
    await expect.poll(() => timeline.count()).toBe(200);
    expect(await timeline.last().textContent()).toContain('Note 219');
    await page.getByRole('button', { name: 'Earlier entries' }).click();
    await expect.poll(() => timeline.count()).toBe(entries);
    // The oldest two (one instant): the opening and its acknowledgement email.
    expect(`${await timeline.nth(0).textContent()} ${await timeline.nth(1).textContent()}`).toContain('opened');
    expect(await page.getByRole('button', { name: 'Earlier entries' }).count()).toBe(0);
  });

  it('Settings: adds a person with a role, makes a personal token shown once that works, revokes it; shows what to paste into Alertmanager', async () => {
    const { page, runtime } = env;
    await api(runtime).call('PUT', '/integrations/alertmanager', { kind: 'alertmanager', secret: 'am-secret-0123456789abcdef' });
    await page.goto(`${runtime.urls.api}/console/settings`);
    await page.getByLabel('Name', { exact: true }).fill('Ada Agent');
    await page.getByLabel('Email', { exact: true }).fill('ada@provider.test');
    await page.getByLabel('Role').selectOption('agent');
    // The time zone starts as the browser's (Berlin) and is the person's own to set.
    expect(await page.getByLabel('Time zone (their emails and screens)').inputValue()).toBe('Europe/Berlin');
    await page.getByLabel('Time zone (their emails and screens)').fill('Asia/Tokyo');
    await page.getByRole('button', { name: 'Add person' }).click();
    await expect.poll(() => page.getByRole('row').filter({ hasText: 'ada@provider.test' }).textContent()).toContain('agent');
    expect(await page.getByRole('row').filter({ hasText: 'ada@provider.test' }).textContent()).toContain('Asia/Tokyo');

    await page.getByLabel('Token name').fill('deploy script');
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = (await page.locator('code.token').textContent())!;
    expect(token).toMatch(/^stw\./);
    const call = () => fetch(`${runtime.urls.api}/issues`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
    expect(await call()).toBe(200);
    expect(await page.locator('pre').first().textContent()).toContain(`url: ${runtime.urls.api}/webhooks/alertmanager`);
    expect(await seriousAccessibilityFindings(page)).toEqual([]);
    await screenshot(page, 'settings');
    await page.getByRole('button', { name: 'Revoke the token deploy script' }).click();
    await expect.poll(call).toBe(401);
  });

  it('Settings: edits a policy as data (a refusal names the field), stores a version and compares it with the one before', async () => {
    const { page, runtime } = env;
    await page.goto(`${runtime.urls.api}/console/settings`);
    const editor = page.getByLabel('Rules of default (JSON, checked by the API when stored)');
    await expect.poll(() => editor.inputValue()).toContain('"severities"');
    const rules = JSON.parse(await editor.inputValue());
    const was = rules.severities.sev2.updateEvery;
    rules.severities.sev2.updateEvery = 'every hour';
    await editor.fill(JSON.stringify(rules, null, 2));
    const pending = page.getByRole('region', { name: 'Changes to store' });
    expect(await pending.textContent()).toContain(`severities.sev2.updateEvery: "${was}" → "every hour"`);
    await page.getByRole('button', { name: 'Store as version 2' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('severities.sev2.updateEvery');

    rules.severities.sev2.updateEvery = 'PT1H';
    await editor.fill(JSON.stringify(rules, null, 2));
    await page.getByRole('button', { name: 'Store as version 2' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Stored version 2 of default');
    const versions = page.getByRole('table', { name: 'Versions of default' });
    await expect.poll(() => versions.getByRole('row').count()).toBe(3);
    expect(await versions.textContent()).toContain('Admin');
    await page.getByRole('button', { name: 'Compare version 1 with 2' }).click();
    const compared = page.getByRole('region', { name: 'From version 1 to 2' });
    await expect.poll(() => compared.textContent()).toContain(`severities.sev2.updateEvery: "${was}" → "PT1H"`);
    expect(await compared.locator('li').count()).toBe(1);
    expect(await seriousAccessibilityFindings(page)).toEqual([]);
    await screenshot(page, 'settings-policies');
    const stored = (await api(runtime).get('/policies/default')).body;
    expect([stored.version, stored.severities.sev2.updateEvery, stored.updatedBy.name]).toEqual([2, 'PT1H', 'Admin']);
  });

  it('Settings: adds an integration with a new secret and shows, once, the configuration to paste; that configuration is accepted', async () => {
    const { page, runtime } = env;
    await page.goto(`${runtime.urls.api}/console/settings`);
    // The name's pattern is one the browser can compile (an unescaped "-" at the end of a class made Chromium ignore it).
    const name = page.getByLabel('Integration name');
    await name.fill('Prod AM');
    expect(await name.evaluate((input) => (input as unknown as { validity: { patternMismatch: boolean } }).validity.patternMismatch)).toBe(
      true,
    );
    await name.fill('prod-am');
    expect(await name.evaluate((input) => (input as unknown as { validity: { patternMismatch: boolean } }).validity.patternMismatch)).toBe(
      false,
    );
    await page.getByLabel('Sender').selectOption('alertmanager');
    await page.getByRole('button', { name: 'Save with a new secret' }).click();
    const made = page.getByRole('status', { name: 'New integration configuration' });
    const config = (await made.locator('pre').textContent())!;
    expect(config).toContain(`url: ${runtime.urls.api}/webhooks/alertmanager?integration=prod-am`);
    const secret = /credentials: (\S+)/.exec(config)![1];
    expect(secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const alert = JSON.stringify({
      status: 'firing',
      receiver: 'steward',
      groupKey: 'g',
      alerts: [
        { status: 'firing', labels: { alertname: 'DiskFull', customer: 'acme' }, startsAt: '2026-11-02T08:00:00Z', fingerprint: 'f1' },
      ],
    });
    const post = (token: string) =>
      fetch(`${runtime.urls.api}/webhooks/alertmanager?integration=prod-am`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: alert,
      }).then((response) => response.status);
    expect(await post('not-the-secret-0123456789')).toBe(401);
    expect(await post(secret)).toBe(202);
    // Listed afterwards without the secret.
    await page.reload();
    await expect.poll(() => page.getByRole('heading', { name: 'prod-am (alertmanager)' }).count()).toBe(1);
    expect(await page.locator('main').textContent()).not.toContain(secret);
    // Deleted (after a confirmation): gone from the list, and its secret opens nothing any more.
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete prod-am' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'prod-am (alertmanager)' }).count()).toBe(0);
    expect(await post(secret)).toBe(404); // no integration of that name any more
  });

  it('a viewer sees the issues but no action, no people and no approvals to answer: the console shows what the role allows', async () => {
    const { runtime } = env;
    await addSignInAccount(runtime, { email: 'vera@provider.test', name: 'Vera Viewer', password: 'viewer-password-1' });
    await api(runtime).post('/users', { email: 'vera@provider.test', name: 'Vera Viewer', roles: ['viewer'], timezone: 'Asia/Tokyo' });
    const opened = await api(runtime).post('/issues', {
      customerId: 'acme',
      title: 'Viewer sees this',
      severity: 'sev4',
      description: 'x',
    });
    // No session of the admin's at the provider; a Berlin browser.
    const context = await env.browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/Berlin' });
    const page = await context.newPage();
    await page.goto(`${runtime.urls.api}/console/issues/${opened.body.id}`);
    await page.waitForURL(/\/oidc\/interaction\//);
    await page.getByLabel('Email address').fill('vera@provider.test');
    await page.getByLabel('Password').fill('viewer-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${runtime.urls.api}/console/issues/${opened.body.id}`);
    await expect.poll(() => page.locator('.who').textContent()).toContain('viewer');
    // Vera's own zone (Tokyo), not her browser's (Berlin), is where the console gives her times.
    const inTokyo = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Tokyo' });
    await expect.poll(() => page.locator('main').textContent()).toContain(inTokyo.format(new Date(opened.body.createdAt)));
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain('Viewer sees this');
    expect(await page.getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Add note' }).count()).toBe(0);
    await page.goto(`${runtime.urls.api}/console/settings`);
    await expect.poll(() => page.getByRole('heading', { name: 'Your API tokens' }).count()).toBe(1);
    expect(await page.getByRole('heading', { name: 'People' }).count()).toBe(0);
    await context.close();
  });

  it('finance lands on Receivables, never on a refusal: no Now in the header, the Customer screen with its money and no issue list', async () => {
    const { runtime } = env;
    await addSignInAccount(runtime, { email: 'fay@provider.test', name: 'Fay Finance', password: 'finance-password-1' });
    await api(runtime).post('/users', {
      email: 'fay@provider.test',
      name: 'Fay Finance',
      roles: ['finance'],
      timezone: 'Africa/Johannesburg',
    });
    const context = await env.browser.newContext({ locale: 'en-GB', timezoneId: 'America/Sao_Paulo' });
    const page = await context.newPage();
    await page.goto(`${runtime.urls.api}/console/`);
    await page.waitForURL(/\/oidc\/interaction\//);
    await page.getByLabel('Email address').fill('fay@provider.test');
    await page.getByLabel('Password').fill('finance-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${runtime.urls.api}/console/`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Receivables');
    const header = page.getByRole('navigation', { name: 'Screens' });
    expect(await header.getByRole('link').allTextContents()).toEqual(['Customers', 'Receivables', 'Settings', 'KPIs']);
    expect(await page.locator('main').textContent()).not.toContain('needs the permission');

    await page.goto(`${runtime.urls.api}/console/customers/acme`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(acme.name);
    const text = () => page.locator('main').textContent();
    await expect.poll(text).toContain('€250.00'); // invoice C-1 of the Customer test
    expect(await text()).not.toContain('needs the permission');
    expect(await page.getByRole('heading', { name: 'Open issues' }).count()).toBe(0);
    expect(await page.getByRole('table', { name: 'Invoices' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Edit customer' }).count()).toBe(0); // finance reads customers only
    expect(await seriousAccessibilityFindings(page)).toEqual([]);
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'KPIs' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('KPIs');
    expect(await page.locator('main').textContent()).not.toContain('needs the permission');
    await context.close();
  });

  it('Customers: searched on the server, created with each refusal beside its field, then edited', async () => {
    const { page, runtime } = env;
    await page.goto(`${runtime.urls.api}/console/customers`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Customers');
    const table = page.getByRole('table', { name: /^Customers/ });
    await expect.poll(() => table.textContent()).toContain('Triage (no known customer)');
    await page.getByLabel('Search by id or name').fill('acme c');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => page.getByRole('table', { name: 'Customers matching "acme c"' }).getByRole('row').count()).toBe(2);

    await page.getByRole('button', { name: 'New customer' }).click();
    const form = page.getByRole('form', { name: 'New customer' });
    await form.getByLabel('Id').fill('tokyo-net');
    await form.getByLabel('Name', { exact: true }).first().fill('Tokyo Net KK');
    await form.getByLabel('Time zone (e.g. America/Sao_Paulo)').fill('Asia/Tokio'); // a zone that does not exist
    await form.getByLabel('Country (two letters, e.g. BR)').fill('JP');
    await form.locator('input[name="contacts.0.name"]').fill('Kenji Sato');
    await form.locator('input[name="contacts.0.email"]').fill('kenji@tokyo-net.test');
    for (const role of ['teamLead', 'serviceManager', 'director']) {
      await form.locator(`input[name="team.${role}.name"]`).fill(`Person ${role}`);
      await form.locator(`input[name="team.${role}.email"]`).fill(`${role.toLowerCase()}@provider.test`);
    }
    await form.locator('input[name="team.director.timezone"]').fill('Mars/Olympus');
    await form.getByRole('button', { name: 'Create customer' }).click();
    await expect.poll(() => form.locator('[data-field="timezone"]').count()).toBe(1);
    expect(await form.locator('[data-field="team.director.timezone"]').count()).toBe(1);
    expect(await form.locator('[data-field="country"]').count()).toBe(0);
    expect((await api(runtime).get('/customers/tokyo-net')).status).toBe(404);

    await form.getByLabel('Time zone (e.g. America/Sao_Paulo)').fill('Asia/Tokyo');
    await form.locator('input[name="team.director.timezone"]').fill('Africa/Johannesburg');
    await form.getByRole('button', { name: 'Create customer' }).click();
    await page.waitForURL(`${runtime.urls.api}/console/customers/tokyo-net`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Tokyo Net KK');
    await page.getByRole('button', { name: 'Edit customer' }).click();
    await page.getByRole('form', { name: 'Edit Tokyo Net KK' }).getByLabel('Name', { exact: true }).first().fill('Tokyo Net K.K.');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Tokyo Net K.K.');
    expect((await api(runtime).get('/customers/tokyo-net')).body).toMatchObject({
      name: 'Tokyo Net K.K.',
      timezone: 'Asia/Tokyo',
      team: { director: { timezone: 'Africa/Johannesburg' } },
    });
    expect(await seriousAccessibilityFindings(page)).toEqual([]);
  });

  it('a sign-in the issuer sends back refused (an error instead of a code) is a page saying so, with a way to start again', async () => {
    const { runtime } = env;
    const context = await env.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${runtime.urls.api}/console/`);
    await page.waitForURL(/\/oidc\/interaction\//); // the console has asked the issuer to sign in
    await page.goto(`${runtime.urls.api}/console/?error=access_denied&error_description=cancelled&state=not-the-one-sent`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Sign-in failed');
    expect(await page.getByRole('alert').textContent()).not.toBe('');
    expect(await page.getByRole('link', { name: 'Sign in again' }).getAttribute('href')).toBe('/console/');
    await context.close();
  });

  it('a deep link opens its screen after signing in again; an unknown page says so', async () => {
    const { runtime } = env;
    const fresh = await env.browser.newPage();
    await fresh.goto(`${runtime.urls.api}/console/nowhere`);
    await signInOnPage(fresh);
    await fresh.waitForURL(`${runtime.urls.api}/console/nowhere`);
    await expect.poll(() => fresh.getByRole('heading', { level: 1 }).textContent()).toBe('Not found');
    await fresh.close();
  });
});
