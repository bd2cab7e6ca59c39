import * as z from 'zod';
import { ianaZone } from '../../kernel/iana-zone.ts';
import { namesInWords } from '../../kernel/time-words.ts';

/** A person of the provider's team; `timezone` (IANA) is the zone internal emails give times in (else the customer's). */
const person = z.object({ name: z.string().min(1).max(200), email: z.email().max(254), timezone: ianaZone.optional() });

export const MAX_CUSTOMER_ID = 64;
const CUSTOMER_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
/** Whether a value can be a customer's id at all: one that cannot names no customer, and is never read. */
export const isCustomerId = (value: string): boolean => CUSTOMER_ID.test(value);

export const customerSchema = z.object({
  id: z.string().regex(CUSTOMER_ID, `letters, digits, _ or -, at most ${MAX_CUSTOMER_ID}`),
  name: z.string().min(1).max(200),
  tier: z.enum(['platinum', 'gold', 'silver', 'bronze']).default('silver'),
  timezone: ianaZone,
  country: z.string().regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2 country code, e.g. DE'),
  // A customer's contacts, domains and stale ones are written in one transaction (at most 100 entries).
  emailDomains: z.array(z.string().min(3).max(253)).max(20).default([]),
  contacts: z
    .array(
      z.object({
        name: z.string().min(1).max(200),
        email: z.email().max(254),
        roles: z
          .array(z.enum(['technical', 'billing', 'management']))
          .min(1)
          .max(3),
        /** Set by Steward when mail to the contact bounces or is reported as spam; such a contact gets no mail. */
        undeliverable: z.object({ at: z.string().max(40), reason: z.string().max(500) }).optional(),
      }),
    )
    .min(1)
    .max(25),
  team: z.object({ teamLead: person, serviceManager: person, director: person }),
  /** Name of the policy new issues of this customer open under. */
  policy: z.string().min(1).max(64).default('default'),
});

export type Customer = z.infer<typeof customerSchema>;

/** The names of the contacts an email goes to, for its greeting ("Ann Admin and Carl Crash"); empty when none is a contact. */
export const contactNames = (customer: Customer, to: string[]) =>
  namesInWords(customer.contacts.filter((contact) => to.includes(contact.email)).map((contact) => contact.name));

/** Contacts with a role, or every contact when none has it; never an undeliverable one. */
function recipientsWithRole(customer: Customer, role: Customer['contacts'][number]['roles'][number]): string[] {
  const reachable = customer.contacts.filter((contact) => !contact.undeliverable);
  const withRole = reachable.filter((contact) => contact.roles.includes(role));
  return (withRole.length ? withRole : reachable).map((contact) => contact.email);
}

/** Who hears about an issue: technical contacts, or every contact when none is technical. */
export const issueRecipients = (customer: Customer) => recipientsWithRole(customer, 'technical');

/** Who hears about invoices: billing contacts, or every contact when none is billing. */
export const billingRecipients = (customer: Customer) => recipientsWithRole(customer, 'billing');

/** Addresses and domains that identify a customer's mail. */
export const senderKeys = (customer: Customer) => ({
  contacts: customer.contacts.map((contact) => contact.email.toLowerCase()),
  domains: customer.emailDomains.map((domain) => domain.toLowerCase()),
});
