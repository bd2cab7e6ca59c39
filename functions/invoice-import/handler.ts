import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { lambda } from '../../infra/aws/lambda.ts';
import type { DepsOf } from '../../infra/aws/needs.ts';
import { ImportJobs } from '../../modules/receivables/index.ts';
import declaration from './function.ts';
import { sliceBudget } from '../../kernel/slice-budget.ts';

const work = z.object({ jobId: z.string(), giveUp: z.optional(z.boolean()), error: z.optional(z.string()) });
/** A slice is started only with at least this share of the invocation left. */
const SLICE_MARGIN = 0.25;

/** Runs an invoice import job (workflows/invoice-import.asl.json): slices until done, or gives it up when the workflow's retries ran out. */
export const createHandler = (deps: DepsOf<typeof declaration.needs>) =>
  middy().handler(async (event: unknown, context: Context) => {
    const input = work.parse(event);
    const jobs = new ImportJobs(deps);
    const timeLeftMs = sliceBudget(() => context.getRemainingTimeInMillis(), SLICE_MARGIN);
    return input.giveUp ? jobs.giveUp(input.jobId, input.error ?? 'unknown error', timeLeftMs) : jobs.work(input.jobId, timeLeftMs);
  });

export const handler = lambda(declaration, createHandler);
