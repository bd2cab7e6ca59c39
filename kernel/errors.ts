/**
 * One error model for every module: a domain error carries what kind of failure it is, and one
 * middleware (kernel/http.ts) turns the kind into the HTTP answer for every HTTP entry.
 */
export type ErrorKind =
  /** The input is well-formed but wrong (a field's value): 400 naming the field. */
  | 'invalid'
  /** What the request names does not exist: 404. */
  | 'not-found'
  /** The thing's state does not allow it, or it changed concurrently: 409. */
  | 'conflict';

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    /** For 'invalid': the field and its problem. */
    readonly field?: string,
    readonly problem?: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const httpStatusOf: Record<ErrorKind, number> = { invalid: 400, 'not-found': 404, conflict: 409 };
