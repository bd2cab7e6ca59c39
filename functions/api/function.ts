import { API_FUNCTION_TIMEOUT_SECONDS, defineFunction, email, settings, table, workflows } from '../../infra/aws/needs.ts';
import { indexPartitions as index, partitions as p } from '../../infra/table-schema.ts';

export default defineFunction({
  // Behind API Gateway: done before its 30 s.
  timeoutSeconds: API_FUNCTION_TIMEOUT_SECONDS,
  needs: {
    store: table({
      read: [
        p.customer,
        p.contact,
        p.domain,
        p.issue,
        p.invoice,
        p.policy,
        p.policies,
        p.integrations,
        p.routingKeys,
        p.quarantine,
        p.users,
        p.user,
        p.audit,
        p.idempotency,
      ],
      write: [
        p.customer,
        p.contact,
        p.domain,
        p.issue,
        p.counter,
        p.policy,
        p.policies,
        p.integrations,
        p.routingKeys,
        p.users,
        p.user,
        p.audit,
        p.idempotency,
        p.messageId,
        p.bounce,
      ],
      // Sender pointers a customer no longer has, a removed integration, an email's claim given back, an idempotency claim released.
      delete: [p.customer, p.contact, p.domain, p.issue, p.integrations, p.routingKeys, p.idempotency],
      indexes: { gsi1: [index.customerHistory], gsi3: [index.issuesByStatus, index.customerList] },
    }),
    // A dispute by link tells the service manager.
    mailer: email(),
    workflows: workflows({ start: ['issue-lifecycle'], signal: ['issue-lifecycle', 'invoice-dunning'] }),
    settings: settings('apiTokens', 'bootstrapTokenOff', 'signIn', 'linkKey', 'linkKeys', 'fromAddress', 'inboundAddress', 'publicUrl'),
  },
});
