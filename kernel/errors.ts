/**
 * One error model for every module: a domain error carries what kind of failure it is, and one
 * mapping (`asHttpError` in kernel/http.ts) turns the kind into the HTTP answer for every HTTP entry
 * and the link pages. Modules throw these, never an HTTP status.
 */
export type ErrorKind =
  /** The input is well-formed but wrong (a field's value): 400 naming the field. */
  | 'invalid'
  /** No valid credential (a token, a signature): 401. */
  | 'unauthorized'
  /** A valid credential whose roles do not allow it: 403. */
  | 'forbidden'
  /** What the request names does not exist: 404. */
  | 'not-found'
  /** The thing's state does not allow it, or it changed concurrently: 409. */
  | 'conflict'
  /** The request or what it would store is larger than allowed: 413. */
  | 'too-large'
  /** Well-formed and valid, but it contradicts an earlier request (an idempotency key reused): 422. */
  | 'unprocessable'
  /** Steward or a service it needs cannot answer now; the client may try again (Retry-After): 503. */
  | 'unavailable';

/** What an answer carries besides its message: the problems by field (or other details) and headers. */
export interface ErrorExtras {
  details?: unknown;
  headers?: Record<string, string>;
}

export class DomainError extends Error {
  /** For 'invalid': the field and its problem. */
  readonly field?: string;
  readonly problem?: string;
  readonly details?: unknown;
  readonly headers?: Record<string, string>;

  constructor(kind: ErrorKind, message: string, field?: string, problem?: string);
  constructor(kind: ErrorKind, message: string, extras: ErrorExtras);
  constructor(
    readonly kind: ErrorKind,
    message: string,
    fieldOrExtras?: string | ErrorExtras,
    problem?: string,
  ) {
    super(message);
    this.name = 'DomainError';
    if (typeof fieldOrExtras === 'string') {
      this.field = fieldOrExtras;
      this.problem = problem;
    } else if (fieldOrExtras) {
      this.details = fieldOrExtras.details;
      this.headers = fieldOrExtras.headers;
    }
  }
}

export const httpStatusOf: Record<ErrorKind, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'too-large': 413,
  unprocessable: 422,
  unavailable: 503,
};
