import { InvalidEvent, InvalidTransition } from '../../domain/issues.ts';
import { HttpError } from '../http.ts';
import { IssueServiceError } from '../issue-service.ts';

/** The issue service's errors as HTTP answers. */
export async function asHttp<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof InvalidTransition) throw new HttpError(409, error.message);
    if (error instanceof InvalidEvent) throw new HttpError(400, error.message, [{ field: error.field, problem: error.problem }]);
    if (error instanceof IssueServiceError) {
      if (error.kind === 'issue-not-found') throw new HttpError(404, error.message);
      if (error.kind === 'customer-not-found') throw new HttpError(400, `customerId: ${error.message}`, [{ field: 'customerId', problem: 'unknown customer' }]);
      throw new HttpError(409, error.message);
    }
    throw error;
  }
}

