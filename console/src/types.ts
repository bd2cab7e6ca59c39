/** The console's types: the API's own, from the schemas it validates with (type-only: nothing of them is bundled). */
import type * as z from 'zod';
import type { Issue } from '../../modules/issues/issue.ts';
import type { issueEventSchema } from '../../modules/issues/issue.ts';
import type { TimelineEntry } from '../../modules/issues/issue-repository.ts';
import type { Customer } from '../../modules/customers/customer.ts';
import type { Invoice } from '../../modules/receivables/invoices.ts';

export type { Customer, Invoice, Issue, TimelineEntry };
export type IssueEventInput = z.input<typeof issueEventSchema>;

export interface Due {
  at: string;
  what: 'acknowledgement' | 'update' | 'etr';
  overdue: boolean;
}

/** An issue as GET /issues?open=true and GET /issues/{id} give it. */
export type IssueView = Issue & { escalationLevel: number; etr: string | null; nextUpdateAt: string | null; due?: Due | null };
export type IssueDetail = IssueView & { timeline: TimelineEntry[] };
export interface OpenIssuesPage {
  count: number;
  /** The server's time when it answered: what "due in" and "silent for" count from. */
  now: string;
  issues: IssueView[];
  next?: string;
}
