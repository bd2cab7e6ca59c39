import { emailTemplates } from '../../kernel/email-templates.ts';

/** The intake's emails to staff. */
const sources = {
  'contact-undeliverable': {
    subject: 'Contact undeliverable at {{customer.name}}: {{contact.email}}',
    internal: true,
    body: `{{contact.name}} <{{contact.email}}> of {{customer.name}} no longer gets mail from Steward: {{reason}}.
Please find out the right address and update the customer's contacts (POST /customers).`,
  },
};

export const renderIntakeEmail = emailTemplates<keyof typeof sources>(sources);
