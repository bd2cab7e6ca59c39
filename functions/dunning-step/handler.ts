import middy from '@middy/core';
import * as z from 'zod/mini';
import { lambda } from '../../infra/aws/lambda.ts';
import type { DepsOf } from '../../infra/aws/needs.ts';
import { stepOrWaitForEmail } from '../../kernel/outbox.ts';
import { runDunningStep } from '../../modules/receivables/index.ts';
import declaration from './function.ts';

const inputSchema = z.object({
  customerId: z.string().check(z.minLength(1)),
  generation: z.int().check(z.positive()),
  emailInFlight: z.optional(z.literal('wait')),
});

/** Step of the invoice-dunning workflow (see runDunningStep): its input is the execution's ids. */
export const createHandler = (deps: DepsOf<typeof declaration.needs>) =>
  middy().handler(async (event: unknown) => {
    const { customerId, generation, emailInFlight } = inputSchema.parse(event);
    return stepOrWaitForEmail(() => runDunningStep(deps, customerId, generation), emailInFlight);
  });

export const handler = lambda(declaration, createHandler);
