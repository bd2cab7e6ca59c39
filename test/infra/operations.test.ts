import { App, type CfnElement } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/cdk/app.ts';
import { SES_BOUNCE_RATE_ALARM, SES_COMPLAINT_RATE_ALARM } from '../../infra/cdk/operations.ts';
import { isPublicRoute, routeKey, routes } from '../../infra/routes.ts';
import { loadManifest } from '../../infra/workflow-manifest.ts';
import { METRICS } from '../../kernel/telemetry.ts';

/** Synthesized without bundling the functions (their code is not what these assertions read). */
const synth = (context: Record<string, string> = {}) => buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } }));

let built: ReturnType<typeof synth>;
let stateless: Template;
const functionNames = () => [...built.stateless.functions.keys()];
const logicalIdOf = (ref: any): string => ref?.['Fn::GetAtt']?.[0] ?? ref?.Ref;

beforeAll(() => {
  built = synth({ alarmEmail: 'oncall@provider.test' });
  stateless = Template.fromStack(built.stateless);
}, 120_000);

describe('operable on AWS', () => {
  it('every alarm reaches the alarm topic, which the on-call address from -c alarmEmail subscribes to', () => {
    const topic = Object.keys(stateless.findResources('AWS::SNS::Topic', { Properties: { DisplayName: 'Steward alarms' } }))[0];
    stateless.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@provider.test',
      TopicArn: { Ref: topic },
    });
    const alarms = Object.values<any>(stateless.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThan(20);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions, alarm.Properties.AlarmDescription).toEqual([{ Ref: topic }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: topic }]);
    }
  });

  it('alarms: failed and timed-out executions per state machine, errors and throttles per function', () => {
    const alarms = Object.values<any>(stateless.findResources('AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties);
    const on = (namespace: string, metricName: string) =>
      alarms.filter((alarm) => alarm.Namespace === namespace && alarm.MetricName === metricName);
    const machines = Object.keys(loadManifest().workflows).length;
    expect(on('AWS/States', 'ExecutionsFailed')).toHaveLength(machines);
    expect(on('AWS/States', 'ExecutionsTimedOut')).toHaveLength(machines);
    for (const metric of ['Errors', 'Throttles']) {
      const perFunction = on('AWS/Lambda', metric);
      expect(perFunction).toHaveLength(functionNames().length);
      for (const alarm of perFunction) expect(alarm).toMatchObject({ Threshold: 1, Period: 300, Statistic: 'Sum' });
    }
  });

  it('alarms: throttling (Step Functions per workflow, DynamoDB reads and writes) and each function at 80 % of its timeout', () => {
    const alarms = Object.values<any>(stateless.findResources('AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties);
    const on = (namespace: string, metricName: string) =>
      alarms.filter((alarm) => alarm.Namespace === namespace && alarm.MetricName === metricName);
    expect(on('AWS/States', 'ExecutionThrottled')).toHaveLength(Object.keys(loadManifest().workflows).length);
    for (const metric of ['ReadThrottleEvents', 'WriteThrottleEvents']) expect(on('AWS/DynamoDB', metric)).toHaveLength(1);
    const durations = on('AWS/Lambda', 'Duration');
    expect(durations).toHaveLength(functionNames().length);
    const timeouts = new Map(
      Object.values<any>(stateless.findResources('AWS::Lambda::Function'))
        .filter((fn) => fn.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME)
        .map((fn) => [fn.Properties.Timeout * 800, true]),
    );
    for (const alarm of durations) {
      expect(alarm).toMatchObject({ Statistic: 'Maximum', Period: 300 });
      expect(timeouts.has(alarm.Threshold), `threshold ${alarm.Threshold} ms is 80 % of no function's timeout`).toBe(true);
    }
  });

  it("route metrics and the state machines' log level are settings with cheap defaults", () => {
    const stage = (template: Template) => Object.values<any>(template.findResources('AWS::ApiGatewayV2::Stage'))[0].Properties;
    const levels = (template: Template) =>
      Object.values<any>(template.findResources('AWS::StepFunctions::StateMachine')).map(
        (machine) => machine.Properties.LoggingConfiguration.Level,
      );
    expect(stage(stateless).DefaultRouteSettings.DetailedMetricsEnabled).toBe(false);
    expect(new Set(levels(stateless))).toEqual(new Set(['ERROR']));
    const loud = Template.fromStack(synth({ detailedRouteMetrics: 'true', workflowLogLevel: 'ALL' }).stateless);
    expect(stage(loud).DefaultRouteSettings.DetailedMetricsEnabled).toBe(true);
    expect(new Set(levels(loud))).toEqual(new Set(['ALL']));
    expect(() => synth({ workflowLogLevel: 'LOUD' })).toThrow(/workflowLogLevel=LOUD: one of ALL, ERROR, FATAL, OFF/);
  });

  it('alarms: the failed-events queue holds anything; the API answers 5xx; SES reputation at review level', () => {
    const failedEvents = Object.keys(Template.fromStack(built.stateful).findResources('AWS::SQS::Queue'))[0];
    const alarms = Object.values<any>(stateless.findResources('AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties);
    const queueAlarm = alarms.find((alarm) => alarm.MetricName === 'ApproximateNumberOfMessagesVisible')!;
    expect(queueAlarm).toMatchObject({ Namespace: 'AWS/SQS', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    expect(JSON.stringify(queueAlarm.Dimensions)).toContain(failedEvents);
    expect(alarms.find((alarm) => alarm.MetricName === '5xx')).toMatchObject({ Namespace: 'AWS/ApiGateway', Threshold: 1 });
    expect(alarms.find((alarm) => alarm.MetricName === 'Reputation.BounceRate')).toMatchObject({ Threshold: SES_BOUNCE_RATE_ALARM });
    expect(alarms.find((alarm) => alarm.MetricName === 'Reputation.ComplaintRate')).toMatchObject({ Threshold: SES_COMPLAINT_RATE_ALARM });
    expect([SES_BOUNCE_RATE_ALARM, SES_COMPLAINT_RATE_ALARM]).toEqual([0.05, 0.001]);
  });

  it('alarms: a dunning run that did not run for three hours, stopped early or left customers stuck (metric filters on its log line)', () => {
    const alarms = Object.values<any>(stateless.findResources('AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties);
    const missing = alarms.find((alarm) => alarm.MetricName === 'Invocations')!;
    expect(missing).toMatchObject({
      Threshold: 1,
      Period: 3 * 3600,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
    const dunningRun = built.stateless.functions.get('dunning-run')!.node.defaultChild as CfnElement;
    expect(logicalIdOf(missing.Dimensions[0].Value)).toBe(built.stateless.getLogicalId(dunningRun));
    const filters = Object.values<any>(stateless.findResources('AWS::Logs::MetricFilter')).map((filter) => filter.Properties);
    expect(filters.map((filter) => [filter.MetricTransformations[0].MetricName, filter.FilterPattern])).toEqual([
      ['DunningRunStoppedEarly', '{ $.message = "dunning run" && $.stoppedEarly IS TRUE }'],
      ['DunningCustomersStuck', '{ $.message = "dunning run" && $.stuck > 0 }'],
    ]);
    for (const name of ['DunningRunStoppedEarly', 'DunningCustomersStuck'])
      expect(alarms.find((alarm) => alarm.MetricName === name)).toMatchObject({ Namespace: 'Steward', Threshold: 1 });
  });

  it("Steward's own metrics: every function names its service (the stage), an alarm on failing sends, the dashboard graphs them all", () => {
    const dev = Template.fromStack(synth({ stage: 'dev' }).stateless);
    const functions = Object.values<any>(dev.findResources('AWS::Lambda::Function')).filter(
      (fn) => fn.Properties.Environment?.Variables?.NODE_OPTIONS,
    );
    expect(functions).toHaveLength(functionNames().length);
    for (const fn of functions) {
      expect(fn.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME).toBe('steward-dev');
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    }
    const failing = Object.values<any>(dev.findResources('AWS::CloudWatch::Alarm'))
      .map((alarm) => alarm.Properties)
      .find((alarm) => alarm.MetricName === 'EmailsFailed');
    expect(failing).toMatchObject({
      Namespace: 'Steward',
      Dimensions: [{ Name: 'service', Value: 'steward-dev' }],
      Period: 900,
      Statistic: 'Sum',
      Threshold: 5,
    });
    const body = JSON.stringify(Object.values<any>(dev.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);
    for (const metric of Object.keys(METRICS))
      expect(body, metric).toContain(`\\"Steward\\",\\"${metric}\\",\\"service\\",\\"steward-dev\\"`);
  });

  it('a dashboard shows the same signals', () => {
    const dashboard = Object.values<any>(stateless.findResources('AWS::CloudWatch::Dashboard'))[0];
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const metric of [
      'ExecutionsFailed',
      'ExecutionsTimedOut',
      'Errors',
      'Throttles',
      'ApproximateNumberOfMessagesVisible',
      '5xx',
      'Reputation.BounceRate',
    ])
      expect(body, metric).toContain(metric);
  });

  it('edge limits: the stage and, harder, the public routes are throttled; the functions behind public routes have reserved concurrency', () => {
    const stage = Object.values<any>(stateless.findResources('AWS::ApiGatewayV2::Stage'))[0].Properties;
    expect(stage.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 });
    const publicKeys = routes.filter(isPublicRoute).map(routeKey);
    expect(publicKeys).toEqual(
      expect.arrayContaining(['GET /links/{token}', 'POST /webhooks/stripe', 'POST /v2/enqueue', 'POST /webhooks/alertmanager']),
    );
    expect(Object.keys(stage.RouteSettings).sort()).toEqual([...publicKeys].sort());
    for (const key of publicKeys) expect(stage.RouteSettings[key]).toEqual({ ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 });
    const concurrency = Object.fromEntries(
      [...built.stateless.functions].map(([name, fn]) => [name, (fn.node.defaultChild as any).reservedConcurrentExecutions]),
    );
    const publicFunctions = new Set(routes.filter(isPublicRoute).map((route) => route.function));
    expect([...publicFunctions].sort()).toEqual(['api', 'invoices', 'webhooks']);
    for (const [name, value] of Object.entries(concurrency)) expect(value, name).toBe(publicFunctions.has(name) ? 20 : undefined);
  });

  it('every resource that takes tags carries the application and the stage', () => {
    const dev = synth({ stage: 'dev' });
    for (const stack of [dev.stateful, dev.stateless]) {
      const template = Template.fromStack(stack).toJSON();
      for (const [id, resource] of Object.entries<any>(template.Resources)) {
        const tags = resource.Properties?.Tags;
        if (!Array.isArray(tags)) continue;
        expect(tags, id).toEqual(
          expect.arrayContaining([
            { Key: 'application', Value: 'steward' },
            { Key: 'stage', Value: 'dev' },
          ]),
        );
      }
    }
    expect(Template.fromStack(dev.stateless).findResources('AWS::Lambda::Function')).not.toEqual({});
  });

  it('-c stage=dev and -c stage=prod: no physical name in common, so both live in one account', () => {
    // The names Steward gives; every other physical name CloudFormation derives from the stack's name.
    const nameProperty: Record<string, string> = {
      'AWS::StepFunctions::StateMachine': 'StateMachineName',
      'AWS::SNS::Topic': 'TopicName',
      'AWS::Scheduler::Schedule': 'Name',
      'AWS::SES::ConfigurationSet': 'Name',
      'AWS::SES::ReceiptRuleSet': 'RuleSetName',
      'AWS::CloudWatch::Dashboard': 'DashboardName',
    };
    const names = (context: Record<string, string>) => {
      const app = synth(context);
      const found = new Set<string>([app.stateful.stackName, app.stateless.stackName]);
      for (const stack of [app.stateful, app.stateless])
        for (const resource of Object.values<any>(Template.fromStack(stack).toJSON().Resources)) {
          const name = resource.Properties?.[nameProperty[resource.Type]];
          if (typeof name === 'string') found.add(name);
        }
      return found;
    };
    const dev = names({ stage: 'dev' });
    const prod = names({ stage: 'prod' });
    expect(dev.size).toBeGreaterThan(8);
    expect([...dev].filter((name) => prod.has(name))).toEqual([]);
    for (const name of dev) expect(name).toMatch(/^(steward-dev|Steward-dev-)/);
    // The unnamed stage keeps the names of earlier deployments.
    const unnamed = names({});
    for (const name of ['StewardStateful', 'StewardStateless', 'steward', 'steward-inbound', 'steward-ses-feedback', 'steward-dunning-run'])
      expect(unnamed, name).toContain(name);
  });

  it('-c mailDomain: an SES identity with Easy DKIM and a MAIL FROM subdomain, the DNS records as outputs; sending allowed from it only', () => {
    const app = synth({ mailDomain: 'mail.provider.test', fromAddress: 'Steward <steward@mail.provider.test>' });
    const template = Template.fromStack(app.stateless);
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'mail.provider.test',
      DkimAttributes: { SigningEnabled: true },
      DkimSigningAttributes: { NextSigningKeyLength: 'RSA_2048_BIT' },
      MailFromAttributes: { MailFromDomain: 'bounce.mail.provider.test' },
      ConfigurationSetAttributes: { ConfigurationSetName: Match.anyValue() },
    });
    const outputs = Object.keys(template.toJSON().Outputs);
    expect(outputs).toEqual(
      expect.arrayContaining(['DnsDkim1', 'DnsDkim2', 'DnsDkim3', 'DnsMailFromMx', 'DnsMailFromSpf', 'DnsInboundMx']),
    );
    const sendPolicies = Object.values<any>(template.findResources('AWS::IAM::Policy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
      .filter((statement) => statement.Action === 'ses:SendEmail');
    expect(sendPolicies.length).toBeGreaterThan(0);
    for (const statement of sendPolicies) {
      const resources = JSON.stringify(statement.Resource);
      expect(resources).toContain(':identity/mail.provider.test');
      expect(resources).toContain(':configuration-set/steward');
      expect(resources).not.toContain('*');
    }
  });

  it('mail identities agree: the inbound domain is the mail domain or is verified and granted too; a from address elsewhere fails synth', () => {
    const identities = (context: Record<string, string>) => {
      const template = Template.fromStack(synth({ mailDomain: 'provider.test', ...context }).stateless);
      const sends = Object.values<any>(template.findResources('AWS::IAM::Policy'))
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
        .filter((statement) => statement.Action === 'ses:SendEmail');
      return {
        verified: Object.values<any>(template.findResources('AWS::SES::EmailIdentity')).map(
          (identity) => identity.Properties.EmailIdentity,
        ),
        granted: JSON.stringify(sends[0].Resource),
      };
    };
    const within = identities({ fromAddress: 'Steward <steward@provider.test>', inboundAddress: 'support@help.provider.test' });
    expect(within.verified).toEqual(['provider.test']);
    const apart = identities({ fromAddress: 'Steward <steward@provider.test>', inboundAddress: 'support@desk.example.net' });
    expect(apart.verified.sort()).toEqual(['desk.example.net', 'provider.test']);
    expect(apart.granted).toContain(':identity/desk.example.net');
    expect(apart.granted).toContain(':identity/provider.test');
    expect(() => synth({ mailDomain: 'provider.test', fromAddress: 'Steward <steward@elsewhere.test>' })).toThrow(
      /fromAddress Steward <steward@elsewhere.test> is not at the mail domain provider.test/,
    );
  });

  it('inbound mail joins an existing active receipt rule set with -c receiptRuleSet, instead of a set that would replace it', () => {
    const own = Template.fromStack(built.stateless);
    own.resourceCountIs('AWS::SES::ReceiptRuleSet', 1);
    const joined = Template.fromStack(synth({ receiptRuleSet: 'company-inbound' }).stateless);
    joined.resourceCountIs('AWS::SES::ReceiptRuleSet', 0);
    joined.hasResourceProperties('AWS::SES::ReceiptRule', {
      RuleSetName: 'company-inbound',
      Rule: Match.objectLike({ ScanEnabled: true, Name: 'steward-ingest' }),
    });
  });

  it('-c domain: the API answers at its own name with a DNS-validated certificate, and emails link to it', () => {
    const template = Template.fromStack(synth({ domain: 'steward.provider.test' }).stateless);
    template.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'steward.provider.test',
      ValidationMethod: 'DNS',
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', { DomainName: 'steward.provider.test' });
    template.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 1);
    const urls = Object.values<any>(template.findResources('AWS::Lambda::Function'))
      .map((fn) => fn.Properties.Environment?.Variables?.PUBLIC_URL)
      .filter(Boolean);
    expect(urls.length).toBeGreaterThan(0);
    expect(new Set(urls)).toEqual(new Set(['https://steward.provider.test']));
    const existing = Template.fromStack(
      synth({ domain: 'steward.provider.test', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' }).stateless,
    );
    existing.resourceCountIs('AWS::CertificateManager::Certificate', 0);
  });

  it('a stage name that cannot go into AWS names is refused', () => {
    expect(() => synth({ stage: 'Prod_1' })).toThrow(/stage "Prod_1": 1-12 lower-case letters and digits/);
  });

  it('cdk-nag suppressions sit on the resources they concern, each with a reason; none for a whole stack', () => {
    for (const stack of [built.stateful, built.stateless]) {
      const template = Template.fromStack(stack).toJSON();
      expect(template.Metadata?.cdk_nag, stack.stackName).toBeUndefined();
      for (const resource of Object.values<any>(template.Resources))
        for (const rule of resource.Metadata?.cdk_nag?.rules_to_suppress ?? []) expect(rule.reason.length, rule.id).toBeGreaterThan(40);
    }
  });

  it('cdk-nag stays clean with the operations resources', () => {
    for (const stack of [built.stateful, built.stateless]) {
      const findings = [
        ...Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
        ...Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
      ];
      expect(findings.map((finding) => `${finding.id}: ${finding.entry.data}`)).toEqual([]);
    }
  });
});
