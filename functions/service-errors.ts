import { InvalidInvoiceEvent } from '../domain/invoices.ts';
import { InvalidEvent, InvalidTransition } from '../domain/issues.ts';
import { DunningServiceError } from './dunning-service.ts';
import { HttpError } from './http.ts';
import { IssueServiceError } from './issue-service.ts';

/** The issue and dunning services' errors as HTTP answers: a wrong state 409, a bad field 400, a missing thing 404. */
export async function asHttp<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof InvalidTransition || error instanceof InvalidInvoiceEvent) throw new HttpError(409, error.message);
    if (error instanceof InvalidEvent) throw new HttpError(400, error.message, [{ field: error.field, problem: error.problem }]);
    if (error instanceof IssueServiceError || error instanceof DunningServiceError) {
      if (error.kind === 'issue-not-found' || error.kind === 'invoice-not-found') throw new HttpError(404, error.message);
      if (error.kind === 'customer-not-found')
        throw new HttpError(400, `customerId: ${error.message}`, [{ field: 'customerId', problem: 'unknown customer' }]);
      throw new HttpError(409, error.message);
    }
    throw error;
  }
}
