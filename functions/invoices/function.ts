import { API_FUNCTION_TIMEOUT_SECONDS, blobs, defineFunction, email, settings, table, workflows } from '../../infra/aws/needs.ts';
import { IMPORTS_PREFIX } from '../../modules/receivables/index.ts';

export default defineFunction({
  // Behind API Gateway: done before its 30 s.
  timeoutSeconds: API_FUNCTION_TIMEOUT_SECONDS,
  needs: {
    store: table({
      read: ['CUSTOMER#*', 'INVOICE#*', 'IMPORT#*', 'POLICY#*', 'USERS', 'USER#*', 'IDEMPOTENCY#*'],
      write: ['CUSTOMER#*', 'INVOICE#*', 'IMPORT#*', 'USER#*', 'AUDIT#*', 'IDEMPOTENCY#*', 'MSGID#*', 'BOUNCE#*'],
      delete: ['CUSTOMER#*', 'INVOICE#*', 'IDEMPOTENCY#*'],
      indexes: { gsi3: ['INVOICES#*', 'CUSTOMERS'] },
    }),
    mailer: email(),
    workflows: workflows({ signal: ['invoice-dunning'], start: ['invoice-import'] }),
    settings: settings('apiTokens', 'bootstrapTokenOff', 'signIn', 'stripeWebhookSecret', 'fromAddress', 'linkKey', 'inboundAddress'),
    blobs: blobs('read-write', IMPORTS_PREFIX), // long CSV files wait here for their import job
  },
});
