/** What the money links do: a customer promises or disputes, the service manager approves or declines a suspension (the manifest's `linkActions` are these). */
export const moneyLinkActions = ['promise', 'dispute-invoice', 'approve-suspension', 'decline-suspension'] as const;
export type MoneyLinkAction = (typeof moneyLinkActions)[number];

export const moneyActionTitles: Record<MoneyLinkAction, { title: string; intro: string; button: string }> = {
  promise: { title: 'Promise a payment date', intro: 'Tell us when you will pay; reminders pause until then.', button: 'Send my promise' },
  'dispute-invoice': {
    title: 'Dispute an invoice',
    intro: 'Tell us what is wrong with the invoice; it is paused while your service manager looks into it.',
    button: 'Send my dispute',
  },
  'approve-suspension': {
    title: 'Approve the suspension',
    intro: 'Approving sends the suspension notice to the customer.',
    button: 'Approve the suspension',
  },
  'decline-suspension': {
    title: 'Decline the suspension',
    intro: 'Declining holds the suspension; it is proposed again later.',
    button: 'Decline the suspension',
  },
};
