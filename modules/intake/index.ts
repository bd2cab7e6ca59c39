/** Intake: monitoring alerts (webhooks) and inbound email, turned into issues and their events. The public entry of the module. */
export * from './alert-repository.ts';
export * from './alerts.ts';
export * from './inbound-mail.ts';
export * from './webhooks.ts';
export * from './inbound-email.ts';
export * from './mail-quarantine.ts';
export * from './routes.ts';
export * from './ses-feedback.ts';
