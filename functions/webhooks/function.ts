import { API_FUNCTION_TIMEOUT_SECONDS, defineFunction, settings, table, workflows } from '../../infra/aws/needs.ts';

export default defineFunction({
  // Behind API Gateway: done before its 30 s.
  timeoutSeconds: API_FUNCTION_TIMEOUT_SECONDS,
  needs: {
    store: table({
      read: ['CUSTOMER#*', 'CONTACT#*', 'DOMAIN#*', 'ISSUE#*', 'POLICY#*', 'INTEGRATION', 'ROUTINGKEY', 'ALERT#*'],
      // Contact pointers when the built-in triage customer is stored on first need.
      write: ['CUSTOMER#*', 'CONTACT#*', 'DOMAIN#*', 'ISSUE#*', 'COUNTER', 'ALERT#*', 'AUDIT#*'],
    }),
    workflows: workflows({ start: ['issue-lifecycle'], signal: ['issue-lifecycle'] }),
    settings: settings('apiTokens', 'webhooksAcceptApiToken', 'unknownSender'),
  },
});
