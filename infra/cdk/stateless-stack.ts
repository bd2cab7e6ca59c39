import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { type CfnStage, HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { ReceiptRuleSet, TlsPolicy } from 'aws-cdk-lib/aws-ses';
import { Lambda as LambdaAction, LambdaInvocationType, S3 } from 'aws-cdk-lib/aws-ses-actions';
import { NagSuppressions } from 'cdk-nag';
import { INBOUND_PREFIX } from '../../domain/inbound-mail.ts';
import type { Construct } from 'constructs';
import { lambdaBundling } from '../bundling.ts';
import { functionSettings } from '../function-settings.ts';
import { routes } from '../routes.ts';
import { schedules } from '../schedules.ts';
import { FUNCTIONS_DIR, WORKFLOWS_DIR, loadManifest } from '../workflow-manifest.ts';

export interface StatelessStackProps extends StackProps {
  table: TableV2;
  apiToken: Secret;
  inboundMail: Bucket;
  stripeWebhookSecret: Secret;
  /** Verified SES identity Steward sends from, e.g. "Steward <steward@example.com>". */
  fromAddress: string;
  /** Where customers write; its domain needs an MX record to SES inbound and an active receipt rule set. */
  inboundAddress: string;
  /** "refuse" or the id of a triage customer for mail from unknown senders. */
  unknownSender: string;
}

const stateMachineName = (workflow: string) => `steward-${workflow}`;

/** Functions, state machines, the HTTP API and the schedules: everything that can be redeployed at will. */
export class StatelessStack extends Stack {
  readonly functions = new Map<string, NodejsFunction>();
  readonly stateMachines = new Map<string, StateMachine>();
  readonly api: HttpApi;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const manifest = loadManifest();
    const stateMachineArns = Object.fromEntries(
      Object.keys(manifest.workflows).map((workflow) => [
        workflow,
        this.formatArn({
          service: 'states',
          resource: 'stateMachine',
          resourceName: stateMachineName(workflow),
          arnFormat: 'colon-resource-name' as never,
        }),
      ]),
    );
    this.api = new HttpApi(this, 'Api', { description: 'Steward REST API and webhooks' });
    const publicUrl = this.api.apiEndpoint;

    for (const name of readdirSync(FUNCTIONS_DIR).filter((entry) => existsSync(join(FUNCTIONS_DIR, entry, 'handler.ts')))) {
      const logGroup = new LogGroup(this, `${name}-logs`, { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
      const fn = new NodejsFunction(this, `fn-${name}`, {
        entry: join(FUNCTIONS_DIR, name, 'handler.ts'),
        handler: 'handler',
        runtime: Runtime.NODEJS_22_X,
        architecture: Architecture.ARM_64,
        memorySize: functionSettings(name).memoryMb,
        timeout: Duration.seconds(functionSettings(name).timeoutSeconds),
        tracing: Tracing.ACTIVE,
        logGroup,
        environment: {
          TABLE_NAME: props.table.tableName,
          STATE_MACHINE_ARNS: JSON.stringify(stateMachineArns),
          FROM_ADDRESS: props.fromAddress,
          PUBLIC_URL: publicUrl,
          API_TOKEN_SECRET_ARN: props.apiToken.secretArn,
          STRIPE_WEBHOOK_SECRET_ARN: props.stripeWebhookSecret.secretArn,
          INBOUND_ADDRESS: props.inboundAddress,
          INBOUND_BUCKET: props.inboundMail.bucketName,
          UNKNOWN_SENDER: props.unknownSender,
          NODE_OPTIONS: '--enable-source-maps',
        },
        bundling: {
          format: OutputFormat.ESM,
          target: lambdaBundling.target,
          bundleAwsSDK: true,
          sourceMap: true,
          minify: true,
          mainFields: lambdaBundling.mainFields,
          banner: lambdaBundling.banner,
        },
      });
      props.table.grantReadWriteData(fn);
      this.functions.set(name, fn);
    }

    const fn = (name: string) => {
      const found = this.functions.get(name);
      if (!found) throw new Error(`no function folder functions/${name}`);
      return found;
    };

    for (const [workflow, { substitutions }] of Object.entries(manifest.workflows)) {
      const logGroup = new LogGroup(this, `${workflow}-sfn-logs`, {
        retention: RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      const machine = new StateMachine(this, `sm-${workflow}`, {
        stateMachineName: stateMachineName(workflow),
        stateMachineType: StateMachineType.STANDARD,
        definitionBody: DefinitionBody.fromFile(join(WORKFLOWS_DIR, `${workflow}.asl.json`)),
        definitionSubstitutions: Object.fromEntries(
          Object.entries(substitutions).map(([placeholder, folder]) => [placeholder, fn(folder).functionArn]),
        ),
        logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
        tracingEnabled: true,
      });
      for (const folder of new Set(Object.values(substitutions))) fn(folder).grantInvoke(machine);
      this.stateMachines.set(workflow, machine);
    }

    // Explicit grants: who may start executions and complete callback tasks.
    const workflowArns = Object.values(stateMachineArns);
    const executionArns = Object.keys(stateMachineArns).map((workflow) =>
      this.formatArn({
        service: 'states',
        resource: 'execution',
        resourceName: `${stateMachineName(workflow)}:*`,
        arnFormat: 'colon-resource-name' as never,
      }),
    );
    // Everything that opens issues starts workflows; everything that records events wakes them.
    for (const name of ['api', 'reconcile', 'webhooks', 'inbound-email', 'dunning-run']) {
      fn(name).addToRolePolicy(new PolicyStatement({ actions: ['states:StartExecution'], resources: workflowArns }));
      fn(name).addToRolePolicy(
        new PolicyStatement({ actions: ['states:DescribeExecution', 'states:StopExecution'], resources: executionArns }),
      );
    }
    for (const name of ['api', 'issue-wait', 'webhooks', 'inbound-email', 'invoices', 'dunning-wait', 'dunning-run']) {
      fn(name).addToRolePolicy(
        new PolicyStatement({ actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'], resources: workflowArns }),
      );
    }
    // Bearer tokens and webhook secrets default to the API secret; customer links and reply addresses are signed with a key derived from it.
    for (const name of ['api', 'issue-step', 'webhooks', 'inbound-email', 'invoices', 'dunning-step']) props.apiToken.grantRead(fn(name));
    for (const name of ['issue-step', 'inbound-email', 'dunning-step', 'invoices', 'api']) {
      fn(name).addToRolePolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['ses:SendEmail'],
          resources: [
            this.formatArn({ service: 'ses', resource: 'identity', resourceName: '*' }),
            this.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: '*' }),
          ],
        }),
      );
    }
    props.inboundMail.grantRead(fn('inbound-email'), `${INBOUND_PREFIX}*`);
    props.stripeWebhookSecret.grantRead(fn('invoices'));

    // Inbound mail: SES stores the raw message in the bucket, then invokes the ingest function.
    // (CloudFormation cannot activate a rule set: `aws ses set-active-receipt-rule-set` once, see README.)
    const ruleSet = new ReceiptRuleSet(this, 'InboundRuleSet', { receiptRuleSetName: 'steward-inbound' });
    ruleSet.addRule('Ingest', {
      recipients: [props.inboundAddress.split('@')[1]],
      scanEnabled: true,
      tlsPolicy: TlsPolicy.REQUIRE,
      actions: [
        new S3({ bucket: props.inboundMail, objectKeyPrefix: INBOUND_PREFIX }),
        new LambdaAction({ function: fn('inbound-email'), invocationType: LambdaInvocationType.EVENT }),
      ],
    });

    for (const route of routes) {
      this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`route-${route.method}-${route.path}`, fn(route.function)),
      });
    }
    const accessLogs = new LogGroup(this, 'api-access-logs', { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const stage = this.api.defaultStage!.node.defaultChild as CfnStage;
    stage.accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      format: JSON.stringify({
        requestId: '$context.requestId',
        ip: '$context.identity.sourceIp',
        routeKey: '$context.routeKey',
        status: '$context.status',
        latency: '$context.responseLatency',
      }),
    };

    const schedulerRole = new Role(this, 'SchedulerRole', { assumedBy: new ServicePrincipal('scheduler.amazonaws.com') });
    for (const schedule of schedules) {
      fn(schedule.function).grantInvoke(schedulerRole);
      new CfnSchedule(this, `schedule-${schedule.name}`, {
        name: `steward-${schedule.name}`,
        description: schedule.description,
        scheduleExpression: schedule.expression,
        scheduleExpressionTimezone: schedule.timezone,
        flexibleTimeWindow: { mode: 'OFF' },
        target: { arn: fn(schedule.function).functionArn, roleArn: schedulerRole.roleArn, retryPolicy: { maximumRetryAttempts: 3 } },
      });
    }

    new CfnOutput(this, 'ApiUrl', { value: publicUrl });
    this.suppressNagFindings();
  }

  private suppressNagFindings(): void {
    NagSuppressions.addStackSuppressions(this, [
      {
        id: 'AwsSolutions-IAM4',
        reason: "AWSLambdaBasicExecutionRole is the standard least-privilege policy for writing a function's own logs.",
      },
      {
        id: 'AwsSolutions-IAM5',
        reason:
          "Wildcards are scoped: the table's own indexes (table/index/*), X-Ray segments (no resource-level permissions), SES identities of this account (the sender identity is configured at deploy), executions of Steward's own state machines, and function versions of Steward's own functions.",
      },
      {
        id: 'AwsSolutions-L1',
        reason: 'Steward pins nodejs22.x, the runtime its code and tests target; moving to a newer runtime is a deliberate, tested change.',
      },
      {
        id: 'AwsSolutions-APIG4',
        reason:
          'Routes authenticate in the handler: a bearer token compared in constant time (API and Alertmanager-style senders), or signed links and webhook signatures that an API Gateway authorizer cannot verify without the body.',
      },
    ]);
  }
}
