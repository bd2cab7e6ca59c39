import middy from '@middy/core';
import { lambda } from '../../infra/aws/lambda.ts';
import type { DepsOf } from '../../infra/aws/needs.ts';
import { handOverLegacyRun } from '../../kernel/case-loop.ts';
import { issueIdentity } from '../../modules/issues/serve/issue-wait.ts';
import declaration from './function.ts';

/**
 * The wait state of issue-lifecycle runs started before the case loop (two states, Step and
 * WaitForEventOrDeadline): each hands over to the issue's next run, a case loop, at its next wake.
 */
export const createHandler = (deps: DepsOf<typeof declaration.needs>) =>
  middy().handler((event: unknown) => handOverLegacyRun(deps, issueIdentity, event));

export const handler = lambda(declaration, createHandler);
