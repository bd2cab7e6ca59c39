import middy from '@middy/core';
import * as z from 'zod/mini';
import { lambda } from '../../infra/aws/lambda.ts';
import type { DepsOf } from '../../infra/aws/needs.ts';
import { runIssueStep } from '../../modules/issues/index.ts';
import declaration from './function.ts';

const inputSchema = z.object({ issueId: z.string().check(z.minLength(1)), generation: z.optional(z.int().check(z.positive())) });

/** Step of the issue-lifecycle workflow (see runIssueStep): its input is the execution's ids. */
export const createHandler = (deps: DepsOf<typeof declaration.needs>) =>
  middy().handler(async (event: unknown) => {
    const { issueId, generation } = inputSchema.parse(event);
    return runIssueStep(deps, issueId, generation);
  });

export const handler = lambda(declaration, createHandler);
