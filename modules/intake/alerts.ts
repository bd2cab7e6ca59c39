import { createHash } from 'node:crypto';
import * as z from 'zod';
import { clipText, clipUtf8 } from '../../kernel/bounds.ts';
import { clientRecord } from '../../kernel/client-record.ts';
import { severities, type Severity } from '../../kernel/severity.ts';

/**
 * Monitoring alerts from every supported sender, normalized. One open issue per integration and
 * alert `key`; `occurrenceId` names one firing (a repeat notification of the same firing, or a
 * redelivery, has the same id and changes nothing).
 */
export interface Alert {
  key: string;
  occurrenceId: string;
  status: 'firing' | 'resolved' | 'acknowledged';
  title: string;
  description: string;
  labels: Record<string, string>;
  url?: string;
}

export const integrationKinds = ['alertmanager', 'grafana', 'pagerduty', 'datadog', 'generic'] as const;
export type IntegrationKind = (typeof integrationKinds)[number];

export const integrationSchema = z.object({
  kind: z.enum(integrationKinds),
  /** Bearer token (Alertmanager, Datadog, PagerDuty webhook), HMAC key (Grafana), Standard Webhooks secret "whsec_…" (generic). Default: the API token. */
  secret: z.string().min(16).max(500).optional(),
  /** PagerDuty Events v2: the routing_key that selects this integration. */
  routingKey: z.string().min(8).max(255).optional(),
  defaultCustomerId: z.string().max(64).optional(),
  customerLabel: z.string().min(1).max(200).default('customer'),
  severityLabel: z.string().min(1).max(200).default('severity'),
  severityMap: clientRecord(z.enum(severities)).default({
    critical: 'sev1',
    error: 'sev2',
    warning: 'sev3',
    info: 'sev4',
    P1: 'sev1',
    P2: 'sev2',
    P3: 'sev3',
    P4: 'sev4',
    P5: 'sev4',
  }),
  defaultSeverity: z.enum(severities).default('sev3'),
});
export type Integration = z.infer<typeof integrationSchema> & { name: string };

export const defaultIntegration = (kind: IntegrationKind): Integration => ({ ...integrationSchema.parse({ kind }), name: kind });

const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);
/** Label values name things (customer, severity, host): longer ones are kept clipped (and marked), never refused. */
export const MAX_LABEL_BYTES = 2_000;
/** Annotations carry descriptions: longer ones are kept clipped (and marked). */
export const MAX_ANNOTATION_CHARACTERS = 20_000;

/** PagerDuty's custom details as labels: strings clipped, anything else as its JSON, clipped. */
const labelsOf = (value: unknown) =>
  Object.fromEntries(
    Object.entries((value ?? {}) as Record<string, unknown>).map(([k, v]) => [
      k,
      clipUtf8(typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v)), MAX_LABEL_BYTES),
    ]),
  );

const labelValue = z.string().transform((value) => clipUtf8(value, MAX_LABEL_BYTES));
const annotationValue = z.string().transform((value) => clipText(value, MAX_ANNOTATION_CHARACTERS));
const url = z.string().max(2_000);

export const alertmanagerAlertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: clientRecord(labelValue),
  annotations: clientRecord(annotationValue).default({}),
  startsAt: z.string().max(40),
  endsAt: z.string().max(40).optional(),
  generatorURL: url.optional(),
  fingerprint: z.string().min(1).max(255),
});

/** Alertmanager webhook v4, and Grafana's (the same fields plus orgId, title, state, message). */
export const alertmanagerSchema = z.object({
  version: z.string().max(20).optional(),
  groupKey: z.string().max(10_000),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().max(200),
  groupLabels: clientRecord(labelValue).default({}),
  commonLabels: clientRecord(labelValue).default({}),
  commonAnnotations: clientRecord(annotationValue).default({}),
  externalURL: url.optional(),
  /** Each alert is checked on its own (`fromAlertmanager`): one malformed alert never sinks the others. */
  alerts: z.array(z.unknown()).min(1).max(1_000),
  title: z.string().max(1_000).optional(),
  message: z.string().max(20_000).optional(),
});

/** An alert of a delivery that could not be read: set aside on its own, named in the answer. */
export interface RefusedAlert {
  key: string;
  field: string;
  problem: string;
}

export const isRefused = (alert: Alert | RefusedAlert): alert is RefusedAlert => 'problem' in alert;

/**
 * One issue per alert fingerprint, not per group: an alert's life is what a person resolves. An
 * alert that does not match the schema is returned refused, naming its fields.
 */
export function fromAlertmanager(payload: z.infer<typeof alertmanagerSchema>): (Alert | RefusedAlert)[] {
  return payload.alerts.map((raw, index): Alert | RefusedAlert => {
    const checked = alertmanagerAlertSchema.safeParse(raw);
    if (!checked.success) {
      const fingerprint = (raw as { fingerprint?: unknown } | null)?.fingerprint;
      const problems = checked.error.issues.map((issue) => `${['alerts', index, ...issue.path].join('.')}: ${issue.message}`);
      return {
        key: typeof fingerprint === 'string' && fingerprint.length <= 255 ? fingerprint : `alerts.${index}`,
        field: ['alerts', index, ...checked.error.issues[0].path].join('.'),
        problem: problems.join('; '),
      };
    }
    const alert = checked.data;
    const labels = { ...payload.commonLabels, ...alert.labels };
    const annotations = { ...payload.commonAnnotations, ...alert.annotations };
    return {
      key: alert.fingerprint,
      occurrenceId: sha(`${alert.fingerprint}|${alert.startsAt}`),
      status: alert.status,
      title: annotations.summary ?? labels.alertname ?? payload.title ?? 'Alert',
      description: annotations.description ?? payload.message ?? '',
      labels,
      url: alert.generatorURL,
    };
  });
}

export const pagerdutySchema = z.object({
  routing_key: z.string().min(1).max(255),
  event_action: z.enum(['trigger', 'acknowledge', 'resolve']),
  dedup_key: z.string().min(1).max(255).optional(),
  payload: z
    .object({
      summary: z.string().min(1).max(1024),
      source: z.string().min(1).max(255),
      severity: z.enum(['critical', 'error', 'warning', 'info']),
      timestamp: z.string().max(40).optional(),
      component: z.string().max(255).optional(),
      group: z.string().max(255).optional(),
      class: z.string().max(255).optional(),
      custom_details: clientRecord(z.unknown()).optional(),
    })
    .optional(),
  links: z
    .array(z.object({ href: url }))
    .max(20)
    .optional(),
});

export function fromPagerDuty(event: z.infer<typeof pagerdutySchema>, body: string, dedupKey: string): Alert {
  const details = labelsOf(event.payload?.custom_details);
  const status = event.event_action === 'trigger' ? 'firing' : event.event_action === 'resolve' ? 'resolved' : 'acknowledged';
  return {
    key: dedupKey,
    occurrenceId: sha(body),
    status,
    title: event.payload?.summary ?? dedupKey,
    description: [
      event.payload?.source && `source: ${event.payload.source}`,
      event.payload?.component && `component: ${event.payload.component}`,
    ]
      .filter(Boolean)
      .join('\n'),
    labels: { ...details, ...(event.payload ? { severity: event.payload.severity, source: event.payload.source } : {}) },
    url: event.links?.[0]?.href,
  };
}

/** Datadog webhook with the JSON body Steward documents (README): Datadog's $-variables by these names. */
export const datadogSchema = z.object({
  alert_id: z.union([z.string().max(255), z.number()]).transform(String),
  alert_cycle_key: z
    .union([z.string().max(255), z.number()])
    .transform(String)
    .optional(),
  aggreg_key: z.string().max(255).optional(),
  alert_transition: z.string().min(1).max(100),
  title: z.string().min(1).max(1_000),
  body: z.string().max(20_000).default(''),
  priority: z.string().max(20).optional(),
  tags: z.string().max(10_000).default(''),
  last_updated: z
    .union([z.string().max(40), z.number()])
    .transform(String)
    .optional(),
  link: url.optional(),
});

export function fromDatadog(payload: z.infer<typeof datadogSchema>, body: string): Alert {
  const labels: Record<string, string> = {};
  for (const tag of payload.tags
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)) {
    const [name, ...rest] = tag.split(':');
    labels[name] = rest.join(':');
  }
  if (payload.priority) labels.priority = payload.priority;
  if (payload.priority && !labels.severity) labels.severity = payload.priority.toUpperCase();
  const transition = payload.alert_transition.toLowerCase();
  return {
    key: payload.alert_cycle_key ?? payload.aggreg_key ?? payload.alert_id,
    occurrenceId: sha(body),
    status: transition === 'recovered' || transition === 'ok' ? 'resolved' : 'firing',
    title: payload.title,
    description: payload.body,
    labels,
    url: payload.link,
  };
}

/** Steward's own documented shape for anything else. */
export const genericSchema = z.object({
  key: z.string().min(1).max(255),
  status: z.enum(['firing', 'resolved']),
  title: z.string().min(1).max(300),
  description: z.string().max(20_000).default(''),
  severity: z.string().max(200).optional(),
  customer: z.string().max(64).optional(),
  labels: clientRecord(labelValue).default({}),
  url: url.optional(),
});

export function fromGeneric(payload: z.infer<typeof genericSchema>, deliveryId: string): Alert {
  const labels = { ...payload.labels };
  if (payload.severity) labels.severity = payload.severity;
  if (payload.customer) labels.customer = payload.customer;
  return {
    key: payload.key,
    occurrenceId: sha(deliveryId),
    status: payload.status,
    title: payload.title,
    description: payload.description,
    labels,
    url: payload.url,
  };
}

// A label such as "constructor" or "__proto__" must not find Object.prototype's members.
const mapped = (map: Record<string, Severity>, key: string): Severity | undefined => (Object.hasOwn(map, key) ? map[key] : undefined);

export interface AlertRouting {
  /** The customer the alert names (label or the integration's default); undefined when it names none. */
  customerId?: string;
  severity: Severity;
  /** What a person should know about the routing (an unmapped severity): noted on the issue. */
  notes: string[];
  /** Why it was filed under the triage customer, when it was. */
  triage?: string;
}

/**
 * Customer and severity of an alert under an integration's mapping. A severity the map does not
 * know falls back to the integration's default, with a note: Alertmanager and most senders drop a
 * 4xx for good, so an alert is never refused for its labels.
 */
export function routeAlert(alert: Alert, integration: Integration): AlertRouting {
  const customerId = alert.labels[integration.customerLabel] || integration.defaultCustomerId || undefined;
  const label = alert.labels[integration.severityLabel];
  if (label === undefined) return { customerId, severity: integration.defaultSeverity, notes: [] };
  const severity = mapped(integration.severityMap, label) ?? mapped(integration.severityMap, label.toLowerCase());
  if (severity) return { customerId, severity, notes: [] };
  const known = Object.keys(integration.severityMap).join(', ');
  return {
    customerId,
    severity: integration.defaultSeverity,
    notes: [
      `The alert's ${integration.severityLabel} "${label}" is not mapped by integration ${integration.name} (known: ${known}); opened as ${integration.defaultSeverity}, its default.`,
    ],
  };
}
