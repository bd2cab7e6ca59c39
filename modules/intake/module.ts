import { defineModule } from '../../kernel/module.ts';

/** Intake: monitoring alerts (webhooks) and inbound email, turned into issues and their events. */
export default defineModule({
  name: 'intake',
  partitions: {
    /** Monitoring integrations, their routing keys, and the alerts they opened issues for. */
    integrations: 'INTEGRATION',
    routingKeys: 'ROUTINGKEY',
    alert: 'ALERT#*',
    /** Inbound mail no customer could be found for. */
    quarantine: 'QUARANTINE',
  },
  routes: [
    { method: 'GET', path: '/integrations', function: 'api', permission: 'integrations:read' },
    { method: 'PUT', path: '/integrations/{name}', function: 'api', permission: 'integrations:write' },
    { method: 'DELETE', path: '/integrations/{name}', function: 'api', permission: 'integrations:write' },
    { method: 'GET', path: '/mail/quarantine', function: 'api', permission: 'mail:read' },
    // Monitoring webhooks: each authenticates its own way (bearer, HMAC, routing key), in the handler.
    { method: 'POST', path: '/webhooks/alertmanager', function: 'webhooks', permission: 'public' },
    { method: 'POST', path: '/webhooks/grafana', function: 'webhooks', permission: 'public' },
    { method: 'POST', path: '/webhooks/pagerduty', function: 'webhooks', permission: 'public' },
    { method: 'POST', path: '/v2/enqueue', function: 'webhooks', permission: 'public' },
    { method: 'POST', path: '/webhooks/datadog', function: 'webhooks', permission: 'public' },
    { method: 'POST', path: '/webhooks/generic', function: 'webhooks', permission: 'public' },
  ],
});
