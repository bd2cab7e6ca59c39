import middy from '@middy/core';
import { lambda } from '../../infra/aws/lambda.ts';
import type { DepsOf } from '../../infra/aws/needs.ts';
import { handOverLegacyRun } from '../../kernel/case-loop.ts';
import { dunningIdentity } from '../../modules/receivables/serve/dunning-wait.ts';
import declaration from './function.ts';

/**
 * The wait state of invoice-dunning runs started before the case loop (two states, Step and
 * WaitForRunOrChange): each hands over to the cycle's next run, a case loop, at its next wake.
 */
export const createHandler = (deps: DepsOf<typeof declaration.needs>) =>
  middy().handler((event: unknown) => handOverLegacyRun(deps, dunningIdentity, event));

export const handler = lambda(declaration, createHandler);
