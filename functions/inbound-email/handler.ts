import middy from '@middy/core';
import { lambda } from '../../infra/aws/lambda.ts';
import type { DepsOf } from '../../infra/aws/needs.ts';
import { inboundEmail } from '../../modules/intake/index.ts';
import declaration from './function.ts';

/** Inbound mail: the SES receipt event (locally the SMTP listener's) after the raw message is stored. */
export const createHandler = (deps: DepsOf<typeof declaration.needs>) => middy().handler(inboundEmail(deps));

export const handler = lambda(declaration, createHandler);
