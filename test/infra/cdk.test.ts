import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Aspects, Stack, Stage } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/cdk/app.ts';
import { routes } from '../../infra/routes.ts';
import { tableSchema } from '../../infra/table-schema.ts';
import { loadManifest } from '../../infra/workflow-manifest.ts';
import type { TableNeed } from '../../infra/aws/needs.ts';
import { functionDeclarations } from '../../infra/function-declarations.ts';

let stateful: Template;
let stateless: Template;
let built: ReturnType<typeof buildApp>;
/** Synthesized with context and without bundling the functions (what these assertions read is the template). */
const synth = (context: Record<string, string>) => buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } }));

beforeAll(() => {
  built = buildApp(new App());
  stateful = Template.fromStack(built.stateful);
  stateless = Template.fromStack(built.stateless);
}, 120_000);

describe('CDK stacks', () => {
  it('stateful: the table from the shared schema, with PITR and RETAIN', () => {
    stateful.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: tableSchema.globalSecondaryIndexes.map((index) =>
          Match.objectLike({
            IndexName: index.indexName,
            KeySchema: [
              { AttributeName: index.partitionKey, KeyType: 'HASH' },
              { AttributeName: index.sortKey, KeyType: 'RANGE' },
            ],
          }),
        ),
        Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      }),
    });
  });

  it('stateless: every function is nodejs22.x on arm64 with its own log group', () => {
    const functions = stateless.findResources('AWS::Lambda::Function');
    const own = Object.values<any>(functions).filter((fn) => fn.Properties.Environment?.Variables?.TABLE_NAME);
    expect(own.length).toBeGreaterThanOrEqual(4);
    for (const fn of own) {
      expect(fn.Properties.Runtime).toBe('nodejs22.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.LoggingConfig?.LogGroup).toBeDefined();
    }
  });

  it('stateless: the bundles CDK builds use the Lambda stand-ins (no moment zone data, no SSO credential chain)', () => {
    const functions = Object.entries<any>(stateless.findResources('AWS::Lambda::Function'));
    const [, webhooks] = functions.find(([id]) => id.startsWith('fnwebhooks'))!;
    const assetHash = String(webhooks.Properties.Code.S3Key).replace(/\.zip$/, '');
    const code = readFileSync(join(Stage.of(built.stateless)?.outdir ?? '', `asset.${assetHash}`, 'index.mjs'), 'utf8');
    expect(code).not.toContain('Europe/Berlin|');
    expect(code).not.toMatch(/sso-oidc|AWS_WEB_IDENTITY_TOKEN_FILE/);
    expect(code.length).toBeLessThan(1.2 * 1024 * 1024);
  });

  it('stateless: one Standard state machine per workflow, its placeholders substituted with function ARNs', () => {
    const manifest = loadManifest();
    stateless.resourceCountIs('AWS::StepFunctions::StateMachine', Object.keys(manifest.workflows).length);
    for (const [workflow, { substitutions }] of Object.entries(manifest.workflows)) {
      const machines = Object.values<any>(
        stateless.findResources('AWS::StepFunctions::StateMachine', { Properties: { StateMachineName: `steward-${workflow}` } }),
      );
      expect(machines).toHaveLength(1);
      const machine = machines[0].Properties;
      expect(machine.StateMachineType).toBe('STANDARD');
      expect(Object.keys(machine.DefinitionSubstitutions).sort()).toEqual(Object.keys(substitutions).sort());
      for (const value of Object.values<any>(machine.DefinitionSubstitutions)) expect(value['Fn::GetAtt'][1]).toBe('Arn');
      expect(machine.LoggingConfiguration.Level).toBe('ERROR'); // -c workflowLogLevel=ALL logs every state
      expect(machine.TracingConfiguration.Enabled).toBe(true);
    }
  });

  it('stateless: an HTTP API route per entry of infra/routes.ts', () => {
    for (const route of routes) stateless.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: `${route.method} ${route.path}` });
    stateless.resourceCountIs('AWS::ApiGatewayV2::Route', routes.length);
  });

  it('stateless: the schedules run on EventBridge Scheduler with the same expressions (reconcile, hourly dunning run)', () => {
    stateless.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(7 * * * ? *)',
      ScheduleExpressionTimezone: 'UTC',
      Target: Match.objectLike({
        Input: JSON.stringify({ source: 'steward.scheduler', schedule: 'reconcile-workflows', sweep: 'issues' }),
      }),
    });
    stateless.hasResourceProperties('AWS::Scheduler::Schedule', {
      Name: 'steward-reconcile-dunning',
      ScheduleExpression: 'cron(37 3 * * ? *)',
    });
    // Bounces and complaints: every email goes out with the configuration set, whose events reach ses-feedback.
    stateless.hasResourceProperties('AWS::SES::ConfigurationSet', { Name: 'steward' });
    stateless.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({ Enabled: true, MatchingEventTypes: ['bounce', 'complaint'], SnsDestination: Match.anyValue() }),
    });
    stateless.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'lambda' });
    expect(environmentOf('issue-step').SES_CONFIGURATION_SET).toBe('steward');
    // A run that ends before its owner: Step Functions' event restarts the owner at once.
    stateless.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: Match.objectLike({ status: ['FAILED', 'TIMED_OUT', 'ABORTED'] }),
      }),
    });
    stateless.hasResourceProperties('AWS::Scheduler::Schedule', {
      Name: 'steward-dunning-run',
      ScheduleExpression: 'cron(0 * * * ? *)',
      ScheduleExpressionTimezone: 'UTC',
    });
  });

  it('the dunning run, the workflow sweep and the import job get the longest Lambda timeout (each works through many items); the others 30 s', () => {
    const functions = Object.values<any>(stateless.findResources('AWS::Lambda::Function')).filter(
      (fn) => fn.Properties.Environment?.Variables?.TABLE_NAME,
    );
    const timeouts = functions.map((fn) => fn.Properties.Timeout).sort((a, b) => a - b);
    expect(timeouts.at(-1)).toBe(900);
    expect(timeouts.filter((timeout) => timeout === 900)).toHaveLength(3);
    // The functions behind API Gateway stop at 25 s, before its 30 s answer; the others (invoked by Step Functions and events) at 30 s.
    expect(new Set(timeouts.slice(0, -3))).toEqual(new Set([25, 30]));
    const routed = new Set(routes.map((route) => route.function));
    expect([...routed].sort()).toEqual(['api', 'invoices', 'webhooks']);
    for (const name of routed)
      expect([name, (built.stateless.functions.get(name)!.node.defaultChild as any).timeout <= 25]).toEqual([name, true]);
  });

  it('the stage waits for every route its RouteSettings name (API Gateway refuses settings for a route that does not exist yet)', () => {
    const [[, stage]] = Object.entries<any>(stateless.findResources('AWS::ApiGatewayV2::Stage'));
    const routeIds = Object.fromEntries(
      Object.entries<any>(stateless.findResources('AWS::ApiGatewayV2::Route')).map(([id, route]) => [route.Properties.RouteKey, id]),
    );
    const keys = Object.keys(stage.Properties.RouteSettings);
    expect(keys.length).toBeGreaterThan(5);
    for (const key of keys) {
      expect(routeIds[key], `no route ${key}`).toBeDefined();
      expect(stage.DependsOn ?? [], `the stage does not wait for ${key}`).toContain(routeIds[key]);
    }
  });

  it('the dunning index is sparse and sharded: gsi2 keys exist only on dunning state items with something due', () => {
    const index = tableSchema.globalSecondaryIndexes.find((entry) => entry.indexName === 'gsi2')!;
    expect(index).toMatchObject({ partitionKey: 'gsi2pk', sortKey: 'gsi2sk' });
    Template.fromStack(built.stateful).hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      GlobalSecondaryIndexes: Match.arrayWith([
        Match.objectLike({
          IndexName: 'gsi2',
          KeySchema: [
            { AttributeName: 'gsi2pk', KeyType: 'HASH' },
            { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
          ],
        }),
      ]),
    });
  });

  const rolesWith = (action: string) =>
    Object.values<any>(stateless.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.PolicyDocument).includes(action))
      .map((policy) => String(policy.Properties.Roles[0].Ref).replace(/ServiceRole.*$/, ''))
      .sort();

  it('explicit grants: only the functions that record events complete callback tasks; only the step and inbound mail send email', () => {
    // The steps end their own turns; the timers' role answers a task at its deadline.
    expect(rolesWith('states:SendTaskSuccess')).toEqual([
      'TimerRoleBA368C44',
      'fnapi',
      'fndunningrun',
      'fndunningstep',
      'fndunningwait',
      'fninboundemail',
      'fninvoiceimport',
      'fninvoices',
      'fnissuestep',
      'fnissuewait',
      'fnmaintenancestep',
      'fnwebhooks',
    ]);
    // The steps start the next run when a long-lived run continues as new; the wait functions hand earlier runs over.
    expect(rolesWith('states:StartExecution')).toEqual([
      'fnapi',
      'fndunningrun',
      'fndunningstep',
      'fndunningwait',
      'fninboundemail',
      'fninvoices',
      'fnissuestep',
      'fnissuewait',
      'fnmaintenancestep',
      'fnreconcile',
      'fnwebhooks',
    ]);
    expect(rolesWith('ses:SendEmail')).toEqual([
      'fnapi',
      'fndunningstep',
      'fninboundemail',
      'fninvoices',
      'fnissuestep',
      'fnmaintenancestep',
      'fnsesfeedback',
    ]);
  });

  it("the case loops' timers: a schedule group of their own; only the steps set them, only there, passing only the timer role, which may only answer the case loops' tasks", () => {
    stateless.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'steward-timers' });
    expect(rolesWith('scheduler:CreateSchedule')).toEqual(['fndunningstep', 'fnissuestep', 'fnmaintenancestep']);
    expect(rolesWith('iam:PassRole')).toEqual(['fndunningstep', 'fnissuestep', 'fnmaintenancestep']);
    const policies = Object.values<any>(stateless.findResources('AWS::IAM::Policy'));
    const statements = policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    for (const statement of statements.filter((entry: any) => JSON.stringify(entry.Action).includes('scheduler:'))) {
      expect(statement.Action).toEqual(['scheduler:CreateSchedule', 'scheduler:DeleteSchedule']);
      expect(JSON.stringify(statement.Resource)).toContain(':schedule/steward-timers/*');
    }
    for (const statement of statements.filter((entry: any) => entry.Action === 'iam:PassRole')) {
      expect(JSON.stringify(statement.Resource)).toContain('TimerRole');
      expect(statement.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } });
    }
    const timerPolicy = policies.find((policy) => String(policy.Properties.Roles[0].Ref).startsWith('TimerRole'));
    expect(timerPolicy.Properties.PolicyDocument.Statement).toHaveLength(1);
    const [answer] = timerPolicy.Properties.PolicyDocument.Statement;
    expect(answer.Action).toBe('states:SendTaskSuccess');
    expect(JSON.stringify(answer.Resource)).toMatch(/steward-issue-lifecycle.*steward-invoice-dunning/);
    expect(JSON.stringify(answer.Resource)).toContain('steward-maintenance-notices');
    expect(JSON.stringify(answer.Resource)).not.toContain('invoice-import');
    expect(environmentOf('issue-step')).toMatchObject({ TIMER_GROUP: 'steward-timers' });
    expect(environmentOf('issue-step').TIMER_ROLE_ARN).toBeDefined();
    expect(environmentOf('api').TIMER_GROUP).toBeUndefined();
  });

  /** A function's environment variables, by function folder (the logical id is fn-<name> without dashes). */
  const environmentOf = (name: string): Record<string, unknown> => {
    const id = Object.keys(stateless.findResources('AWS::Lambda::Function')).find((key) => key.startsWith(`fn${name.replace(/-/g, '')}`));
    return stateless.findResources('AWS::Lambda::Function')[id!].Properties.Environment.Variables;
  };

  it('each function gets only the environment its declaration reads', () => {
    // Besides its declared needs, every function names its service for its log lines and metrics.
    expect(Object.keys(environmentOf('issue-wait')).sort()).toEqual([
      'NODE_OPTIONS',
      'POWERTOOLS_SERVICE_NAME',
      'STATE_MACHINE_ARNS',
      'TABLE_NAME',
    ]);
    expect(environmentOf('issue-wait').POWERTOOLS_SERVICE_NAME).toBe('steward');
    expect(Object.keys(environmentOf('webhooks')).sort()).toEqual([
      'API_TOKEN_SECRET_ARN',
      'NODE_OPTIONS',
      'POWERTOOLS_SERVICE_NAME',
      'STATE_MACHINE_ARNS',
      'TABLE_NAME',
      'TRIAGE_DESK', // the built-in triage customer's desk address
      'UNKNOWN_SENDER', // the triage customer of alerts for unknown customers
      'WEBHOOKS_ACCEPT_API_TOKEN', // false unless deployed with -c webhooksAcceptApiToken=true
    ]);
    // No alert is dropped by default: the built-in triage customer, whose desk is a real address.
    expect(environmentOf('webhooks').UNKNOWN_SENDER).toBe('triage');
    expect(environmentOf('webhooks').TRIAGE_DESK).toMatch(/^[^<>\s]+@[^<>\s]+$/);
    // The link key, never the API token: inbound mail verifies reply and bounce addresses only.
    expect(Object.keys(environmentOf('inbound-email')).sort()).toEqual([
      'FROM_ADDRESS',
      'INBOUND_ADDRESS',
      'INBOUND_BUCKET',
      'LINK_KEY_SECRET_ARN',
      'NODE_OPTIONS',
      'POWERTOOLS_SERVICE_NAME',
      'SES_CONFIGURATION_SET',
      'STATE_MACHINE_ARNS',
      'TABLE_NAME',
      'TRIAGE_DESK',
      'UNKNOWN_SENDER',
    ]);
  });

  it('state machine ARNs have the colon format AWS uses (arn:…:states:…:stateMachine:<name>), only those a function declares', () => {
    const arns = JSON.stringify(environmentOf('issue-wait').STATE_MACHINE_ARNS);
    expect(arns).toContain(':stateMachine:steward-issue-lifecycle');
    expect(arns).not.toContain('stateMachine/');
    expect(arns).not.toContain('invoice-dunning');
    const grants = JSON.stringify(stateless.findResources('AWS::IAM::Policy'));
    expect(grants).not.toContain('stateMachine/');
    expect(grants).not.toContain('execution/');
  });

  it('every ARN in every IAM policy and function environment has the format of its service', () => {
    // Resolve CloudFormation's joins into text, with a placeholder for each reference.
    const text = (value: any): string => {
      if (typeof value === 'string') return value;
      if (value?.['Fn::Join']) return value['Fn::Join'][1].map(text).join(value['Fn::Join'][0]);
      if (value?.Ref)
        return value.Ref === 'AWS::Partition'
          ? 'aws'
          : value.Ref === 'AWS::AccountId'
            ? '123456789012'
            : value.Ref === 'AWS::Region'
              ? 'eu-west-1'
              : `{${value.Ref}}`;
      if (value?.['Fn::GetAtt']) return `{${value['Fn::GetAtt'].join('.')}}`;
      return JSON.stringify(value);
    };
    const formats: Record<string, RegExp> = {
      states: /^arn:aws:states:eu-west-1:123456789012:(stateMachine:[\w-]+|execution:[\w-]+:\*)$/,
      ses: /^arn:aws:ses:eu-west-1:123456789012:(identity|configuration-set)\/\*$/,
      lambda: /^arn:aws:lambda:eu-west-1:123456789012:function:[^:]+$/,
    };
    const arns: string[] = [];
    for (const policy of Object.values<any>(stateless.findResources('AWS::IAM::Policy')))
      for (const statement of policy.Properties.PolicyDocument.Statement)
        for (const resource of [statement.Resource].flat()) arns.push(text(resource));
    for (const fn of Object.values<any>(stateless.findResources('AWS::Lambda::Function')))
      for (const value of Object.values(fn.Properties.Environment?.Variables ?? {})) {
        const resolved = text(value);
        if (resolved.startsWith('{"')) arns.push(...Object.values<string>(JSON.parse(resolved)));
        else if (resolved.startsWith('arn:')) arns.push(resolved);
      }
    const checked = arns.filter((arn) => /^arn:aws:(states|ses|lambda):/.test(arn));
    expect(checked.length).toBeGreaterThan(10);
    for (const arn of checked) expect(arn, arn).toMatch(formats[arn.split(':')[2]]);
  });

  it('table grants are by key: each statement carries the declared partitions as dynamodb:LeadingKeys, indexes by name, never Scan or BatchWriteItem', () => {
    const dynamoStatements = (fn: string) =>
      Object.values<any>(stateless.findResources('AWS::IAM::Policy'))
        .filter((policy) => String(policy.Properties.Roles[0].Ref).startsWith(`fn${fn.replace(/-/g, '')}ServiceRole`))
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
        .filter((statement: any) => [statement.Action].flat().some((action: string) => action.startsWith('dynamodb:')));
    for (const name of Object.keys(functionDeclarations)) {
      const statements = dynamoStatements(name);
      const table = functionDeclarations[name].needs.store as TableNeed | undefined;
      expect([name, statements.length > 0]).toEqual([name, table !== undefined]);
      for (const statement of statements) {
        const actions = [statement.Action].flat();
        expect([name, actions.filter((action: string) => /Scan|BatchWriteItem|DescribeTable|GetRecords/.test(action))]).toEqual([name, []]);
        expect([name, Object.keys(statement.Condition)]).toEqual([name, ['ForAllValues:StringLike']]);
        expect(statement.Condition['ForAllValues:StringLike']['dynamodb:LeadingKeys'].length).toBeGreaterThan(0);
        // A statement names the table or one index by name, never table/index/*.
        expect(JSON.stringify(statement.Resource)).not.toContain('/index/*');
      }
      const granted = (action: string) =>
        statements
          .filter((statement: any) => [statement.Action].flat().includes(action) && !JSON.stringify(statement.Resource).includes('/index/'))
          .flatMap((statement: any) => statement.Condition['ForAllValues:StringLike']['dynamodb:LeadingKeys']);
      if (!table) continue;
      expect([name, granted('dynamodb:GetItem')]).toEqual([name, [...new Set(table.keys.read)].sort()]);
      expect([name, granted('dynamodb:PutItem')]).toEqual([name, [...new Set(table.keys.write ?? [])].sort()]);
      expect([name, granted('dynamodb:DeleteItem')]).toEqual([name, [...new Set(table.keys.delete ?? [])].sort()]);
    }
    // The reconcile sweep reads; the issue wait reads and writes issues, nothing else.
    expect(JSON.stringify(dynamoStatements('reconcile'))).not.toMatch(/PutItem|UpdateItem|DeleteItem/);
    expect(
      dynamoStatements('issue-wait').map((statement: any) => statement.Condition['ForAllValues:StringLike']['dynamodb:LeadingKeys']),
    ).toEqual([['ISSUE#*'], ['ISSUE#*']]);
    const reconcileIndexes = dynamoStatements('reconcile').filter((statement: any) =>
      JSON.stringify(statement.Resource).includes('/index/'),
    );
    expect(
      reconcileIndexes.map((statement: any) => [JSON.stringify(statement.Resource).match(/\/index\/(\w+)/)?.[1], statement.Action]),
    ).toEqual([
      ['gsi2', 'dynamodb:Query'],
      ['gsi3', 'dynamodb:Query'],
    ]);
  });

  it('the Stripe signing secret has a secret of its own, read by the invoices function only', () => {
    const stateful = Template.fromStack(built.stateful);
    stateful.resourceCountIs('AWS::SecretsManager::Secret', 3);
    const readers = Object.values<any>(stateless.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy.Properties.PolicyDocument).includes('StripeWebhookSecret'),
    );
    expect(readers.map((policy) => String(policy.Properties.Roles[0].Ref).replace(/ServiceRole.*$/, ''))).toEqual(['fninvoices']);
  });

  it('the link key is a secret of its own: read by the functions that sign or verify links, never derived from the API token', () => {
    const readersOf = (secret: string) =>
      Object.values<any>(stateless.findResources('AWS::IAM::Policy'))
        .filter((policy) => JSON.stringify(policy.Properties.PolicyDocument).includes(secret))
        .map((policy) => String(policy.Properties.Roles[0].Ref).replace(/ServiceRole.*$/, ''))
        .sort();
    expect(readersOf('LinkKey')).toEqual([
      'fnapi',
      'fndunningstep',
      'fninboundemail',
      'fninvoices',
      'fnissuestep',
      'fnmaintenancestep',
      'fnsesfeedback',
    ]);
    // The API token: the functions that check it (staff routes, monitoring senders), not those that only sign links.
    expect(readersOf('ApiToken')).toEqual(['fnapi', 'fninvoices', 'fnwebhooks']);
    expect(environmentOf('webhooks').WEBHOOKS_ACCEPT_API_TOKEN).toBe('false');
    expect(environmentOf('api').ACCEPT_LEGACY_LINKS_UNTIL).toBeUndefined();
    // The bootstrap token serves unless switched off (-c bootstrapToken=off), in both functions behind staff routes.
    expect([environmentOf('api').BOOTSTRAP_TOKEN, environmentOf('invoices').BOOTSTRAP_TOKEN]).toEqual(['on', 'on']);
    expect(environmentOf('webhooks').BOOTSTRAP_TOKEN).toBeUndefined();
  });

  it('-c webhooksAcceptApiToken=true and -c acceptLegacyLinksUntil= reach the functions that need them', () => {
    const upgraded = synth({ webhooksAcceptApiToken: 'true', acceptLegacyLinksUntil: '2027-03-01T00:00:00+01:00' });
    const functions = Template.fromStack(upgraded.stateless).findResources('AWS::Lambda::Function');
    const env = (name: string) =>
      Object.entries<any>(functions).find(([id]) => id.startsWith(`fn${name.replace(/-/g, '')}`))![1].Properties.Environment.Variables;
    expect(env('webhooks').WEBHOOKS_ACCEPT_API_TOKEN).toBe('true');
    expect(env('api').ACCEPT_LEGACY_LINKS_UNTIL).toBe('2027-02-28T23:00:00.000Z');
    expect(env('inbound-email').ACCEPT_LEGACY_LINKS_UNTIL).toBe('2027-02-28T23:00:00.000Z');
    expect(env('inbound-email').API_TOKEN_SECRET_ARN).toBeDefined();
    expect(env('issue-step').ACCEPT_LEGACY_LINKS_UNTIL).toBeUndefined(); // signs only, with the current key
    expect(() => synth({ acceptLegacyLinksUntil: 'next spring' })).toThrow(/acceptLegacyLinksUntil=next spring: an ISO-8601 instant/);
  });

  it('staff sign-in: a retained Cognito user pool (invite only, MFA, Plus tier) with managed login, a public PKCE client for the console', () => {
    stateful.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        UsernameAttributes: ['email'],
        MfaConfiguration: 'ON',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
        UserPoolTier: 'PLUS',
        DeletionProtection: 'ACTIVE',
        Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireSymbols: true, RequireUppercase: true }) },
      }),
    });
    stateful.hasResourceProperties('AWS::Cognito::UserPoolDomain', { ManagedLoginVersion: 2 });
    stateful.resourceCountIs('AWS::Cognito::UserPoolUser', 0);
    stateless.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      SupportedIdentityProviders: ['COGNITO'],
      PreventUserExistenceErrors: 'ENABLED',
      CallbackURLs: [Match.objectLike({ 'Fn::Join': Match.anyValue() })],
    });
    stateless.resourceCountIs('AWS::Cognito::ManagedLoginBranding', 1);
  });

  it('the console: CloudFront serves its files from a private bucket at /console/* and the API on the same origin; the client returns there', () => {
    const distribution = Object.values<any>(stateless.findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
    expect(distribution.DefaultCacheBehavior).toMatchObject({
      AllowedMethods: expect.arrayContaining(['POST', 'PUT', 'PATCH', 'DELETE']),
      ViewerProtocolPolicy: 'https-only',
    });
    const consoleBehavior = distribution.CacheBehaviors.find((behavior: { PathPattern: string }) => behavior.PathPattern === '/console/*');
    expect(consoleBehavior.FunctionAssociations).toEqual([expect.objectContaining({ EventType: 'viewer-request' })]);
    const origins = distribution.Origins as {
      Id: string;
      S3OriginConfig?: unknown;
      CustomOriginConfig?: unknown;
      OriginAccessControlId?: unknown;
    }[];
    expect(origins.find((origin) => origin.Id === consoleBehavior.TargetOriginId)?.OriginAccessControlId).toBeDefined();
    expect(origins.find((origin) => origin.Id === distribution.DefaultCacheBehavior.TargetOriginId)?.CustomOriginConfig).toBeDefined();
    stateless.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({ ContentSecurityPolicy: Match.objectLike({ ContentSecurityPolicy: Match.anyValue() }) }),
      }),
    });
    stateless.resourceCountIs('Custom::CDKBucketDeployment', 1);
    const client = Object.values<any>(stateless.findResources('AWS::Cognito::UserPoolClient'))[0].Properties;
    expect(JSON.stringify(client.CallbackURLs)).toMatch(/ConsoleDistribution[0-9A-F]+","DomainName"]},"\/console\/"/);
  });

  it('which routes take sign-in tokens: every function behind a staff route knows the issuer and the client, no other function does', () => {
    const functions = stateless.findResources('AWS::Lambda::Function');
    const withIssuer = Object.entries<any>(functions)
      .filter(([, fn]) => fn.Properties.Environment?.Variables?.OIDC_ISSUER)
      .map(([id]) => id.replace(/[A-F0-9]{8}$/, ''))
      .sort();
    const staffFunctions = [
      ...new Set(routes.filter((route) => route.permission !== 'public').map((route) => `fn${route.function}`)),
    ].sort();
    expect(withIssuer).toEqual(staffFunctions);
    for (const [id, fn] of Object.entries<any>(functions).filter(([, f]) => f.Properties.Environment?.Variables?.OIDC_ISSUER)) {
      const variables = fn.Properties.Environment.Variables;
      expect(JSON.stringify(variables.OIDC_ISSUER), id).toContain('ProviderURL');
      expect(JSON.stringify(variables.OIDC_AUDIENCES), id).toContain('ConsoleClient');
    }
    const external = synth({ oidcIssuer: 'https://login.example.com', oidcAudiences: 'app-1,app-2', adminEmail: 'ops@example.com' });
    const env = Object.values<any>(Template.fromStack(external.stateless).findResources('AWS::Lambda::Function')).find(
      (fn) => fn.Properties.Environment?.Variables?.OIDC_ISSUER,
    ).Properties.Environment.Variables;
    expect(env).toMatchObject({ OIDC_ISSUER: 'https://login.example.com', OIDC_AUDIENCES: 'app-1,app-2', ADMIN_EMAIL: 'ops@example.com' });
    Template.fromStack(external.stateful).hasResourceProperties('AWS::Cognito::UserPoolUser', {
      Username: 'ops@example.com',
      DesiredDeliveryMediums: ['EMAIL'],
    });
    expect(() => synth({ oidcIssuer: 'https://login.example.com' })).toThrow(/go together/);
  });

  it('explicit grants: the secrets are read by the functions that check tokens or sign links, nobody else', () => {
    expect(rolesWith('secretsmanager:GetSecretValue')).toEqual([
      'fnapi',
      'fndunningstep',
      'fninboundemail',
      'fninvoices',
      'fnissuestep',
      'fnmaintenancestep',
      'fnsesfeedback',
      'fnwebhooks',
    ]);
  });

  it('inbound mail: an encrypted, private, TLS-only bucket with a lifecycle; SES may only put objects for this account', () => {
    const stateful = Template.fromStack(built.stateful);
    stateful.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: [
          Match.objectLike({ Prefix: 'inbound/', ExpirationInDays: 90, Status: 'Enabled' }),
          Match.objectLike({ Prefix: 'imports/', ExpirationInDays: 7, Status: 'Enabled' }),
        ],
      },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'inbound-mail/' }),
    });
    const policies = JSON.stringify(stateful.findResources('AWS::S3::BucketPolicy'));
    expect(policies).toContain('ses.amazonaws.com');
    expect(policies).toContain('aws:SourceAccount');
    expect(policies).toContain('aws:SecureTransport');
    // Only Steward's own receipt rule may put mail there, not any rule of the account.
    expect(policies).toContain('aws:SourceArn');
    expect(policies).toContain(':receipt-rule-set/steward-inbound:receipt-rule/steward-ingest');
    const joined = JSON.stringify(
      Template.fromStack(synth({ receiptRuleSet: 'company-inbound' }).stateful).findResources('AWS::S3::BucketPolicy'),
    );
    expect(joined).toContain(':receipt-rule-set/company-inbound:receipt-rule/steward-ingest');
  });

  it('API answers through CloudFront carry security headers; with a domain of its own the execute-api endpoint is off and CloudFront reaches the API there', () => {
    const policies = Object.values<any>(stateless.findResources('AWS::CloudFront::ResponseHeadersPolicy')).map(
      (policy) => policy.Properties.ResponseHeadersPolicyConfig,
    );
    const distribution = Object.values<any>(stateless.findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
    expect(distribution.DefaultCacheBehavior.ResponseHeadersPolicyId).toBeDefined();
    const api = policies.find((config) => config.SecurityHeadersConfig.ReferrerPolicy?.ReferrerPolicy === 'no-referrer');
    expect(api.SecurityHeadersConfig).toMatchObject({
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY' },
      StrictTransportSecurity: { AccessControlMaxAgeSec: 31_536_000, IncludeSubdomains: true },
    });
    expect(Object.values<any>(stateless.findResources('AWS::ApiGatewayV2::Api'))[0].Properties.DisableExecuteApiEndpoint).toBeUndefined();
    const named = Template.fromStack(synth({ domain: 'steward.provider.test' }).stateless);
    expect(Object.values<any>(named.findResources('AWS::ApiGatewayV2::Api'))[0].Properties.DisableExecuteApiEndpoint).toBe(true);
    const origin = Object.values<any>(named.findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig.Origins.find(
      (entry: { CustomOriginConfig?: unknown }) => entry.CustomOriginConfig,
    );
    expect(origin.DomainName).toBe('steward.provider.test');
  });

  it('inbound mail: a receipt rule stores the message under inbound/ and then invokes inbound-email', () => {
    stateless.resourceCountIs('AWS::SES::ReceiptRuleSet', 1);
    const rules = Object.values<any>(stateless.findResources('AWS::SES::ReceiptRule'));
    expect(rules).toHaveLength(1);
    const { Actions, TlsPolicy, ScanEnabled, Recipients } = rules[0].Properties.Rule;
    expect([TlsPolicy, ScanEnabled, Recipients]).toEqual(['Require', true, ['example.com']]);
    expect(Actions.map((action: object) => Object.keys(action)[0])).toEqual(['S3Action', 'LambdaAction']);
    expect(Actions[0].S3Action.ObjectKeyPrefix).toBe('inbound/');
    expect(Actions[1].LambdaAction.InvocationType).toBe('Event');
    stateless.hasResourceProperties('AWS::Lambda::Permission', { Principal: 'ses.amazonaws.com', Action: 'lambda:InvokeFunction' });
  });

  it('every asynchronously invoked function (schedule, SES, SNS, event rule) retries twice, then sends the event to the failed-events queue', () => {
    const logicalIdOf = (arn: any): string => arn?.['Fn::GetAtt']?.[0] ?? arn?.Ref;
    const targets = new Set<string>([
      ...Object.values<any>(stateless.findResources('AWS::Scheduler::Schedule')).map((s) => logicalIdOf(s.Properties.Target.Arn)),
      ...Object.values<any>(stateless.findResources('AWS::SES::ReceiptRule')).flatMap((r) =>
        r.Properties.Rule.Actions.filter((a: any) => a.LambdaAction).map((a: any) => logicalIdOf(a.LambdaAction.FunctionArn)),
      ),
      ...Object.values<any>(stateless.findResources('AWS::SNS::Subscription'))
        .filter((s) => s.Properties.Protocol === 'lambda')
        .map((s) => logicalIdOf(s.Properties.Endpoint)),
      ...Object.values<any>(stateless.findResources('AWS::Events::Rule')).flatMap((r) =>
        r.Properties.Targets.map((t: any) => logicalIdOf(t.Arn)),
      ),
    ]);
    expect(targets.size).toBeGreaterThanOrEqual(4); // reconcile, dunning-run, inbound-email, ses-feedback
    const configs = Object.values<any>(stateless.findResources('AWS::Lambda::EventInvokeConfig'));
    expect(new Set(configs.map((c) => logicalIdOf(c.Properties.FunctionName)))).toEqual(targets);
    const queue = Object.keys(stateful.findResources('AWS::SQS::Queue'))[0];
    for (const config of configs) {
      expect(config.Properties.MaximumRetryAttempts).toBe(2);
      expect(JSON.stringify(config.Properties.DestinationConfig.OnFailure.Destination)).toContain(queue);
    }
    stateful.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
  });

  it('the public customer-link routes and the policy and KPI routes exist on the HTTP API', () => {
    for (const key of ['GET /links/{token}', 'POST /links/{token}', 'GET /policies', 'PUT /policies/{name}', 'GET /kpis']) {
      stateless.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: key });
    }
  });

  it('cdk-nag AwsSolutions: no unsuppressed finding', () => {
    for (const stack of [built.stateful, built.stateless]) {
      const errors = Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
      const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'));
      expect(errors.map((e) => `${e.id}: ${e.entry.data}`)).toEqual([]);
      expect(warnings.map((e) => `${e.id}: ${e.entry.data}`)).toEqual([]);
    }
  });

  it('cdk-nag really runs: an unhardened bucket is reported', () => {
    const app = new App();
    const stack = new Stack(app, 'NagProbe');
    new Bucket(stack, 'Plain');
    Aspects.of(app).add(new AwsSolutionsChecks());
    expect(Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-S1')).length).toBeGreaterThan(0);
  });
});
