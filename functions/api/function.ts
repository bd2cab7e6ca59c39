import { API_FUNCTION_TIMEOUT_SECONDS, defineFunction, email, settings, table, workflows } from '../../infra/aws/needs.ts';

export default defineFunction({
  // Behind API Gateway: done before its 30 s.
  timeoutSeconds: API_FUNCTION_TIMEOUT_SECONDS,
  needs: {
    store: table('read-write'),
    // A dispute by link tells the service manager.
    mailer: email(),
    workflows: workflows({ start: ['issue-lifecycle'], signal: ['issue-lifecycle', 'invoice-dunning'] }),
    settings: settings('apiTokens', 'bootstrapTokenOff', 'signIn', 'linkKey', 'linkKeys', 'fromAddress', 'inboundAddress', 'publicUrl'),
  },
});
