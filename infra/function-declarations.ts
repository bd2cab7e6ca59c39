import api from '../functions/api/function.ts';
import dunningRun from '../functions/dunning-run/function.ts';
import dunningStep from '../functions/dunning-step/function.ts';
import dunningWait from '../functions/dunning-wait/function.ts';
import inboundEmail from '../functions/inbound-email/function.ts';
import invoiceImport from '../functions/invoice-import/function.ts';
import invoices from '../functions/invoices/function.ts';
import issueStep from '../functions/issue-step/function.ts';
import issueWait from '../functions/issue-wait/function.ts';
import maintenanceStep from '../functions/maintenance-step/function.ts';
import reconcile from '../functions/reconcile/function.ts';
import sesFeedback from '../functions/ses-feedback/function.ts';
import webhooks from '../functions/webhooks/function.ts';
import type { FunctionDeclaration } from './aws/needs.ts';

/**
 * What each function declares next to its handler (functions/<name>/function.ts), by function
 * folder: CDK grants and configures from it, the embedded runtime gives each handler only what it
 * declares. A test checks that every function folder is here.
 */
export const functionDeclarations: Record<string, FunctionDeclaration> = {
  api,
  'dunning-run': dunningRun,
  'dunning-step': dunningStep,
  'dunning-wait': dunningWait,
  'inbound-email': inboundEmail,
  'invoice-import': invoiceImport,
  invoices,
  'issue-step': issueStep,
  'issue-wait': issueWait,
  'maintenance-step': maintenanceStep,
  reconcile,
  'ses-feedback': sesFeedback,
  webhooks,
};

export function declarationOf(name: string): FunctionDeclaration {
  const declaration = functionDeclarations[name];
  if (!declaration) throw new Error(`functions/${name} has no declaration in infra/function-declarations.ts`);
  return declaration;
}
