import type { Deps } from '../../kernel/deps.ts';
import { DomainError } from '../../kernel/errors.ts';
import { json, parseBody, pathParam, type RouteHandler } from '../../kernel/http.ts';
import { maintenanceEventSchema, maintenancePatchSchema, newMaintenanceSchema } from './maintenance.ts';
import { MaintenanceService } from './maintenance-service.ts';

const MAX_LIST = 1_000;
const MAX_RANGE_DAYS = 400;

/** Planned maintenance: scheduled, listed by window, read, rescheduled and moved through its steps. */
export function maintenanceRoutes(deps: Pick<Deps, 'store' | 'clock' | 'workflows'>): Record<string, RouteHandler> {
  const service = new MaintenanceService(deps);
  const instantParam = (name: string, value: string | undefined, fallback: Date): string => {
    if (value === undefined) return fallback.toISOString();
    const parsed = value.length <= 40 ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(parsed))
      throw new DomainError('invalid', `${name}: an ISO 8601 date or instant`, {
        details: [{ field: name, problem: 'not a date or instant' }],
      });
    return new Date(parsed).toISOString();
  };
  return {
    'POST /maintenances': async (event) => {
      const maintenance = await service.schedule(parseBody(event, newMaintenanceSchema));
      return json(201, maintenance, { location: `/maintenances/${maintenance.id}` });
    },

    /** Maintenances starting within `from`–`to` (default: the next 90 days), by start; at most 1,000 and 400 days apart. */
    'GET /maintenances': async (event) => {
      const query = event.queryStringParameters ?? {};
      const now = deps.clock.now();
      const from = instantParam('from', query.from, now);
      const to = instantParam('to', query.to, new Date(now.getTime() + 90 * 86_400_000));
      if (to < from)
        throw new DomainError('invalid', 'to: must not be before from', { details: [{ field: 'to', problem: 'before from' }] });
      if (Date.parse(to) - Date.parse(from) > MAX_RANGE_DAYS * 86_400_000)
        throw new DomainError('invalid', `to: at most ${MAX_RANGE_DAYS} days after from`, {
          details: [{ field: 'to', problem: `more than ${MAX_RANGE_DAYS} days after from` }],
        });
      return json(200, { maintenances: await service.maintenances.startingBetween(from, to, MAX_LIST) });
    },

    'GET /maintenances/{id}': async (event) => json(200, await service.get(pathParam(event))),

    'PATCH /maintenances/{id}': async (event) =>
      json(200, await service.reschedule(pathParam(event), parseBody(event, maintenancePatchSchema))),

    'POST /maintenances/{id}/events': async (event) =>
      json(202, await service.record(pathParam(event), parseBody(event, maintenanceEventSchema))),
  };
}

/** The schemas the maintenance routes validate requests with, by route key (for the API's description). */
export const maintenanceRequestSchemas = {
  'POST /maintenances': { body: newMaintenanceSchema },
  'PATCH /maintenances/{id}': { body: maintenancePatchSchema },
  'POST /maintenances/{id}/events': { body: maintenanceEventSchema },
};
