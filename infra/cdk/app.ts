import { App, Aspects, Tags } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { StatefulStack } from './stateful-stack.ts';
import { StatelessStack } from './stateless-stack.ts';
import { namePrefix, STAGE_PATTERN } from '../aws-names.ts';
import { ensureConsoleBuilt } from '../local/console.ts';

/** `-c acceptLegacyLinksUntil=`: an ISO-8601 instant with an offset, when links signed before the link key had a secret of their own stop working. */
function legacyLinksUntil(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(raw) || Number.isNaN(Date.parse(raw)))
    throw new Error(`-c acceptLegacyLinksUntil=${raw}: an ISO-8601 instant with an offset, e.g. 2027-03-01T00:00:00Z`);
  return new Date(raw).toISOString();
}

/** Builds Steward's two stacks. Works offline with no account: the stacks are environment-agnostic. */
export function buildApp(app = new App(), options: { nag?: boolean } = {}) {
  const fromAddress = app.node.tryGetContext('fromAddress') ?? process.env.STEWARD_FROM_ADDRESS ?? 'Steward <steward@example.com>';
  const inboundAddress = app.node.tryGetContext('inboundAddress') ?? process.env.STEWARD_INBOUND_ADDRESS ?? 'support@example.com';
  const unknownSender = app.node.tryGetContext('unknownSender') ?? process.env.STEWARD_UNKNOWN_SENDER ?? 'triage';
  const context = (key: string, variable?: string): string | undefined =>
    app.node.tryGetContext(key) ?? (variable ? process.env[variable] : undefined);
  const stage = context('stage', 'STEWARD_STAGE');
  if (stage !== undefined && !STAGE_PATTERN.test(stage))
    throw new Error(`stage "${stage}": 1-12 lower-case letters and digits, starting with a letter (e.g. dev, prod)`);
  const number = (key: string, fallback: number) => {
    const value = Number(context(key) ?? fallback);
    if (!Number.isInteger(value) || value < 0) throw new Error(`-c ${key}=${context(key)}: a whole number, 0 or more`);
    return value;
  };
  // Pinned when given (context, or the CLI's credentials), environment-agnostic otherwise (synth works offline).
  const account = context('account', 'CDK_DEFAULT_ACCOUNT');
  const region = context('region', 'CDK_DEFAULT_REGION');
  const env = account || region ? { account, region } : undefined;
  const stackName = (part: string) => (stage ? `Steward-${stage}-${part}` : `Steward${part}`);
  const adminEmail = context('adminEmail', 'STEWARD_ADMIN_EMAIL');
  const stateful = new StatefulStack(app, stackName('Stateful'), {
    description: 'Steward: table, secrets, staff user pool and inbound mail bucket (retained)',
    env,
    namePrefix: namePrefix(stage),
    signInDomainPrefix: context('signInDomainPrefix'),
    adminEmail,
    receiptRuleSet: context('receiptRuleSet'),
  });
  const oidcIssuer = context('oidcIssuer', 'STEWARD_OIDC_ISSUER');
  const oidcAudiences = context('oidcAudiences', 'STEWARD_OIDC_AUDIENCES');
  if (!oidcIssuer !== !oidcAudiences)
    throw new Error('-c oidcIssuer= and -c oidcAudiences= go together: the issuer and the client id(s) its tokens are for');
  const stateless = new StatelessStack(app, stackName('Stateless'), {
    description: 'Steward: functions, workflows, HTTP API, schedules, alarms',
    env,
    table: stateful.table,
    apiToken: stateful.apiToken,
    inboundMail: stateful.inboundMail,
    stripeWebhookSecret: stateful.stripeWebhookSecret,
    linkKey: stateful.linkKey,
    userPool: stateful.userPool,
    signInDomain: stateful.signInDomain,
    signIn: {
      ...(oidcIssuer && oidcAudiences ? { issuer: oidcIssuer, audiences: oidcAudiences } : {}),
      emailClaim: context('oidcEmailClaim', 'STEWARD_OIDC_EMAIL_CLAIM'),
      adminEmail,
      consoleUrl: context('consoleUrl'),
    },
    webhooksAcceptApiToken: context('webhooksAcceptApiToken') === 'true',
    bootstrapToken: context('bootstrapToken', 'STEWARD_BOOTSTRAP_TOKEN') === 'off' ? 'off' : 'on',
    acceptLegacyLinksUntil: legacyLinksUntil(context('acceptLegacyLinksUntil')),
    failedEvents: stateful.failedEvents,
    fromAddress,
    inboundAddress,
    unknownSender,
    namePrefix: namePrefix(stage),
    alarmEmail: context('alarmEmail', 'STEWARD_ALARM_EMAIL'),
    mailDomain: context('mailDomain', 'STEWARD_MAIL_DOMAIN'),
    receiptRuleSet: context('receiptRuleSet'),
    domain: context('domain', 'STEWARD_DOMAIN'),
    certificateArn: context('certificateArn'),
    publicConcurrency: number('publicConcurrency', 20),
    throttle: { rate: number('apiRate', 100), burst: number('apiBurst', 200) },
    detailedRouteMetrics: context('detailedRouteMetrics') === 'true',
    workflowLogLevel: workflowLogLevel(context('workflowLogLevel')),
  });
  Tags.of(app).add('application', 'steward');
  Tags.of(app).add('stage', stage ?? 'default');
  if (options.nag ?? true) Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  return { app, stateful, stateless };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await ensureConsoleBuilt((line) => console.error(line)); // the console's files are an asset of the stateless stack
  buildApp().app.synth();
}

/** `-c workflowLogLevel=`: ALL, ERROR (the default), FATAL or OFF. */
function workflowLogLevel(value: string | undefined): 'ALL' | 'ERROR' | 'FATAL' | 'OFF' | undefined {
  if (value === undefined) return undefined;
  if (value !== 'ALL' && value !== 'ERROR' && value !== 'FATAL' && value !== 'OFF')
    throw new Error(`-c workflowLogLevel=${value.slice(0, 40)}: one of ALL, ERROR, FATAL, OFF`);
  return value;
}
