import { createHmac, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type * as z from 'zod';
import { AuditLog, recordAudit } from '../../kernel/audit.ts';
import { clipText } from '../../kernel/bounds.ts';
import type { Deps } from '../../kernel/deps.ts';
import { DomainError } from '../../kernel/errors.ts';
import { asHttpError, bearerToken, bodyText, equalsAny, json, validate, type ApiEvent, type ApiResult } from '../../kernel/http.ts';
import { InvalidTransition, IssueService, isUnresolved, type NewIssue } from '../issues/index.ts';
import { ServiceRepository, servicesMatching } from '../services/index.ts';
import { AlertRepository } from './alert-repository.ts';
import {
  alertmanagerSchema,
  datadogSchema,
  defaultIntegration,
  fromAlertmanager,
  fromDatadog,
  fromGeneric,
  fromPagerDuty,
  isRefused,
  genericSchema,
  pagerdutySchema,
  routeAlert,
  type Alert,
  type AlertRouting,
  type Integration,
  type IntegrationKind,
  type RefusedAlert,
} from './alerts.ts';

/** Signed requests older or newer than this (real time) are refused: a replayed capture is useless. */
const REPLAY_WINDOW_MS = 5 * 60 * 1000;
const AUDITED_OUTCOMES = ['opened', 'cleared', 'acknowledged'];
/** Reads of an alert's claim before a delivery gives up on a race (each turn ends unless another delivery moved the claim). */
const CLAIM_TURNS = 5;

const kinds: Record<string, IntegrationKind> = {
  'POST /webhooks/alertmanager': 'alertmanager',
  'POST /webhooks/grafana': 'grafana',
  'POST /webhooks/pagerduty': 'pagerduty',
  'POST /v2/enqueue': 'pagerduty',
  'POST /webhooks/datadog': 'datadog',
  'POST /webhooks/generic': 'generic',
};

type Outcome = {
  key: string;
  issueId?: string;
  outcome: 'opened' | 'occurrence' | 'duplicate' | 'cleared' | 'acknowledged' | 'ignored' | 'set-aside';
  /** Why an alert was set aside. */
  problem?: string;
};

function parseJson(body: string): unknown {
  if (!body) throw new DomainError('invalid', 'request body is required');
  try {
    return JSON.parse(body);
  } catch (error) {
    throw new DomainError('invalid', `request body is not valid JSON: ${(error as Error).message}`);
  }
}

export type WebhookDeps = Pick<Deps, 'store' | 'clock' | 'workflows' | 'settings' | 'telemetry'>;

/** Monitoring webhooks: authenticate per integration, validate everything, then open or update one issue per alert key. */
export function webhookIntake(deps: WebhookDeps): (event: ApiEvent) => Promise<ApiResult> {
  const service = new IssueService(deps);
  const audit = new AuditLog(deps.store, deps.clock);
  const alertRepo = new AlertRepository(deps.store);
  const serviceRepo = new ServiceRepository(deps.store);

  async function integrationFor(event: ApiEvent, kind: IntegrationKind): Promise<Integration> {
    const name = event.queryStringParameters?.integration;
    // A name that can name none (empty, longer than a key holds) is read as nothing by the store: a 404 like any unknown name.
    const stored = await alertRepo.integration(name ?? kind);
    if (name !== undefined && !stored)
      throw new DomainError('not-found', `integration: no integration "${clipText(name, 80)}"`, {
        details: [{ field: 'integration', problem: 'no integration of that name' }],
      });
    const integration = stored ?? defaultIntegration(kind);
    if (integration.kind !== kind)
      throw new DomainError('invalid', `integration: "${integration.name}" is a ${integration.kind} integration, not ${kind}`);
    return integration;
  }

  /**
   * The secrets that authenticate an integration: its own; without one, the API token (and the one
   * rotated out, within its grace period) where the deployment allows it.
   */
  async function secretsOf(integration: Integration): Promise<string[]> {
    if (integration.secret) return [integration.secret];
    if (deps.settings.webhooksAcceptApiToken) return deps.settings.apiTokens();
    throw new DomainError(
      'unauthorized',
      `integration ${integration.name} has no secret of its own, and this deployment does not accept the API token for monitoring senders: PUT /integrations/${integration.name} with a secret`,
    );
  }

  async function checkBearer(event: ApiEvent, integration: Integration): Promise<void> {
    const token = bearerToken(event.headers?.authorization);
    if (!token) throw new DomainError('unauthorized', 'missing bearer token (Authorization: Bearer <token>)');
    if (!equalsAny(token, await secretsOf(integration))) throw new DomainError('unauthorized', 'invalid bearer token');
  }

  /**
   * Grafana: X-Grafana-Alerting-Signature = hex HMAC-SHA256 over "<timestamp>:<body>". A signature
   * without a timestamp could be replayed for ever, so it is refused: sign with a timestamp, or
   * send a bearer token.
   */
  async function checkGrafana(event: ApiEvent, integration: Integration, body: string): Promise<void> {
    const signature = event.headers?.['x-grafana-alerting-signature'];
    if (!signature) return checkBearer(event, integration);
    const timestamp = event.headers?.['x-grafana-alerting-signature-timestamp'];
    if (!timestamp)
      throw new DomainError(
        'unauthorized',
        'X-Grafana-Alerting-Signature-Timestamp is required with a signature (a signature without one can be replayed)',
      );
    const seconds = Number(timestamp);
    if (!Number.isFinite(seconds) || Math.abs(Date.now() - seconds * 1000) > REPLAY_WINDOW_MS)
      throw new DomainError('unauthorized', 'signature timestamp outside the 5-minute replay window');
    const expected = (await secretsOf(integration)).map((secret) =>
      createHmac('sha256', secret).update(`${timestamp}:${body}`).digest('hex'),
    );
    if (!equalsAny(signature.toLowerCase(), expected)) throw new DomainError('unauthorized', 'invalid X-Grafana-Alerting-Signature');
  }

  /** Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature); the secret is "whsec_" + base64. */
  async function checkStandardWebhook(event: ApiEvent, integration: Integration, body: string): Promise<string> {
    const headers = event.headers ?? {};
    // Its own secret as given ("whsec_…"); the API token as "whsec_" + base64 of it.
    const secrets = integration.secret
      ? [integration.secret]
      : (await secretsOf(integration)).map((token) => `whsec_${Buffer.from(token).toString('base64')}`);
    const signed = {
      'webhook-id': headers['webhook-id'] ?? '',
      'webhook-timestamp': headers['webhook-timestamp'] ?? '',
      'webhook-signature': headers['webhook-signature'] ?? '',
    };
    let refusal = 'no secret';
    for (const secret of secrets) {
      try {
        new Webhook(secret).verify(body, signed);
        return signed['webhook-id'];
      } catch (error) {
        refusal = (error as Error).message;
      }
    }
    throw new DomainError('unauthorized', `Standard Webhooks signature: ${refusal}`);
  }

  /**
   * Opens, adds an occurrence to, clears or acknowledges the issue of one alert. Redelivery is
   * harmless, and so are deliveries racing each other (an HA pair, parallel retries): the alert key
   * is claimed for an issue id first, and whoever finds a claim whose issue is not there yet opens
   * it with that same id (idempotently), so every delivery ends on the one issue.
   */
  async function ingest(integration: Integration, alert: Alert, routing: Required<AlertRouting> | undefined): Promise<Outcome> {
    const actor = { kind: 'integration' as const, id: integration.name };
    const issues = service.issues;
    const addOccurrence = async (issueId: string): Promise<Outcome> => {
      const { duplicate } = await service.record(
        issueId,
        { type: 'occurrence', integration: integration.name, key: alert.key, summary: alert.title, eventId: alert.occurrenceId },
        actor,
      );
      return { key: alert.key, issueId, outcome: duplicate ? 'duplicate' : 'occurrence' };
    };

    if (alert.status !== 'firing') {
      const mappedId = await alertRepo.issueFor(integration.name, alert.key);
      const mapped = mappedId ? await issues.getIssue(mappedId) : undefined;
      const open = mapped && isUnresolved(mapped) ? mapped : undefined;
      const base = { key: alert.key, issueId: open?.id };
      if (alert.status === 'resolved') {
        if (!open) return { ...base, outcome: 'ignored' };
        const { duplicate } = await service.record(
          open.id,
          { type: 'monitoring-cleared', integration: integration.name, key: alert.key, eventId: `clear-${alert.occurrenceId}` },
          actor,
        );
        return { ...base, outcome: duplicate ? 'duplicate' : 'cleared' };
      }
      if (open?.status !== 'open') return { ...base, outcome: 'ignored' };
      try {
        await service.record(open.id, { type: 'acknowledge', by: integration.name, eventId: `ack-${alert.occurrenceId}` }, actor);
      } catch (error) {
        if (!(error instanceof InvalidTransition)) throw error;
      }
      return { ...base, outcome: 'acknowledged' };
    }
    if (!routing) throw new Error(`a firing alert ${alert.key} reached ingest without its routing`);
    const newIssue: NewIssue = {
      customerId: routing.customerId,
      title: clipText(alert.title, 300),
      description: clipText(
        [
          ...routing.notes,
          alert.description,
          alert.url && `Source: ${alert.url}`,
          `Labels: ${Object.entries(alert.labels)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ')}`,
        ]
          .filter(Boolean)
          .join('\n\n'),
        20_000,
      ),
      severity: routing.severity,
      impact: clipText(alert.labels.impact ?? '', 2_000),
      runningOnBackup: false,
      source: 'webhook',
      origin: {
        integration: integration.name,
        kind: integration.kind,
        alertKey: alert.key,
        ...(routing.triage ? { triage: clipText(routing.triage, 2_000) } : {}),
      },
    };
    // The customer's services the alert is about: read once, and only when an issue opens.
    let matched: Promise<string[]> | undefined;
    // Each turn either ends on an issue or sees another delivery move the claim on; a few turns settle any race.
    for (let turn = 0; turn < CLAIM_TURNS; turn++) {
      const mappedId = await alertRepo.issueFor(integration.name, alert.key);
      const mapped = mappedId ? await issues.getIssue(mappedId) : undefined;
      if (mapped && isUnresolved(mapped)) return addOccurrence(mapped.id);
      // No claim, or the claimed issue was resolved: claim the key for a new id. A lost claim names
      // the winner's id, whose issue may not exist yet.
      const issueId =
        mappedId && !mapped
          ? mappedId
          : await alertRepo.claim(integration.name, alert.key, await issues.nextIssueId(), mappedId, deps.clock.now());
      if (issueId === mappedId && mapped) continue; // the claim still names the resolved issue: read again
      matched ??= serviceRepo.list(routing.customerId).then((services) => servicesMatching(services, alert.labels));
      const services = await matched;
      const { issue, created } = await service.openOnce(
        { ...newIssue, ...(services.length ? { services } : {}) },
        { id: issueId, eventIds: [alert.occurrenceId], actor },
      );
      if (created) return { key: alert.key, issueId: issue.id, outcome: 'opened' };
      if (isUnresolved(issue)) return addOccurrence(issue.id);
    }
    throw new DomainError('conflict', `alert ${alert.key}: its issue changed concurrently; try again`);
  }

  /**
   * Each alert of a delivery on its own: routed (an unknown customer to the triage customer), then
   * opened, added to or cleared. An alert that cannot be taken (no customer and no triage customer,
   * or a value its issue cannot hold) is set aside and named in the answer; it never sinks the
   * others. Only when every alert is set aside is the delivery refused (400, nothing stored). An
   * alert that failed for a reason that may pass (a throttle, a change that kept racing) makes the
   * answer a 503 after the others are stored, so the sender delivers again and the stored ones are
   * duplicates.
   */
  async function accept(integration: Integration, received: (Alert | RefusedAlert)[]): Promise<Outcome[]> {
    const repo = service.customers;
    const alerts = received.map((alert) => (isRefused(alert) ? undefined : alert));
    // Only a firing alert may open an issue; a resolve or acknowledge needs no customer or severity.
    const routings = alerts.map((alert) => (alert?.status === 'firing' ? routeAlert(alert, integration) : undefined));
    const exists = new Map<string, boolean>();
    for (const customerId of routings.map((routing) => routing?.customerId))
      if (customerId && !exists.has(customerId)) exists.set(customerId, (await repo.getCustomer(customerId)) !== undefined);
    const unclaimed = routings.some((routing) => routing && !(routing.customerId && exists.get(routing.customerId)));
    const setting = deps.settings.unknownSender;
    const triage = unclaimed && setting !== 'refuse' ? (await repo.triageCustomer(setting, deps.clock.now()))?.id : undefined;
    // An alert for no customer, or for an unknown one, is filed under the triage customer (whose
    // people are told as its contacts), so a monitor's alert is never dropped for its labels.
    const routed = routings.map((routing, index): AlertRouting | { field: string; problem: string } | undefined => {
      const refused = received[index];
      if (isRefused(refused)) return refused;
      if (!routing || (routing.customerId && exists.get(routing.customerId))) return routing;
      const named = routing.customerId && clipText(routing.customerId, 80);
      const why = named
        ? `names no customer "${named}"`
        : `has no "${integration.customerLabel}" label and integration ${integration.name} has no default customer`;
      if (triage)
        return {
          ...routing,
          customerId: triage,
          notes: [...routing.notes, `The alert ${why}; filed under the triage customer ${triage}.`],
          triage: `the alert ${why}.`,
        };
      return named
        ? { field: integration.customerLabel, problem: `no customer "${named}"` }
        : { field: `alerts.${index}`, problem: `alert ${received[index].key} ${why}` };
    });
    const refusals = routed.filter((routing) => routing !== undefined && 'problem' in routing);
    if (refusals.length === received.length)
      throw new DomainError('invalid', refusals.map((p) => p.problem).join('; '), {
        details: refusals.map(({ field, problem }) => ({ field, problem })),
      });
    const outcomes: Outcome[] = [];
    const failures: unknown[] = [];
    for (const [index, alert] of received.entries()) {
      const routing = routed[index];
      let outcome: Outcome;
      if (routing && 'problem' in routing) outcome = { key: alert.key, outcome: 'set-aside', problem: routing.problem };
      else {
        try {
          outcome = await ingest(integration, alert as Alert, routing as Required<AlertRouting> | undefined);
        } catch (error) {
          const known = asHttpError(error);
          if (!known || known.statusCode === 409 || known.statusCode >= 500) {
            failures.push(error);
            continue;
          }
          outcome = { key: alert.key, outcome: 'set-aside', problem: known.message };
        }
      }
      const customerId = routing && !('problem' in routing) ? routing.customerId : undefined;
      // Who opened, cleared or acknowledged an issue; occurrences and redeliveries are on the timeline only (they are many).
      if (outcome.issueId && AUDITED_OUTCOMES.includes(outcome.outcome))
        await recordAudit(audit, deps.telemetry, {
          actor: { kind: 'integration', id: integration.name },
          action: `webhook ${integration.kind}`,
          target: { issueId: outcome.issueId, ...(customerId ? { customerId } : {}) },
          type: outcome.outcome,
        });
      deps.telemetry.count('AlertsIngested');
      (outcome.outcome === 'set-aside' ? deps.telemetry.warn : deps.telemetry.info).call(deps.telemetry, 'alert', {
        integration: integration.name,
        alertKey: alert.key,
        status: isRefused(alert) ? undefined : alert.status,
        outcome: outcome.outcome,
        issueId: outcome.issueId,
        customerId,
        ...(outcome.problem ? { problem: outcome.problem } : {}),
      });
      outcomes.push(outcome);
    }
    if (failures.length) {
      deps.telemetry.error('alerts not stored; the sender is asked to deliver again', failures[0] as Error, {
        integration: integration.name,
        failed: failures.length,
      });
      throw new DomainError(
        'unavailable',
        `${failures.length} of ${alerts.length} alerts could not be stored just now; deliver the notification again (the others are kept and will not be doubled)`,
        { headers: { 'retry-after': '1' } },
      );
    }
    return outcomes;
  }

  async function pagerduty(event: ApiEvent, body: string, viaEnqueue: boolean): Promise<ApiResult> {
    const raw = parseJson(body);
    let parsed: z.infer<typeof pagerdutySchema>;
    try {
      parsed = validate(raw, pagerdutySchema);
    } catch (error) {
      if (error instanceof DomainError && error.kind === 'invalid')
        return json(400, { status: 'invalid event', message: 'Event object is invalid', errors: [error.message] });
      throw error;
    }
    const alerts = alertRepo;
    let integration = await alerts.integrationByRoutingKey(parsed.routing_key);
    if (!integration) {
      const fallback = await integrationFor(event, 'pagerduty');
      if (viaEnqueue && !equalsAny(parsed.routing_key, await secretsOf(fallback)))
        throw new DomainError('unauthorized', 'routing_key: unknown routing key');
      if (!viaEnqueue) await checkBearer(event, fallback);
      integration = fallback;
    }
    if (parsed.event_action === 'trigger' && !parsed.payload)
      return json(400, { status: 'invalid event', message: 'Event object is invalid', errors: ['payload: required for trigger'] });
    if (parsed.event_action !== 'trigger' && !parsed.dedup_key)
      return json(400, {
        status: 'invalid event',
        message: 'Event object is invalid',
        errors: ['dedup_key: required for acknowledge and resolve'],
      });
    const dedupKey = parsed.dedup_key ?? randomUUID();
    await accept(integration, [fromPagerDuty(parsed, body, dedupKey)]);
    return json(202, { status: 'success', message: 'Event processed', dedup_key: dedupKey });
  }

  const route = async (event: ApiEvent): Promise<ApiResult> => {
    const kind = kinds[event.routeKey];
    if (!kind) throw new DomainError('not-found', `no route ${event.routeKey}`);
    const body = bodyText(event);
    if (kind === 'pagerduty') return pagerduty(event, body, event.routeKey === 'POST /v2/enqueue');
    const integration = await integrationFor(event, kind);
    let alerts: (Alert | RefusedAlert)[];
    if (kind === 'generic') {
      const deliveryId = await checkStandardWebhook(event, integration, body);
      alerts = [fromGeneric(validate(parseJson(body), genericSchema), deliveryId)];
    } else if (kind === 'grafana') {
      await checkGrafana(event, integration, body);
      alerts = fromAlertmanager(validate(parseJson(body), alertmanagerSchema));
    } else {
      await checkBearer(event, integration);
      alerts =
        kind === 'alertmanager'
          ? fromAlertmanager(validate(parseJson(body), alertmanagerSchema))
          : [fromDatadog(validate(parseJson(body), datadogSchema), body)];
    }
    const outcomes = await accept(integration, alerts);
    return json(202, { integration: integration.name, alerts: outcomes });
  };

  return route;
}
