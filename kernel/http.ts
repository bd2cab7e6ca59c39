import { timingSafeEqual } from 'node:crypto';
import type middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import type * as z from 'zod';
import { DomainError, httpStatusOf } from './errors.ts';
import type { Telemetry } from './telemetry.ts';

export type ApiEvent = APIGatewayProxyEventV2;
export type ApiResult = Exclude<APIGatewayProxyResultV2, string>;

/**
 * A failure as HTTP answers it: a status and a reason the caller can act on. Only the mapping below
 * makes one; everything else throws a DomainError of the kind it means.
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly details?: unknown,
    /** Headers of the answer (`retry-after` on a 503). */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): ApiResult {
  return { statusCode, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

export function html(statusCode: number, body: string): ApiResult {
  return {
    statusCode,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'x-robots-tag': 'noindex',
      // The link pages need only their inline style and a form that posts to themselves; nobody may frame them.
      'content-security-policy':
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
    },
    body,
  };
}

export function bodyText(event: ApiEvent): string {
  return event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
}

/** Parses the JSON body and validates it; a 400 names every field and its problem. */
export function parseBody<T extends z.ZodType>(event: ApiEvent, schema: T): z.infer<T> {
  let raw: unknown;
  try {
    const text = bodyText(event);
    raw = text === '' ? undefined : JSON.parse(text);
  } catch (error) {
    throw new DomainError('invalid', `request body is not valid JSON: ${(error as Error).message}`);
  }
  if (raw === undefined) throw new DomainError('invalid', 'request body is required');
  return validate(raw, schema);
}

/** Validates a value; a 400 names every field (under `at` when the value is part of a larger body) and its problem. */
export function validate<T extends z.ZodType>(value: unknown, schema: T, at?: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => ({
      field: [at, ...issue.path].filter((part) => part !== undefined).join('.') || '(body)',
      problem: issue.message,
    }));
    throw new DomainError('invalid', problems.map((p) => `${p.field}: ${p.problem}`).join('; '), { details: problems });
  }
  return result.data;
}

/**
 * The one mapping of errors to HTTP, for every HTTP entry and the link pages: a domain error as the
 * answer its kind means (a bad field 400 naming it, a missing thing 404, a wrong state or a
 * concurrent change 409, …), a throttle that outlasted the SDK's retries as a 503; anything else is
 * not the client's doing (undefined: a 500).
 */
export function asHttpError(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  if (error instanceof DomainError) {
    const details = error.details ?? (error.field ? [{ field: error.field, problem: error.problem ?? error.message }] : undefined);
    return new HttpError(httpStatusOf[error.kind], error.message, details, error.headers);
  }
  if (isThrottle(error))
    return new HttpError(503, 'Steward is busy just now; try again in a moment', undefined, { 'retry-after': String(RETRY_AFTER_SECONDS) });
  return undefined;
}

/** How long a client is asked to wait after a throttle (a 503 with Retry-After). */
const RETRY_AFTER_SECONDS = 1;
/** The errors AWS answers when a request rate is above what the service gives now (after the SDK's own retries). */
const THROTTLES = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'SlowDown',
]);

/** A throttle that outlasted the SDK's retries: the client may simply try again later. */
export function isThrottle(error: unknown): boolean {
  const candidate = error as { name?: string; $retryable?: { throttling?: boolean } } | undefined;
  return THROTTLES.has(candidate?.name ?? '') || candidate?.$retryable?.throttling === true;
}

/** Turns thrown errors into JSON responses, the one error mapping of every HTTP entry; anything unknown is a 500. */
export const httpErrors = (telemetry: Telemetry): middy.MiddlewareObj<ApiEvent, ApiResult> => ({
  onError: async (request) => {
    const error = request.error as Error;
    const known = asHttpError(error);
    if (known) {
      request.response = json(
        known.statusCode,
        { error: known.message, ...(known.details ? { details: known.details } : {}) },
        known.headers,
      );
      return;
    }
    telemetry.error('unhandled error', error, { routeKey: request.event.routeKey });
    request.response = json(500, { error: 'internal error' });
  },
});

/** The token of an "Authorization: Bearer <token>" header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer\s+(.+)$/i.exec(header ?? '')?.[1].trim();
}

/** Whether `given` equals any of `secrets` (the current one, one rotated out), each compared in constant time. */
export const equalsAny = (given: string, secrets: readonly string[]): boolean => secrets.some((secret) => constantTimeEqual(given, secret));

export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export type RouteHandler = (event: ApiEvent) => Promise<ApiResult>;

/** Ids in paths are short: every stored id is at most 64 characters, and DynamoDB keys have a byte limit. */
export const MAX_PATH_PARAM = 200;

/** A path parameter the route requires, at most MAX_PATH_PARAM characters. */
export function pathParam(event: ApiEvent, name = 'id'): string {
  const value = event.pathParameters?.[name];
  if (!value) throw new DomainError('invalid', `missing ${name} in path`);
  if (value.length > MAX_PATH_PARAM)
    throw new DomainError('invalid', `${name}: at most ${MAX_PATH_PARAM} characters`, {
      details: [{ field: name, problem: `longer than ${MAX_PATH_PARAM} characters` }],
    });
  return value;
}

/** Dispatches on API Gateway's routeKey ("POST /issues/{id}/events"). */
export function router(routes: Record<string, RouteHandler>): RouteHandler {
  return async (event) => {
    const route = routes[event.routeKey];
    if (!route) throw new DomainError('not-found', `no route ${event.routeKey}`);
    return route(event);
  };
}
