import { withModuleKeys } from '../../infra/table-schema.ts';
import { API_FUNCTION_TIMEOUT_SECONDS, defineFunction, email, settings, table, workflows } from '../../infra/aws/needs.ts';

export default defineFunction({
  // Behind API Gateway: done before its 30 s.
  timeoutSeconds: API_FUNCTION_TIMEOUT_SECONDS,
  needs: {
    // Its own keys, and those of the modules whose routes it serves (their manifests' `tables.api`).
    store: table(
      withModuleKeys('api', {
        read: [
          'CUSTOMER#*',
          'CONTACT#*',
          'DOMAIN#*',
          'ISSUE#*',
          'INVOICE#*',
          'POLICY#*',
          'POLICIES',
          'INTEGRATION',
          'ROUTINGKEY',
          'QUARANTINE',
          'USERS',
          'USER#*',
          'AUDIT#*',
          'IDEMPOTENCY#*',
        ],
        write: [
          'CUSTOMER#*',
          'CONTACT#*',
          'DOMAIN#*',
          'ISSUE#*',
          'COUNTER',
          'POLICY#*',
          'POLICIES',
          'INTEGRATION',
          'ROUTINGKEY',
          'USERS',
          'USER#*',
          'AUDIT#*',
          'IDEMPOTENCY#*',
          'MSGID#*',
          'BOUNCE#*',
        ],
        // Sender pointers a customer no longer has, a removed integration, an email's claim given back, an idempotency claim released.
        delete: ['CUSTOMER#*', 'CONTACT#*', 'DOMAIN#*', 'ISSUE#*', 'INTEGRATION', 'ROUTINGKEY', 'IDEMPOTENCY#*'],
        indexes: { gsi1: ['CUSTOMER#*'], gsi3: ['ISSUES#*', 'CUSTOMERS'] },
      }),
    ),
    // A dispute by link tells the service manager.
    mailer: email(),
    workflows: workflows({
      start: ['issue-lifecycle', 'maintenance-notices'],
      signal: ['issue-lifecycle', 'invoice-dunning', 'maintenance-notices'],
    }),
    settings: settings('apiTokens', 'bootstrapTokenOff', 'signIn', 'linkKey', 'linkKeys', 'fromAddress', 'inboundAddress', 'publicUrl'),
  },
});
