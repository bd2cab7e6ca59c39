import middy from '@middy/core';
import * as z from 'zod/mini';
import { lambda } from '../../infra/aws/lambda.ts';
import type { DepsOf } from '../../infra/aws/needs.ts';
import { stepOrWaitForEmail } from '../../kernel/outbox.ts';
import { runIssueStep } from '../../modules/issues/index.ts';
import declaration from './function.ts';

const inputSchema = z.object({
  issueId: z.string().check(z.minLength(1)),
  generation: z.optional(z.int().check(z.positive())),
  emailInFlight: z.optional(z.literal('wait')),
});

/** Step of the issue-lifecycle workflow (see runIssueStep): its input is the execution's ids. */
export const createHandler = (deps: DepsOf<typeof declaration.needs>) =>
  middy().handler(async (event: unknown) => {
    const { issueId, generation, emailInFlight } = inputSchema.parse(event);
    return stepOrWaitForEmail(() => runIssueStep(deps, issueId, generation), emailInFlight);
  });

export const handler = lambda(declaration, createHandler);
