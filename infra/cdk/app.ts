import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { StatefulStack } from './stateful-stack.ts';
import { StatelessStack } from './stateless-stack.ts';

/** Builds Steward's two stacks. Works offline with no account: the stacks are environment-agnostic. */
export function buildApp(app = new App(), options: { nag?: boolean } = {}) {
  const fromAddress = app.node.tryGetContext('fromAddress') ?? process.env.STEWARD_FROM_ADDRESS ?? 'Steward <steward@example.com>';
  const inboundAddress = app.node.tryGetContext('inboundAddress') ?? process.env.STEWARD_INBOUND_ADDRESS ?? 'support@example.com';
  const unknownSender = app.node.tryGetContext('unknownSender') ?? process.env.STEWARD_UNKNOWN_SENDER ?? 'refuse';
  const stateful = new StatefulStack(app, 'StewardStateful', {
    description: 'Steward: table, API token and inbound mail bucket (retained)',
  });
  const stateless = new StatelessStack(app, 'StewardStateless', {
    description: 'Steward: functions, workflows, HTTP API, schedules',
    table: stateful.table,
    apiToken: stateful.apiToken,
    inboundMail: stateful.inboundMail,
    stripeWebhookSecret: stateful.stripeWebhookSecret,
    failedEvents: stateful.failedEvents,
    fromAddress,
    inboundAddress,
    unknownSender,
  });
  if (options.nag ?? true) Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  return { app, stateful, stateless };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  buildApp().app.synth();
}
