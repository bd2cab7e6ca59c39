import { currentSession, signIn } from './auth.ts';

/** A refusal of the API, with its message and the fields it names. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** The problems of a refusal, one line: the message and every field it names. */
export function problemsOf(failure: unknown): string {
  return [(failure as Error).message, ...fieldProblems(failure)].join(' · ');
}

/** Each field a refusal names, as "field: problem". */
export function fieldProblems(failure: unknown): string[] {
  const details = failure instanceof ApiError && Array.isArray(failure.details) ? failure.details : [];
  return details.map((detail: { field: string; problem: string }) => `${detail.field}: ${detail.problem}`);
}

/** Calls the Steward API on this origin with the signed-in person's ID token; an expired session signs in again. */
export async function api<T>(path: string, init: { method?: string; body?: unknown; csv?: string } = {}): Promise<T> {
  const session = currentSession();
  if (!session) return signIn();
  const [contentType, payload] =
    init.csv !== undefined ? ['text/csv', init.csv] : init.body !== undefined ? ['application/json', JSON.stringify(init.body)] : [];
  const response = await fetch(path, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${session.idToken}`, ...(contentType ? { 'content-type': contentType } : {}) },
    body: payload,
  });
  if (response.status === 401) return signIn();
  const text = await response.text();
  const body = text ? JSON.parse(text) : undefined;
  if (!response.ok) throw new ApiError(response.status, body?.error ?? `HTTP ${response.status}`, body?.details);
  return body as T;
}
