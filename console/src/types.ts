/** The console's types: the API's own, from the schemas it validates with (type-only: nothing of them is bundled). */
import type * as z from 'zod';
import type { issueEventSchema, Issue, LadderRung, Rfo, TimelineEntry } from '../../modules/issues/index.ts';
import type { Customer } from '../../modules/customers/index.ts';
import type { Invoice, WorklistEntry } from '../../modules/receivables/index.ts';
import type { Policy, PolicyVersion } from '../../modules/policies/index.ts';
import type { ServiceView } from '../../modules/services/index.ts';
import type { SentEmail } from '../../kernel/email-channel.ts';

export type { Customer, Invoice, Issue, Policy, PolicyVersion, ServiceView, TimelineEntry, WorklistEntry };
export type IssueEventInput = z.input<typeof issueEventSchema>;

export interface Due {
  at: string;
  what: 'acknowledgement' | 'update' | 'etr';
  overdue: boolean;
}

/** An issue as GET /issues?open=true and GET /issues/{id} give it. */
export type IssueView = Issue & { escalationLevel: number; etr: string | null; nextUpdateAt: string | null; due?: Due | null };
/** A rung of the escalation ladder with the person it names and when they were told. */
export type Rung = LadderRung & { person: { name: string; email: string }; toldAt?: string };
/** GET /issues/{id}: the newest entries of the timeline, oldest first; `timelineNext` continues with older ones. */
export type IssueDetail = IssueView & { timeline: TimelineEntry[]; timelineNext?: string; ladder: Rung[] };
/** What an update would email the customer (POST /issues/{id}/preview). */
export interface EmailPreview {
  to: string[];
  subject: string;
  text: string;
}
export interface OpenIssuesPage {
  count: number;
  /** The server's time when it answered: what "due in" and "silent for" count from. */
  now: string;
  issues: IssueView[];
  next?: string;
}

/** A customer's history lists; a role that may not read issues or invoices gets the customer without those lists. */
export interface CustomerHistory {
  issues?: Pick<Issue, 'id' | 'title' | 'severity' | 'status' | 'createdAt' | 'resolvedAt' | 'closedAt'>[];
  rfos?: (Rfo & { issueId: string })[];
  payments?: { invoiceId: string; amount: number; date: string; reference: string }[];
  disputes?: (NonNullable<Invoice['dispute']> & { invoiceId: string })[];
  promises?: (NonNullable<Invoice['promise']> & { invoiceId: string })[];
  emails?: SentEmail[];
}

/** A customer as GET /customers/{id} gives it: with its history across modules. */
export type CustomerView = Customer & {
  history: CustomerHistory;
  /** Where each list the view shows only the start of continues: GET /customers/{id}/history/{list}?after=. */
  historyNext?: Partial<Record<keyof CustomerHistory, string>>;
};
