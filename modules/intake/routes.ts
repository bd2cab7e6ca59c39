import type { Deps } from '../../kernel/deps.ts';
import { HttpError, json, parseBody, pathParam, type RouteHandler } from '../../kernel/http.ts';
import { CustomerRepository } from '../customers/index.ts';
import { AlertRepository } from './alert-repository.ts';
import { integrationSchema } from './alerts.ts';
import { MailQuarantine } from './mail-quarantine.ts';

/** Integrations: each webhook sender's own secret, default customer and severity mapping. */
export function integrationRoutes(deps: Pick<Deps, 'store'>): Record<string, RouteHandler> {
  const alerts = new AlertRepository(deps.store);
  const customers = new CustomerRepository(deps.store);
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

    'PUT /integrations/{name}': async (event) => {
      const name = pathParam(event, 'name');
      if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(name))
        throw new HttpError(400, 'name: lower-case letters, digits and -, at most 64', [{ field: 'name', problem: 'invalid name' }]);
      const integration = { ...parseBody(event, integrationSchema), name };
      if (integration.defaultCustomerId && !(await customers.getCustomer(integration.defaultCustomerId))) {
        throw new HttpError(400, `defaultCustomerId: no customer "${integration.defaultCustomerId}"`, [
          { field: 'defaultCustomerId', problem: 'unknown customer' },
        ]);
      }
      await alerts.putIntegration(integration);
      return json(200, { ...integration, secret: integration.secret ? '(set)' : undefined });
    },
  };
}
