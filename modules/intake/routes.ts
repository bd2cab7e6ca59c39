import type { Deps } from '../../kernel/deps.ts';
import { json, parseBody, pathParam, type RouteHandler } from '../../kernel/http.ts';
import { CustomerDirectory } from '../customers/index.ts';
import { AlertRepository } from './alert-repository.ts';
import { integrationSchema } from './alerts.ts';
import { MailQuarantine } from './mail-quarantine.ts';
import { DomainError } from '../../kernel/errors.ts';

/** Integrations there may be at most (GET /integrations answers them whole). */
export const MAX_INTEGRATIONS = 100;

/** Integrations: each webhook sender's own secret, default customer and severity mapping. */
export function integrationRoutes(deps: Pick<Deps, 'store'>): Record<string, RouteHandler> {
  const alerts = new AlertRepository(deps.store);
  const customers = new CustomerDirectory(deps.store);
  return {
    'GET /integrations': async () =>
      json(200, {
        integrations: (await alerts.integrations()).map(({ secret, ...rest }) => ({ ...rest, secret: secret ? '(set)' : undefined })),
      }),

    /** Inbound mail SES judged spam or a virus: set aside, never an issue (newest first, at most 100 of the last 90 days). */
    'GET /mail/quarantine': async () => {
      const mail = await new MailQuarantine(deps.store).newest();
      return json(200, { count: mail.length, mail });
    },

    /** Removes an integration: its sender's secret stops working (a kind's default integration falls back to the API token). */
    'DELETE /integrations/{name}': async (event) => {
      const name = pathParam(event, 'name');
      if (!(await alerts.deleteIntegration(name))) throw new DomainError('not-found', `integration ${name} not found`);
      return { statusCode: 204, body: '' };
    },

    'PUT /integrations/{name}': async (event) => {
      const name = pathParam(event, 'name');
      if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(name))
        throw new DomainError('invalid', 'name: lower-case letters, digits and -, at most 64', {
          details: [{ field: 'name', problem: 'invalid name' }],
        });
      const integration = { ...parseBody(event, integrationSchema), name };
      if (integration.defaultCustomerId && !(await customers.getCustomer(integration.defaultCustomerId))) {
        throw new DomainError('invalid', `defaultCustomerId: no customer "${integration.defaultCustomerId}"`, {
          details: [{ field: 'defaultCustomerId', problem: 'unknown customer' }],
        });
      }
      const existing = await alerts.integrations();
      if (existing.length >= MAX_INTEGRATIONS && !existing.some((stored) => stored.name === name))
        throw new DomainError('conflict', `name: there are ${existing.length} integrations, the most there may be; replace or delete one`, {
          details: [{ field: 'name', problem: `at most ${MAX_INTEGRATIONS} integrations` }],
        });
      await alerts.putIntegration(integration);
      return json(200, { ...integration, secret: integration.secret ? '(set)' : undefined });
    },
  };
}

/** The schemas the integration routes validate requests with, by route key (for the API's description). */
export const integrationRequestSchemas = { 'PUT /integrations/{name}': { body: integrationSchema } };
