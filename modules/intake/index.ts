/** Intake: monitoring alerts (webhooks) and inbound email, turned into issues and their events. The public entry of the module. */
export { INBOUND_PREFIX, MAX_MESSAGE_BYTES } from './inbound-mail.ts';
export { webhookIntake } from './webhooks.ts';
export { inboundEmail } from './inbound-email.ts';
export { sesFeedback } from './ses-feedback.ts';
