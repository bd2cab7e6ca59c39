import { API_FUNCTION_TIMEOUT_SECONDS, blobs, defineFunction, email, settings, table, workflows } from '../../infra/aws/needs.ts';
import { IMPORTS_PREFIX } from '../../modules/receivables/index.ts';
import { indexPartitions as index, partitions as p } from '../../infra/table-schema.ts';

export default defineFunction({
  // Behind API Gateway: done before its 30 s.
  timeoutSeconds: API_FUNCTION_TIMEOUT_SECONDS,
  needs: {
    store: table({
      read: [p.customer, p.invoice, p.importJob, p.policy, p.users, p.user, p.idempotency],
      write: [p.customer, p.invoice, p.importJob, p.user, p.audit, p.idempotency, p.messageId, p.bounce],
      delete: [p.customer, p.invoice, p.idempotency],
      indexes: { gsi3: [index.invoicesByStatus, index.customerList] },
    }),
    mailer: email(),
    workflows: workflows({ signal: ['invoice-dunning'], start: ['invoice-import'] }),
    settings: settings('apiTokens', 'bootstrapTokenOff', 'signIn', 'stripeWebhookSecret', 'fromAddress', 'linkKey', 'inboundAddress'),
    blobs: blobs('read-write', IMPORTS_PREFIX), // long CSV files wait here for their import job
  },
});
