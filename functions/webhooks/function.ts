import { API_FUNCTION_TIMEOUT_SECONDS, defineFunction, settings, table, workflows } from '../../infra/aws/needs.ts';
import { partitions as p } from '../../infra/table-schema.ts';

export default defineFunction({
  // Behind API Gateway: done before its 30 s.
  timeoutSeconds: API_FUNCTION_TIMEOUT_SECONDS,
  needs: {
    store: table({
      read: [p.customer, p.contact, p.domain, p.issue, p.policy, p.integrations, p.routingKeys, p.alert],
      // Contact pointers when the built-in triage customer is stored on first need.
      write: [p.customer, p.contact, p.domain, p.issue, p.counter, p.alert, p.audit],
    }),
    workflows: workflows({ start: ['issue-lifecycle'], signal: ['issue-lifecycle'] }),
    settings: settings('apiTokens', 'webhooksAcceptApiToken', 'unknownSender'),
  },
});
