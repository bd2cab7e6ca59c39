import middy from '@middy/core';
import { lambda } from '../../infra/aws/lambda.ts';
import type { DepsOf } from '../../infra/aws/needs.ts';
import { caseFunction } from '../../kernel/case-loop.ts';
import { dunningCase } from '../../modules/receivables/index.ts';
import declaration from './function.ts';

/** Each turn of the invoice-dunning case loop (kernel/case-loop.ts), and the Step of runs started before it. */
export const createHandler = (deps: DepsOf<typeof declaration.needs>) =>
  middy().handler((event: unknown) => caseFunction(deps, dunningCase(deps), event));

export const handler = lambda(declaration, createHandler);
