import { blobs, defineFunction, table, workflows } from '../../infra/aws/needs.ts';
import { IMPORTS_PREFIX } from '../../modules/receivables/index.ts';

/** One slice of an import job after another, checkpointed: it stops itself well before Lambda's longest timeout. */
export default defineFunction({
  timeoutSeconds: 900,
  needs: {
    store: table({
      read: ['CUSTOMER#*', 'INVOICE#*', 'IMPORT#*', 'POLICY#*'],
      write: ['CUSTOMER#*', 'INVOICE#*', 'IMPORT#*'],
      delete: ['INVOICE#*'], // an invoice filed under another customer moves
    }),
    workflows: workflows({ signal: ['invoice-dunning'] }),
    blobs: blobs('read-write', IMPORTS_PREFIX), // the file is deleted when the job ends
  },
});
