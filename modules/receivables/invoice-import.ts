import { randomUUID } from 'node:crypto';
import type { Deps } from '../../kernel/deps.ts';
import { ConditionFailed, strip } from '../../kernel/dynamo-store.ts';
import { DomainError } from '../../kernel/errors.ts';
import { changeInvoices, type DunningDeps } from './dunning-service.ts';
import { parseInvoiceCsv } from './invoice-csv.ts';
import { InvoiceRepository } from './invoice-repository.ts';
import { type NewInvoice, upsertInvoice } from './invoices.ts';

/** Rows a file may have. */
export const MAX_IMPORT_ROWS = 50_000;
/** Files up to this many rows are written within the request; longer ones by an import job. */
export const SYNC_IMPORT_ROWS = 2_000;
/** The workflow that drives an import job (workflows/invoice-import.asl.json), and where its file waits. */
export const IMPORT_WORKFLOW = 'invoice-import';
export const IMPORTS_PREFIX = 'imports/';
/** Ids claimed, and rows written, per checkpoint of a job. */
const CLAIM_CHUNK = 500;
const WRITE_CHUNK = 1_000;

export interface ImportJob {
  id: string;
  status: 'running' | 'done' | 'failed';
  rows: number;
  /** Rows whose invoice id this job claimed (new invoices); the rest update invoices that existed. */
  created: number;
  updated: number;
  /** Progress: rows claimed, rows written (customer by customer), customers done; after a failure, claims released again. */
  claimed: number;
  written: number;
  customersWritten: number;
  customers: number;
  released?: number;
  /** Why the job fails; set while its claims are being released. */
  failure?: string;
  createdAt: string;
  finishedAt?: string;
  error?: string;
}

const jobKey = (id: string) => ({ pk: `IMPORT#${id}`, sk: 'META' });
const fileKey = (id: string) => `${IMPORTS_PREFIX}${id}.csv`;
export const importExecutionName = (id: string) => `import-${id}`;

/** Rows grouped by customer, in the order customers first appear. */
export function byCustomer<T extends Pick<NewInvoice, 'customerId'>>(inputs: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const input of inputs) {
    const group = groups.get(input.customerId);
    if (group) group.push(input);
    else groups.set(input.customerId, [input]);
  }
  return groups;
}

/** Upserts one customer's rows (its existence checked by the caller); the counts are those of the attempt that was written. */
export async function upsertCustomerInvoices(deps: DunningDeps, customerId: string, rows: NewInvoice[]) {
  const at = deps.clock.now().toISOString();
  let attempt = { created: 0, updated: 0 };
  await changeInvoices(deps, customerId, (invoices, today) => {
    const existing = new Map(invoices.map((invoice) => [invoice.id, invoice]));
    attempt = { created: 0, updated: 0 };
    return rows.map((row) => {
      const before = existing.get(row.id);
      if (before) attempt.updated++;
      else attempt.created++;
      return { ...upsertInvoice(before, row, at, today), version: before?.version };
    });
  });
  return attempt;
}

type ImportDeps = DunningDeps & Pick<Deps, 'blobs'>;

/**
 * Slice sizes for one invocation: 100 rows first, doubling up to `cap`. A slow machine (or a
 * throttled table) then still finishes a first slice within the time left, where a full chunk
 * timed out on every retry and the job gave up.
 */
function growingSlices(cap: number): () => number {
  let size = Math.min(100, cap);
  return () => {
    const now = size;
    size = Math.min(cap, size * 2);
    return now;
  };
}

/**
 * Import jobs: a file too long for one request is kept in the bucket and written by the
 * invoice-import workflow in checkpointed slices, so a timeout or a crash resumes where it stopped.
 * Whole-file semantics hold as for a short file: every id is claimed for its customer first (a
 * claim carries the job, so a retried slice knows its own claims), and a file that meets another
 * customer's invoice releases its claims and writes nothing.
 */
export class ImportJobs {
  constructor(private readonly deps: ImportDeps) {}

  async get(id: string): Promise<ImportJob | undefined> {
    const item = await this.deps.store.get(jobKey(id));
    return item ? (strip(item) as unknown as ImportJob) : undefined;
  }

  /** Keeps the (validated) file and records the job; the caller starts its workflow. */
  async create(text: string, rows: NewInvoice[]): Promise<ImportJob> {
    const id = randomUUID();
    await this.deps.blobs.put(fileKey(id), Buffer.from(text, 'utf8'));
    const job: ImportJob = {
      id,
      status: 'running',
      rows: rows.length,
      created: 0,
      updated: 0,
      claimed: 0,
      written: 0,
      customersWritten: 0,
      customers: byCustomer(rows).size,
      released: 0,
      createdAt: this.deps.clock.now().toISOString(),
    };
    await this.deps.store.put({ ...jobKey(id), itemType: 'import-job', ...job });
    return job;
  }

  /**
   * Does the next slices of the job while `timeLeftMs()` allows; returns done once the job ended.
   * Each slice is stored with a condition on the progress it started from, so a slice two attempts
   * both did is counted once.
   */
  async work(id: string, timeLeftMs: () => number): Promise<{ done: boolean }> {
    const open = await this.open(id);
    if ('done' in open) return open;
    let { job } = open;
    const { rows } = open;
    const repo = new InvoiceRepository(this.deps.store);
    if (job.failure !== undefined) return this.release(job, rows, timeLeftMs);
    const claimSize = growingSlices(CLAIM_CHUNK);
    while (job.claimed < rows.length) {
      if (timeLeftMs() <= 0) return { done: false };
      const slice = rows.slice(job.claimed, job.claimed + claimSize());
      let created: Set<string>;
      try {
        created = await repo.claimIds(slice, id);
      } catch (error) {
        if (!(error instanceof DomainError) || error.kind !== 'conflict') throw error;
        return this.release(await this.advance(job, { failure: error.message }), rows, timeLeftMs);
      }
      job = await this.advance(job, { claimed: job.claimed + slice.length, created: job.created + created.size });
    }
    // Customer by customer, in slices that never span two customers.
    const ordered = [...byCustomer(rows).values()];
    const ends: number[] = [];
    for (const group of ordered) ends.push((ends.at(-1) ?? 0) + group.length);
    const inOrder = ordered.flat();
    const writeSize = growingSlices(WRITE_CHUNK);
    while (job.written < inOrder.length) {
      if (timeLeftMs() <= 0) return { done: false };
      const from = job.written;
      const customerEnd = ends.find((end) => end > from) ?? inOrder.length;
      const slice = inOrder.slice(from, Math.min(customerEnd, from + writeSize()));
      await upsertCustomerInvoices(this.deps, slice[0].customerId, slice);
      const written = job.written + slice.length;
      job = await this.advance(job, { written, customersWritten: ends.filter((end) => end <= written).length });
    }
    return this.finish({ ...job, updated: job.rows - job.created }, 'done');
  }

  /**
   * The workflow gave up on the job (its retries ran out): it fails, and the ids it claimed are
   * released while no invoice was written under them (the workflow calls again until done).
   */
  async giveUp(id: string, error: string, timeLeftMs: () => number): Promise<{ done: boolean }> {
    const open = await this.open(id);
    if ('done' in open) return open;
    let { job } = open;
    if (job.failure === undefined)
      job = await this.advance(job, {
        failure: `the import stopped after repeated errors (${error.slice(0, 200)}); import the file again`,
      });
    return this.release(job, open.rows, timeLeftMs);
  }

  /** A running job with the rows of its file; done when it ended, or failed when its file is gone. */
  private async open(id: string): Promise<{ done: true } | { job: ImportJob; rows: NewInvoice[] }> {
    const job = await this.get(id);
    if (job?.status !== 'running') return { done: true };
    const file = await this.deps.blobs.get(fileKey(id));
    if (!file) return this.finish(job, 'failed', 'the file of this import is gone');
    return { job, rows: parseInvoiceCsv(file.toString('utf8'), MAX_IMPORT_ROWS).invoices };
  }

  /** Releases the job's claims in checkpointed slices, then marks it failed. */
  private async release(job: ImportJob, rows: NewInvoice[], timeLeftMs: () => number): Promise<{ done: boolean }> {
    const repo = new InvoiceRepository(this.deps.store);
    while ((job.released ?? 0) < job.claimed) {
      if (timeLeftMs() <= 0) return { done: false };
      const from = job.released ?? 0;
      const slice = rows.slice(from, Math.min(job.claimed, from + CLAIM_CHUNK));
      await repo.releaseIds(slice, job.id);
      job = await this.advance(job, { released: from + slice.length });
    }
    return this.finish(job, 'failed', job.failure);
  }

  private async advance(job: ImportJob, progress: Partial<ImportJob>): Promise<ImportJob> {
    const next = { ...job, ...progress };
    try {
      await this.deps.store.put(
        { ...jobKey(job.id), itemType: 'import-job', ...next },
        {
          condition: 'claimed = :c AND written = :w AND released = :r',
          values: { ':c': job.claimed, ':w': job.written, ':r': job.released ?? 0 },
        },
      );
    } catch (error) {
      if (!(error instanceof ConditionFailed)) throw error;
      throw new DomainError('conflict', `import ${job.id} moved on meanwhile (another attempt of it runs)`);
    }
    return next;
  }

  private async finish(job: ImportJob, status: 'done' | 'failed', error?: string): Promise<{ done: true }> {
    const { failure: _failure, ...rest } = job;
    const finished: ImportJob = { ...rest, status, finishedAt: this.deps.clock.now().toISOString(), ...(error ? { error } : {}) };
    if (status === 'failed') Object.assign(finished, { created: 0, updated: 0 });
    await this.deps.store.put({ ...jobKey(job.id), itemType: 'import-job', ...finished });
    await this.deps.blobs.delete(fileKey(job.id));
    return { done: true };
  }
}
