import * as z from 'zod';
import type { Severity } from '../../kernel/severity.ts';

/** The most services one customer can have, and the most one issue names (an alert may match several). */
export const MAX_SERVICES_PER_CUSTOMER = 1_000;
export const MAX_SERVICES_PER_ISSUE = 20;
export const MAX_SERVICE_ID = 64;
const SERVICE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const serviceKinds = ['circuit', 'site', 'device', 'application'] as const;
export type ServiceKind = (typeof serviceKinds)[number];

export const serviceIdSchema = z.string().regex(SERVICE_ID, `letters, digits, _ . -, at most ${MAX_SERVICE_ID}`);

/** What the customer has: a circuit, a site, a device or an application, and which alerts are about it. */
export const serviceSchema = z.object({
  name: z.string().trim().min(1).max(200),
  kind: z.enum(serviceKinds),
  site: z.string().trim().min(1).max(200).optional(),
  model: z.string().trim().min(1).max(200).optional(),
  match: z
    .object({
      /** An alert is about this service when it carries every one of these labels with these values. */
      labels: z
        .record(
          z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,99}$/, 'a label name: letters, digits, _ . -, at most 100'),
          z.string().min(1).max(500),
        )
        .refine((labels) => Object.keys(labels).length >= 1, 'at least one label')
        .refine((labels) => Object.keys(labels).length <= 20, 'at most 20 labels'),
    })
    .optional(),
});
export type ServiceInput = z.infer<typeof serviceSchema>;

export interface Service extends ServiceInput {
  id: string;
  customerId: string;
  updatedAt: string;
}

/** How a service stands: an unresolved sev1 naming it is an outage, a sev2 or sev3 a degradation; a sev4 leaves it operational. */
export type ServiceState = 'operational' | 'degraded' | 'outage';

/** The services whose labels an alert carries, every one of them, by id; at most MAX_SERVICES_PER_ISSUE. */
export function servicesMatching(services: Service[], labels: Record<string, string>): string[] {
  return services
    .filter((service) => service.match && Object.entries(service.match.labels).every(([name, value]) => labels[name] === value))
    .map((service) => service.id)
    .sort()
    .slice(0, MAX_SERVICES_PER_ISSUE);
}

const STATE_OF: Record<Severity, ServiceState> = { sev1: 'outage', sev2: 'degraded', sev3: 'degraded', sev4: 'operational' };
const WORST: ServiceState[] = ['operational', 'degraded', 'outage'];

/** A service as GET /customers/{id}/services gives it: with its state and the unresolved issues that name it. */
export type ServiceView = Service & { state: ServiceState; issues: string[] };

/** Each service's state from the unresolved issues that name it, and those issues' ids. */
export function serviceStates(services: Service[], unresolved: { id: string; severity: Severity; services?: string[] }[]): ServiceView[] {
  return services.map((service) => {
    const naming = unresolved.filter((issue) => issue.services?.includes(service.id));
    const state = naming.reduce<ServiceState>(
      (worst, issue) => (WORST.indexOf(STATE_OF[issue.severity]) > WORST.indexOf(worst) ? STATE_OF[issue.severity] : worst),
      'operational',
    );
    return { ...service, state, issues: naming.map((issue) => issue.id).sort() };
  });
}
