import middy from '@middy/core';
import { lambda } from '../../infra/aws/lambda.ts';
import type { DepsOf } from '../../infra/aws/needs.ts';
import { caseFunction } from '../../kernel/case-loop.ts';
import { maintenanceCase } from '../../modules/maintenance/index.ts';
import declaration from './function.ts';

/** Each turn of the maintenance-notices case loop (kernel/case-loop.ts): the affected customers' due emails. */
export const createHandler = (deps: DepsOf<typeof declaration.needs>) =>
  middy().handler((event: unknown) => caseFunction(deps, maintenanceCase(deps), event));

export const handler = lambda(declaration, createHandler);
