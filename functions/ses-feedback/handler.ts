import middy from '@middy/core';
import { lambda } from '../../infra/aws/lambda.ts';
import type { DepsOf } from '../../infra/aws/needs.ts';
import { sesFeedback } from '../../modules/intake/index.ts';
import declaration from './function.ts';

/** SES Bounce and Complaint events: the configuration set's SNS topic (locally the SES mailbox simulator addresses). */
export const createHandler = (deps: DepsOf<typeof declaration.needs>) => middy().handler(sesFeedback(deps));

export const handler = lambda(declaration, createHandler);
