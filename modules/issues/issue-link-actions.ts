import type { PageContent } from '../../kernel/link-page.ts';

/** What the customer links of an issue do (its manifest's `linkActions` are these). */
export const issueLinkActions = ['accept-rfo', 'dispute-rfo', 'escalate'] as const;
export type IssueLinkAction = (typeof issueLinkActions)[number];

export const issueActionForms: Record<IssueLinkAction, { title: string; intro: string; form: PageContent['form'] }> = {
  'accept-rfo': {
    title: 'Accept the reason for outage',
    intro: 'Please confirm that you accept this reason for outage. The issue is then closed.',
    form: { button: 'Accept the reason for outage' },
  },
  'dispute-rfo': {
    title: 'Dispute the reason for outage',
    intro: 'Tell us what is wrong or missing. Your service manager gets your comment and we send you a revised reason for outage.',
    form: {
      button: 'Send my dispute',
      fields: [{ name: 'comment', label: 'What is wrong or missing?', type: 'textarea', required: true }],
    },
  },
  escalate: {
    title: 'Escalate this issue',
    intro: 'Escalating moves the issue up to our management and tells your service manager at once.',
    form: { button: 'Escalate now', fields: [{ name: 'comment', label: 'Anything we should know? (optional)', type: 'textarea' }] },
  },
};
