import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/workflow-manifest.ts';
import { DomainError, type ErrorKind, httpStatusOf } from '../../kernel/errors.ts';
import { asHttpError, validate } from '../../kernel/http.ts';
import * as z from 'zod';
import { sourceFiles } from '../support/sources.ts';

describe('one error vocabulary', () => {
  it('modules, functions and infra throw kinds, never an HTTP status', () => {
    const offenders = ['modules', 'functions', 'infra', 'kernel']
      .flatMap((folder) => sourceFiles(folder))
      .filter((file) => !file.endsWith('kernel/http.ts') && /new HttpError\(/.test(readFileSync(file, 'utf8')));
    expect(offenders.map((file) => file.slice(PROJECT_ROOT.length + 1))).toEqual([]);
  });

  it('each kind is one client status, the same for every entry', () => {
    const expected: Record<ErrorKind, number> = {
      invalid: 400,
      unauthorized: 401,
      forbidden: 403,
      'not-found': 404,
      conflict: 409,
      'too-large': 413,
      unprocessable: 422,
      unavailable: 503,
    };
    expect(httpStatusOf).toEqual(expected);
    for (const [kind, status] of Object.entries(expected))
      expect(asHttpError(new DomainError(kind as ErrorKind, 'why'))?.statusCode, kind).toBe(status);
  });

  it('an answer keeps the field and problem, the details and the headers', () => {
    expect(asHttpError(new DomainError('invalid', 'severity: no such severity', 'severity', 'no such severity'))).toMatchObject({
      statusCode: 400,
      details: [{ field: 'severity', problem: 'no such severity' }],
    });
    expect(asHttpError(new DomainError('unavailable', 'try again', { headers: { 'retry-after': '1' } }))).toMatchObject({
      statusCode: 503,
      headers: { 'retry-after': '1' },
    });
    let thrown: unknown;
    try {
      validate({ title: 5 }, z.object({ title: z.string() }));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DomainError);
    expect(asHttpError(thrown)).toMatchObject({ statusCode: 400, details: [{ field: 'title' }] });
  });

  it('an unknown error maps to nothing (the entry answers 500 and logs it)', () => {
    expect(asHttpError(new Error('boom'))).toBeUndefined();
  });
});
