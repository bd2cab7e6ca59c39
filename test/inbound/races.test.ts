import { createHmac } from 'node:crypto';
import { createTransport } from 'nodemailer';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { useRuntime } from '../support/runtime.ts';

/**
 * Deliveries that race: a highly available Alertmanager pair sends the same notification from
 * each peer, and senders retry in parallel. Every delivery is answered 2xx and every distinct
 * alert has exactly one issue, whatever the concurrency.
 */
const env = useRuntime();

const post = async (path: string, body: string, headers: Record<string, string> = {}) => {
  const response = await fetch(env.runtime.urls.api + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${env.runtime.apiToken}`, ...headers },
    body,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, text };
};

/** Issues of acme by the alert key they were opened for (every page of the customer's list). */
async function issuesByAlertKey(): Promise<Map<string, string[]>> {
  const byKey = new Map<string, string[]>();
  let after: string | undefined;
  do {
    const page = (await env.client.get(`/issues?customerId=acme&limit=200${after ? `&after=${encodeURIComponent(after)}` : ''}`)).body;
    for (const issue of page.issues) {
      const key = issue.origin?.alertKey;
      if (key) byKey.set(key, [...(byKey.get(key) ?? []), issue.id]);
    }
    after = page.next;
  } while (after);
  return byKey;
}

const notification = (alerts: { fingerprint: string; name: string }[]) =>
  JSON.stringify({
    version: '4',
    groupKey: '{}:{alertname="race"}',
    status: 'firing',
    receiver: 'steward',
    commonLabels: { customer: 'acme' },
    alerts: alerts.map(({ fingerprint, name }) => ({
      status: 'firing',
      labels: { alertname: name, severity: 'warning' },
      startsAt: '2026-11-02T08:00:00Z',
      fingerprint,
    })),
  });

describe('racing deliveries', () => {
  it('30 notifications at once, each with one shared alert and one of its own: all 202, one issue per alert (3 rounds)', async () => {
    for (const round of [1, 2, 3]) {
      const shared = { fingerprint: `shared-${round}`, name: `SharedAlert${round}` };
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          post('/webhooks/alertmanager', notification([shared, { fingerprint: `own-${round}-${i}`, name: `Own${round}x${i}` }])),
        ),
      );
      await env.runtime.tracker.idle();
      for (const answer of answers) expect(answer.status, answer.text).toBe(202);
      const opened = answers
        .flatMap((answer) => answer.body.alerts)
        .filter((alert: { key: string; outcome: string }) => alert.key === shared.fingerprint);
      expect(opened.filter((alert: { outcome: string }) => alert.outcome === 'opened')).toHaveLength(1);
      const byKey = await issuesByAlertKey();
      expect(byKey.get(shared.fingerprint), `round ${round}: issues of the shared alert`).toHaveLength(1);
      for (let i = 0; i < 30; i++) expect(byKey.get(`own-${round}-${i}`), `round ${round}: own alert ${i}`).toHaveLength(1);
      // Every answer names the one issue of the shared alert.
      expect(new Set(opened.map((alert: { issueId: string }) => alert.issueId))).toEqual(new Set(byKey.get(shared.fingerprint)));
    }
  }, 180_000);

  it('HA-pair style: the same delivery of every sender kind 12 times at once is one issue, every answer 2xx', async () => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const grafana = JSON.stringify({
      receiver: 'steward',
      status: 'firing',
      orgId: 1,
      groupKey: '{}:{alertname="GrafanaRace"}',
      title: '[FIRING:1] GrafanaRace',
      state: 'alerting',
      message: 'race',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'GrafanaRace', customer: 'acme', severity: 'warning' },
          annotations: {},
          startsAt: '2026-11-02T08:00:00Z',
          fingerprint: 'grafana-race',
        },
      ],
    });
    const generic = JSON.stringify({ key: 'generic-race', status: 'firing', title: 'Generic race', customer: 'acme', severity: 'sev3' });
    const signer = new Webhook(`whsec_${Buffer.from(env.runtime.apiToken).toString('base64')}`);
    const genericHeaders = () => {
      const at = new Date();
      return {
        'webhook-id': 'msg_race',
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': signer.sign('msg_race', at, generic),
      };
    };
    const senders: { key: string; send: () => ReturnType<typeof post> }[] = [
      { key: 'am-race', send: () => post('/webhooks/alertmanager', notification([{ fingerprint: 'am-race', name: 'AmRace' }])) },
      {
        key: 'grafana-race',
        send: () =>
          post('/webhooks/grafana', grafana, {
            authorization: '',
            'x-grafana-alerting-signature': createHmac('sha256', env.runtime.apiToken).update(`${timestamp}:${grafana}`).digest('hex'),
            'x-grafana-alerting-signature-timestamp': timestamp,
          }),
      },
      {
        key: 'pd-race',
        send: () =>
          post(
            '/v2/enqueue',
            JSON.stringify({
              routing_key: env.runtime.apiToken,
              event_action: 'trigger',
              dedup_key: 'pd-race',
              payload: { summary: 'PagerDuty race', source: 'core-1', severity: 'error', custom_details: { customer: 'acme' } },
            }),
          ),
      },
      {
        key: 'dd-race',
        send: () =>
          post(
            '/webhooks/datadog',
            JSON.stringify({
              alert_id: '77',
              alert_cycle_key: 'dd-race',
              alert_transition: 'Triggered',
              title: 'Datadog race',
              tags: 'customer:acme',
            }),
          ),
      },
      { key: 'generic-race', send: () => post('/webhooks/generic', generic, { authorization: '', ...genericHeaders() }) },
    ];
    for (const sender of senders) {
      const answers = await Promise.all(Array.from({ length: 12 }, () => sender.send()));
      await env.runtime.tracker.idle();
      for (const answer of answers) expect(answer.status, `${sender.key}: ${answer.text}`).toBeLessThan(300);
      expect((await issuesByAlertKey()).get(sender.key), sender.key).toHaveLength(1);
    }
  }, 180_000);

  it('Stripe: the same invoice event 12 times at once is one invoice and one payment, every answer 2xx', async () => {
    const stripe = new Stripe('sk_unused');
    const invoice = {
      id: 'in_race',
      object: 'invoice',
      number: 'RACE-1',
      customer: 'cus_race',
      metadata: { customer_id: 'acme' },
      created: 1_762_041_600,
      due_date: 1_762_646_400,
      currency: 'eur',
      amount_due: 4_200,
      amount_paid: 0,
    };
    const deliver = (type: string) => {
      const payload = JSON.stringify({ id: `evt_${type}`, object: 'event', type, data: { object: invoice } });
      return post('/webhooks/stripe', payload, {
        authorization: '',
        'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload, secret: env.runtime.apiToken }),
      });
    };
    for (const type of ['invoice.finalized', 'invoice.paid']) {
      const answers = await Promise.all(Array.from({ length: 12 }, () => deliver(type)));
      await env.runtime.tracker.idle();
      for (const answer of answers) expect(answer.status, `${type}: ${answer.text}`).toBeLessThan(300);
    }
    const stored = (await env.client.get('/invoices/RACE-1')).body;
    expect(stored.status).toBe('paid');
    expect(stored.payments).toHaveLength(1);
  }, 120_000);

  it('inbound mail: the same message delivered 8 times at once opens one issue; one quoting a 2,100-character Message-ID opens its issue', async () => {
    const transport = createTransport({ host: '127.0.0.1', port: env.options.smtpPort, secure: false, ignoreTLS: true });
    const send = (raw: string) => transport.sendMail({ envelope: { from: 'ann@acme.test', to: ['support@steward.localhost'] }, raw });
    const message = [
      'From: Ann <ann@acme.test>',
      'To: support@steward.localhost',
      'Subject: Mail race: the portal is down',
      'Message-ID: <mail-race-1@acme.test>',
      '',
      'Nobody can sign in to the portal.',
    ].join('\r\n');
    await Promise.all(Array.from({ length: 8 }, () => send(message)));
    await env.runtime.tracker.idle();
    const titled = async (title: string) =>
      (await env.client.get('/issues?customerId=acme')).body.issues.filter((issue: { title: string }) => issue.title === title);
    expect(await titled('Mail race: the portal is down')).toHaveLength(1);

    const poison = [
      'From: Ann <ann@acme.test>',
      'To: support@steward.localhost',
      'Subject: A long reference',
      `Message-ID: <${'m'.repeat(2_100)}@acme.test>`,
      `References: <${'r'.repeat(2_100)}@acme.test>`,
      `In-Reply-To: <${'r'.repeat(2_100)}@acme.test>`,
      '',
      'The link is still slow.',
    ].join('\r\n');
    await send(poison);
    await env.runtime.tracker.idle();
    expect(await titled('A long reference')).toHaveLength(1);
    expect((await env.client.get('/_local/failed-events')).body.count ?? 0).toBe(0);
    transport.close();
  }, 120_000);
});
