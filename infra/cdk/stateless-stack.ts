import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ArnFormat, CfnOutput, Duration, Fn, RemovalPolicy, Stack, type StackProps, Token } from 'aws-cdk-lib';
import { type CfnStage, DomainName, HttpApi, HttpMethod, type HttpRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { Certificate, CertificateValidation } from 'aws-cdk-lib/aws-certificatemanager';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import {
  CfnManagedLoginBranding,
  OAuthScope,
  type UserPool,
  UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnSchedule, CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import {
  ConfigurationSet,
  DkimIdentity,
  EasyDkimSigningKeyLength,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  Identity,
  ReceiptRule,
  ReceiptRuleSet,
  TlsPolicy,
} from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Lambda as LambdaAction, LambdaInvocationType, S3 } from 'aws-cdk-lib/aws-ses-actions';
import { NagSuppressions } from 'cdk-nag';
import { INBOUND_PREFIX } from '../../modules/intake/index.ts';
import type { Construct } from 'constructs';
import { lambdaBundling } from '../bundling.ts';
import {
  API_FUNCTION_TIMEOUT_SECONDS,
  SIGN_IN_VARIABLES,
  settingVariables,
  TABLE_ACTIONS,
  TRIAGE_DESK_VARIABLE,
  type FunctionDeclaration,
  type Need,
  type TableKeys,
} from '../aws/needs.ts';
import { declarationOf } from '../function-declarations.ts';
import { isPublicRoute, routeKey, routes } from '../routes.ts';
import { ConsoleSite } from './console-site.ts';
import { Operations } from './operations.ts';
import { scheduleInput, schedules } from '../schedules.ts';
import { definitionFile, FUNCTIONS_DIR, loadManifest } from '../workflow-manifest.ts';
import { receiptRuleNames, stateMachineName, timerGroupName } from '../aws-names.ts';
import { RESTART_STATUSES } from '../../kernel/workflow-runs.ts';

export interface StatelessStackProps extends StackProps {
  table: TableV2;
  userPool: UserPool;
  signInDomain: UserPoolDomain;
  /**
   * Staff sign-in: by default the user pool, through the console's app client; another OIDC issuer
   * and its client ids by `-c oidcIssuer= -c oidcAudiences=`. The admin email becomes the first admin.
   */
  signIn: { issuer?: string; audiences?: string; emailClaim?: string; adminEmail?: string; consoleUrl?: string };
  apiToken: Secret;
  inboundMail: Bucket;
  stripeWebhookSecret: Secret;
  linkKey: Secret;
  /** Monitoring senders without a secret of their own may use the API token (`-c webhooksAcceptApiToken=true`). */
  webhooksAcceptApiToken: boolean;
  /** "off": the bootstrap API token no longer serves staff routes once an admin user exists (`-c bootstrapToken=off`). */
  bootstrapToken: 'on' | 'off';
  /** Links signed with the key derived from the API token (before links had their own) verify until then. */
  acceptLegacyLinksUntil?: string;
  /** Where Lambda sends an asynchronous event after its retries (see FunctionDeclaration.asynchronous). */
  failedEvents: IQueue;
  /** Verified SES identity Steward sends from, e.g. "Steward <steward@example.com>". */
  fromAddress: string;
  /** Where customers write; its domain needs an MX record to SES inbound and an active receipt rule set. */
  inboundAddress: string;
  /** "refuse", "triage" (the built-in triage customer) or the id of a triage customer for alerts and mail for no known customer. */
  unknownSender: string;
  /** Starts every physical name (aws-names.ts namePrefix), so stages share an account. */
  namePrefix: string;
  /** Subscribed to the alarm topic. */
  alarmEmail?: string;
  /** Concurrency reserved for each function that serves public routes (0: none), so a flood cannot starve the workflows. */
  publicConcurrency: number;
  /** The domain Steward sends from: an SES identity with Easy DKIM and a MAIL FROM subdomain, its DNS records as outputs (`-c mailDomain=`). */
  mailDomain?: string;
  /** The API's own domain (`-c domain=`), the public URL in emails; its certificate from `-c certificateArn=` or a new DNS-validated one. */
  domain?: string;
  certificateArn?: string;
  /** An existing receipt rule set (the account's active one) to add Steward's rule to, instead of a set of its own (`-c receiptRuleSet=`). */
  receiptRuleSet?: string;
  /** The HTTP API's steady rate (requests/s) and burst for the whole stage; the public routes get a fifth of it. */
  throttle: { rate: number; burst: number };
  /** CloudWatch metrics per route (`-c detailedRouteMetrics=true`): about 5 custom metrics per route, priced as such; off by default. */
  detailedRouteMetrics?: boolean;
  /** What the state machines log (`-c workflowLogLevel=`): ERROR by default; ALL logs every state, priced per GB ingested. */
  workflowLogLevel?: 'ALL' | 'ERROR' | 'FATAL' | 'OFF';
}

/** The origin of a URL that may be a deploy-time token (scheme://host). */
const originOf = (url: string) =>
  Token.isUnresolved(url) ? Fn.join('', ['https://', Fn.select(2, Fn.split('/', url))]) : new URL(url).origin;

/** The SES configuration set every email is sent with (its events report bounces and complaints): "steward", or "steward-<stage>". */
const configurationSetName = (prefix: string) => prefix.slice(0, -1);

/** Functions, state machines, the HTTP API and the schedules: everything that can be redeployed at will. */
export class StatelessStack extends Stack {
  readonly functions = new Map<string, NodejsFunction>();
  readonly stateMachines = new Map<string, StateMachine>();
  readonly api: HttpApi;
  readonly logGroups = new Map<string, LogGroup>();
  readonly operations: Operations;
  /** The case loops' timers: their schedule group and the role their schedules run with. */
  readonly timers: { group: CfnScheduleGroup; role: Role };

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const manifest = loadManifest();
    const prefix = props.namePrefix;
    /** The `service` key of every log line and the dimension of every metric: steward, or steward-<stage>. */
    const serviceName = prefix.replace(/-$/, '');
    const sesConfigurationSet = configurationSetName(prefix);
    const stateMachineArns = Object.fromEntries(
      Object.keys(manifest.workflows).map((workflow) => [
        workflow,
        this.formatArn({
          service: 'states',
          resource: 'stateMachine',
          resourceName: stateMachineName(workflow, prefix),
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ]),
    );
    // With -c domain= the API answers at that name (a regional endpoint with an ACM certificate,
    // DNS-validated unless -c certificateArn= names one), and it is the public URL in emails.
    const domainName = props.domain
      ? new DomainName(this, 'ApiDomain', {
          domainName: props.domain,
          certificate: props.certificateArn
            ? Certificate.fromCertificateArn(this, 'ApiCertificate', props.certificateArn)
            : new Certificate(this, 'ApiCertificate', { domainName: props.domain, validation: CertificateValidation.fromDns() }),
        })
      : undefined;
    this.api = new HttpApi(this, 'Api', {
      description: 'Steward REST API and webhooks',
      // With a domain of its own, the API answers only there (and through CloudFront, which reaches it there).
      ...(domainName ? { defaultDomainMapping: { domainName }, disableExecuteApiEndpoint: true } : {}),
    });
    const publicUrl = props.domain ? `https://${props.domain}` : this.api.apiEndpoint;
    if (domainName)
      new CfnOutput(this, 'DnsApiDomain', {
        value: `${props.domain} CNAME ${domainName.regionalDomainName}`,
        description: 'Point the API domain at API Gateway (and create the certificate validation record ACM shows)',
      });
    // The console: CloudFront in front of its files and of the API (one origin). Its app client:
    // public (no secret), the authorization code flow with PKCE, sent back to the console.
    const issuer = props.signIn.issuer ?? props.userPool.userPoolProviderUrl;
    const consoleSite = new ConsoleSite(this, 'Console', {
      api: this.api,
      ...(props.domain ? { apiDomain: props.domain } : {}),
      connectSources: [originOf(issuer), props.signIn.issuer ? undefined : props.signInDomain.baseUrl()].filter(
        (source) => source !== undefined,
      ),
    });
    const consoleUrl = props.signIn.consoleUrl ?? `${consoleSite.url}/console/`;
    const consoleClient = new UserPoolClient(this, 'ConsoleClient', {
      userPool: props.userPool,
      userPoolClientName: `${prefix}console`,
      generateSecret: false,
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [consoleUrl],
        logoutUrls: [consoleUrl],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });
    new CfnManagedLoginBranding(this, 'ConsoleSignInPage', {
      userPoolId: props.userPool.userPoolId,
      clientId: consoleClient.userPoolClientId,
      useCognitoProvidedValues: true,
    });
    consoleSite.publish({ issuer, clientId: props.signIn.audiences?.split(',')[0].trim() ?? consoleClient.userPoolClientId });
    new CfnOutput(this, 'SignInUrl', { value: props.signInDomain.baseUrl(), description: "Staff sign-in (Cognito's managed login)" });
    new CfnOutput(this, 'ConsoleClientId', { value: consoleClient.userPoolClientId });
    const settingValues: Record<string, string> = {
      OIDC_ISSUER: props.signIn.issuer ?? props.userPool.userPoolProviderUrl,
      OIDC_AUDIENCES: props.signIn.audiences ?? consoleClient.userPoolClientId,
      ...(props.signIn.emailClaim ? { OIDC_EMAIL_CLAIM: props.signIn.emailClaim } : {}),
      ...(props.signIn.adminEmail ? { ADMIN_EMAIL: props.signIn.adminEmail } : {}),
      FROM_ADDRESS: props.fromAddress,
      PUBLIC_URL: publicUrl,
      API_TOKEN_SECRET_ARN: props.apiToken.secretArn,
      STRIPE_WEBHOOK_SECRET_ARN: props.stripeWebhookSecret.secretArn,
      LINK_KEY_SECRET_ARN: props.linkKey.secretArn,
      WEBHOOKS_ACCEPT_API_TOKEN: String(props.webhooksAcceptApiToken),
      BOOTSTRAP_TOKEN: props.bootstrapToken,
      INBOUND_ADDRESS: props.inboundAddress,
      UNKNOWN_SENDER: props.unknownSender,
      // The built-in triage customer's people: whoever set Steward up, else whoever hears its alarms, else its own sender.
      TRIAGE_DESK: props.signIn.adminEmail ?? props.alarmEmail ?? /<([^>]+)>/.exec(props.fromAddress)?.[1] ?? props.fromAddress,
    };
    // The case loops' timers: one-time schedules in a group of their own, fired with a role that may
    // answer the tasks of the case-loop state machines and nothing else (kernel/timer-port.ts).
    const timerGroup = new CfnScheduleGroup(this, 'TimerGroup', { name: timerGroupName(prefix) });
    const timerRole = new Role(this, 'TimerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': this.account } } }),
    });
    const caseLoops = Object.entries(manifest.workflows).filter(([, workflow]) => workflow.caseLoop);
    if (caseLoops.length)
      timerRole.addToPolicy(
        new PolicyStatement({ actions: ['states:SendTaskSuccess'], resources: caseLoops.map(([workflow]) => stateMachineArns[workflow]) }),
      );
    this.timers = { group: timerGroup, role: timerRole };
    /** Only the environment a function's declared needs read. */
    const environmentOf = (declaration: FunctionDeclaration): Record<string, string> => {
      const environment: Record<string, string> = {};
      for (const need of Object.values(declaration.needs) as Need[]) {
        if (need.kind === 'table') environment.TABLE_NAME = props.table.tableName;
        if (need.kind === 'blobs') environment.INBOUND_BUCKET = props.inboundMail.bucketName;
        if (need.kind === 'email') environment.SES_CONFIGURATION_SET = sesConfigurationSet;
        if (need.kind === 'timers') {
          environment.TIMER_GROUP = timerGroupName(prefix);
          environment.TIMER_ROLE_ARN = timerRole.roleArn;
        }
        if (need.kind === 'workflows') {
          const named = [...new Set([...need.start, ...need.signal])];
          environment.STATE_MACHINE_ARNS = JSON.stringify(
            Object.fromEntries(named.map((workflow) => [workflow, stateMachineArns[workflow]])),
          );
        }
        if (need.kind === 'settings') {
          for (const setting of need.names) environment[settingVariables[setting]] = settingValues[settingVariables[setting]];
          if (need.names.includes('unknownSender')) environment[TRIAGE_DESK_VARIABLE] = settingValues[TRIAGE_DESK_VARIABLE];
          if (need.names.includes('signIn'))
            for (const variable of SIGN_IN_VARIABLES) if (settingValues[variable]) environment[variable] = settingValues[variable];
          if (need.names.includes('linkKeys') && props.acceptLegacyLinksUntil) {
            environment.ACCEPT_LEGACY_LINKS_UNTIL = props.acceptLegacyLinksUntil;
            environment.API_TOKEN_SECRET_ARN = props.apiToken.secretArn;
          }
        }
      }
      return environment;
    };

    const publicFunctions = new Set(routes.filter(isPublicRoute).map((route) => route.function));
    for (const name of readdirSync(FUNCTIONS_DIR).filter((entry) => existsSync(join(FUNCTIONS_DIR, entry, 'handler.ts')))) {
      const logGroup = new LogGroup(this, `${name}-logs`, { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
      const declaration = declarationOf(name);
      const fn = new NodejsFunction(this, `fn-${name}`, {
        entry: join(FUNCTIONS_DIR, name, 'handler.ts'),
        handler: 'handler',
        runtime: Runtime.NODEJS_22_X,
        architecture: Architecture.ARM_64,
        memorySize: declaration.memoryMb,
        timeout: Duration.seconds(declaration.timeoutSeconds),
        tracing: Tracing.ACTIVE,
        logGroup,
        environment: { ...environmentOf(declaration), NODE_OPTIONS: lambdaBundling.nodeOptions, POWERTOOLS_SERVICE_NAME: serviceName },
        reservedConcurrentExecutions: publicFunctions.has(name) && props.publicConcurrency > 0 ? props.publicConcurrency : undefined,
        bundling: {
          format: OutputFormat.ESM,
          target: lambdaBundling.target,
          bundleAwsSDK: true,
          sourceMap: lambdaBundling.sourceMap,
          sourcesContent: lambdaBundling.sourcesContent,
          minify: true,
          mainFields: lambdaBundling.mainFields,
          banner: lambdaBundling.banner,
          esbuildArgs: lambdaBundling.esbuildArgs,
          commandHooks: {
            beforeBundling: () => [],
            beforeInstall: () => [],
            afterBundling: lambdaBundling.afterBundling,
          },
        },
      });
      this.logGroups.set(name, logGroup);
      if (declaration.asynchronous)
        fn.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(6), onFailure: new SqsDestination(props.failedEvents) });
      this.functions.set(name, fn);
    }

    const fn = (name: string) => {
      const found = this.functions.get(name);
      if (!found) throw new Error(`no function folder functions/${name}`);
      return found;
    };

    for (const [workflow, { substitutions, invokes }] of Object.entries(manifest.workflows)) {
      const logGroup = new LogGroup(this, `${workflow}-sfn-logs`, {
        retention: RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      const machine = new StateMachine(this, `sm-${workflow}`, {
        stateMachineName: stateMachineName(workflow, prefix),
        stateMachineType: StateMachineType.STANDARD,
        definitionBody: DefinitionBody.fromFile(definitionFile(workflow)),
        definitionSubstitutions: Object.fromEntries(
          Object.entries(substitutions).map(([placeholder, folder]) => [placeholder, fn(folder).functionArn]),
        ),
        logs: { destination: logGroup, level: LogLevel[props.workflowLogLevel ?? 'ERROR'], includeExecutionData: false },
        tracingEnabled: true,
      });
      for (const folder of invokes) fn(folder).grantInvoke(machine);
      if ((props.workflowLogLevel ?? 'ERROR') !== 'ALL')
        NagSuppressions.addResourceSuppressions(machine, [
          {
            id: 'AwsSolutions-SF1',
            reason:
              'Failed states are logged; Step Functions keeps every state of an execution in its history for 90 days, and -c workflowLogLevel=ALL logs them all at a cost (docs/operations.md).',
          },
        ]);
      this.stateMachines.set(workflow, machine);
    }

    // Each function gets exactly what it declares in functions/<name>/function.ts.
    for (const [name, fn] of this.functions) {
      for (const need of Object.values(declarationOf(name).needs) as Need[]) this.grant(fn, need, props, stateMachineArns);
    }

    // Inbound mail: SES stores the raw message in the bucket, then invokes the ingest function. An
    // account has one active rule set: join it (-c receiptRuleSet=) or activate Steward's own, which
    // REPLACES whatever set was active (docs/operations.md). CloudFormation cannot activate a set.
    const names = receiptRuleNames(prefix, props.receiptRuleSet);
    const ruleSet = props.receiptRuleSet
      ? ReceiptRuleSet.fromReceiptRuleSetName(this, 'InboundRuleSet', props.receiptRuleSet)
      : new ReceiptRuleSet(this, 'InboundRuleSet', { receiptRuleSetName: names.ruleSet });
    new ReceiptRule(this, 'InboundRuleSetIngest', {
      ruleSet,
      receiptRuleName: names.rule,
      recipients: [props.inboundAddress.split('@')[1]],
      scanEnabled: true,
      tlsPolicy: TlsPolicy.REQUIRE,
      actions: [
        new S3({ bucket: props.inboundMail, objectKeyPrefix: INBOUND_PREFIX }),
        new LambdaAction({ function: fn('inbound-email'), invocationType: LambdaInvocationType.EVENT }),
      ],
    });
    new CfnOutput(this, 'ReceiptRuleSet', {
      value: props.receiptRuleSet ?? `${prefix}inbound`,
      description: props.receiptRuleSet
        ? 'Steward added its rule to this existing rule set'
        : 'Activate once: aws ses set-active-receipt-rule-set --rule-set-name <this> (it REPLACES the active rule set of the account)',
    });

    const routeResources = new Map<string, HttpRoute>();
    for (const route of routes) {
      if (declarationOf(route.function).timeoutSeconds > API_FUNCTION_TIMEOUT_SECONDS)
        throw new Error(
          `${route.function} serves ${routeKey(route)} but may run past API Gateway's 30 s: at most ${API_FUNCTION_TIMEOUT_SECONDS} s`,
        );
      const [made] = this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`route-${route.method}-${route.path}`, fn(route.function)),
      });
      routeResources.set(routeKey(route), made);
    }
    const accessLogs = new LogGroup(this, 'api-access-logs', { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const stage = this.api.defaultStage!.node.defaultChild as CfnStage;
    // Throttling at the edge: the whole stage, and the public routes (links, Stripe, monitoring webhooks) a fifth of it.
    stage.defaultRouteSettings = {
      throttlingRateLimit: props.throttle.rate,
      throttlingBurstLimit: props.throttle.burst,
      detailedMetricsEnabled: props.detailedRouteMetrics ?? false,
    };
    // API Gateway refuses a stage whose RouteSettings name a route that does not exist yet: the stage waits for them.
    for (const route of routes.filter(isPublicRoute)) stage.node.addDependency(routeResources.get(routeKey(route))!);
    stage.routeSettings = Object.fromEntries(
      routes.filter(isPublicRoute).map((route) => [
        routeKey(route),
        {
          // Raw CloudFormation (RouteSettings is a map by route key): property names as CloudFormation spells them.
          ThrottlingRateLimit: Math.max(1, props.throttle.rate / 5),
          ThrottlingBurstLimit: Math.max(1, Math.floor(props.throttle.burst / 5)),
        },
      ]),
    );
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
        name: `${prefix}${schedule.name}`,
        description: schedule.description,
        scheduleExpression: schedule.expression,
        scheduleExpressionTimezone: schedule.timezone,
        flexibleTimeWindow: { mode: 'OFF' },
        target: {
          arn: fn(schedule.function).functionArn,
          roleArn: schedulerRole.roleArn,
          input: JSON.stringify(scheduleInput(schedule)),
          retryPolicy: { maximumRetryAttempts: 3 },
        },
      });
    }

    // SES feedback: the configuration set every email is sent with publishes bounces and complaints to
    // SNS, which invokes ses-feedback (the contact is marked undeliverable, the service manager told).
    const feedback = new Topic(this, 'SesFeedback', { topicName: `${prefix}ses-feedback`, enforceSSL: true });
    feedback.addSubscription(new LambdaSubscription(fn('ses-feedback')));
    const configurationSet = new ConfigurationSet(this, 'SesConfigurationSet', { configurationSetName: sesConfigurationSet });
    configurationSet.addEventDestination('Feedback', {
      destination: EventDestination.snsTopic(feedback),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
    });
    if (props.mailDomain)
      for (const [index, domain] of mailIdentities(props).entries())
        this.sendingIdentity(domain, configurationSet, index === 0 ? '' : 'Inbound');

    // A run that failed, timed out or was stopped: its owner gets the next run at once (the hourly sweep is the safety net).
    new Rule(this, 'ExecutionEnded', {
      description: 'Restarts the workflow of an issue or dunning cycle whose execution ended before its owner did',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { status: [...RESTART_STATUSES], stateMachineArn: Object.values(stateMachineArns) },
      },
      targets: [new LambdaFunction(fn('reconcile'), { retryAttempts: 2 })],
    });

    this.operations = new Operations(this, 'Operations', {
      functions: this.functions,
      logGroups: this.logGroups,
      stateMachines: this.stateMachines,
      api: this.api,
      failedEvents: props.failedEvents,
      tableName: props.table.tableName,
      alarmEmail: props.alarmEmail,
      namePrefix: prefix,
      serviceName,
    });

    new CfnOutput(this, 'ApiUrl', { value: publicUrl });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.operations.topic.topicArn,
      description: 'Subscribe the people on call (email, chat, pager)',
    });
    this.suppressNagFindings(schedulerRole);
  }

  /**
   * The domain Steward sends from: Easy DKIM (three CNAMEs), a MAIL FROM subdomain (MX and SPF, so
   * bounces come back to SES and SPF aligns), every email through the configuration set; the DNS
   * records to create are stack outputs.
   */
  private sendingIdentity(domain: string, configurationSet: ConfigurationSet, role: '' | 'Inbound'): void {
    const mailFrom = `bounce.${domain}`;
    const identity = new EmailIdentity(this, `${role || 'Mail'}Identity`, {
      identity: Identity.domain(domain),
      dkimSigning: true,
      dkimIdentity: DkimIdentity.easyDkim(EasyDkimSigningKeyLength.RSA_2048_BIT),
      mailFromDomain: mailFrom,
      configurationSet,
    });
    for (const [index, record] of identity.dkimRecords.entries())
      new CfnOutput(this, `Dns${role}Dkim${index + 1}`, {
        value: `${record.name} CNAME ${record.value}`,
        description: 'Easy DKIM record to create',
      });
    new CfnOutput(this, `Dns${role}MailFromMx`, {
      value: `${mailFrom} MX 10 feedback-smtp.${this.region}.amazonses.com`,
      description: 'MAIL FROM',
    });
    new CfnOutput(this, `Dns${role}MailFromSpf`, {
      value: `${mailFrom} TXT "v=spf1 include:amazonses.com ~all"`,
      description: 'MAIL FROM SPF',
    });
    if (role === '')
      new CfnOutput(this, 'DnsInboundMx', {
        value: `<inbound address domain> MX 10 inbound-smtp.${this.region}.amazonaws.com`,
        description: 'Where customers write (receiving region)',
      });
  }

  /** The IAM a declared need stands for. */
  // State machine ARNs by name, not by reference: a machine refers to its functions, so a function's
  // role referring to the machine would close a dependency cycle.
  private grant(fn: NodejsFunction, need: Need, props: StatelessStackProps, stateMachineArns: Record<string, string>): void {
    const arnOf = (workflow: string) => {
      const arn = stateMachineArns[workflow];
      if (!arn) throw new Error(`${fn.node.id} declares workflow ${workflow}, which workflows/ does not have`);
      return arn;
    };
    const executionsOf = (workflow: string) =>
      this.formatArn({
        service: 'states',
        resource: 'execution',
        resourceName: `${stateMachineName(workflow, props.namePrefix)}:*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    if (need.kind === 'table') {
      for (const statement of tableStatements(props.table.tableArn, need.keys)) fn.addToRolePolicy(statement);
    } else if (need.kind === 'email') {
      fn.addToRolePolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['ses:SendEmail'],
          // Only Steward's identity and configuration set once the mail domain is known; any of the account's before.
          resources: [
            ...(props.mailDomain ? mailIdentities(props) : ['*']).map((domain) =>
              this.formatArn({ service: 'ses', resource: 'identity', resourceName: domain }),
            ),
            this.formatArn({
              service: 'ses',
              resource: 'configuration-set',
              resourceName: props.mailDomain ? configurationSetName(props.namePrefix) : '*',
            }),
          ],
        }),
      );
    } else if (need.kind === 'workflows') {
      if (need.start.length) {
        fn.addToRolePolicy(new PolicyStatement({ actions: ['states:StartExecution'], resources: need.start.map(arnOf) }));
        fn.addToRolePolicy(
          new PolicyStatement({ actions: ['states:DescribeExecution', 'states:StopExecution'], resources: need.start.map(executionsOf) }),
        );
      }
      if (need.signal.length) {
        fn.addToRolePolicy(
          new PolicyStatement({ actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'], resources: need.signal.map(arnOf) }),
        );
      }
    } else if (need.kind === 'timers') {
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'],
          resources: [
            this.formatArn({
              service: 'scheduler',
              resource: 'schedule',
              resourceName: `${this.timers.group.name}/*`,
              arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
            }),
          ],
        }),
      );
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['iam:PassRole'],
          resources: [this.timers.role.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
        }),
      );
    } else if (need.kind === 'settings') {
      const reads = (...names: string[]) => need.names.some((setting) => names.includes(setting));
      // Verifying a link signed with the legacy key needs the API token it was derived from.
      if (reads('apiToken', 'apiTokens') || (reads('linkKeys') && props.acceptLegacyLinksUntil)) props.apiToken.grantRead(fn);
      if (reads('linkKey', 'linkKeys')) props.linkKey.grantRead(fn);
      if (need.names.includes('stripeWebhookSecret')) props.stripeWebhookSecret.grantRead(fn);
    } else if (need.kind === 'blobs') {
      if (need.access === 'read') props.inboundMail.grantRead(fn, `${need.prefix}*`);
      else props.inboundMail.grantReadWrite(fn, `${need.prefix}*`);
    }
  }

  /** cdk-nag findings accepted, each on the resources it concerns (with their children), each with its reason. */
  private suppressNagFindings(schedulerRole: Role): void {
    const wildcards = {
      id: 'AwsSolutions-IAM5',
      reason:
        "Wildcards are scoped: X-Ray segments (no resource-level permissions), the mail bucket's inbound/ and imports/ prefixes, SES identities of this account until -c mailDomain names one, executions of Steward's own state machines, the case loops' timers in their own schedule group, and versions of Steward's own functions.",
    };
    for (const fn of this.functions.values())
      NagSuppressions.addResourceSuppressions(
        fn,
        [
          {
            id: 'AwsSolutions-IAM4',
            reason: "AWSLambdaBasicExecutionRole is the standard least-privilege policy for writing a function's own logs.",
          },
          wildcards,
          {
            id: 'AwsSolutions-L1',
            reason:
              'Steward pins nodejs22.x, the runtime its code and tests target; moving to a newer runtime is a deliberate, tested change.',
          },
        ],
        true,
      );
    for (const machine of this.stateMachines.values())
      NagSuppressions.addResourceSuppressions(
        machine,
        [
          {
            id: 'AwsSolutions-IAM5',
            reason:
              "Step Functions' log delivery and X-Ray actions have no resource-level permissions (resource *); invoking Steward's own functions includes their versions (function:<name>:*).",
          },
        ],
        true,
      );
    NagSuppressions.addResourceSuppressions(
      schedulerRole,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason: "The scheduler may invoke Steward's own scheduled functions and their versions (function:<name>:*), nothing else.",
        },
      ],
      true,
    );
    NagSuppressions.addResourceSuppressions(
      this.api,
      [
        {
          id: 'AwsSolutions-APIG4',
          reason:
            "Routes authenticate in the handler: staff routes take a sign-in JWT (checked as API Gateway's JWT authorizer checks it), a personal token or the bootstrap token on the same path, which no single API Gateway authorizer accepts; public routes carry signed links and webhook signatures an authorizer cannot verify without the body.",
        },
      ],
      true,
    );
  }
}

/** Whether `domain` is `parent` or one of its subdomains (SES counts a verified domain's subdomains as verified). */
const within = (domain: string, parent: string) => domain === parent || domain.endsWith(`.${parent}`);
const domainOf = (address: string) => (/<([^>]+)>/.exec(address)?.[1] ?? address).split('@')[1]?.toLowerCase() ?? '';

/**
 * The table grants of a declaration: one statement per group of actions, each only for the
 * partitions declared (`dynamodb:LeadingKeys`), and Query on each index only for its declared
 * partition keys. ForAllValues holds for a request with no partition key at all, which is why no
 * statement may carry Scan (nor BatchWriteItem, whose deletes would pass as puts).
 */
export function tableStatements(tableArn: string, keys: TableKeys): PolicyStatement[] {
  const statement = (actions: readonly string[], resource: string, partitions: string[]) =>
    new PolicyStatement({
      effect: Effect.ALLOW,
      actions: actions.map((action) => `dynamodb:${action}`),
      resources: [resource],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...new Set(partitions)].sort() } },
    });
  return [
    ...(Object.keys(TABLE_ACTIONS) as (keyof typeof TABLE_ACTIONS)[])
      .filter((group) => keys[group]?.length)
      .map((group) => statement(TABLE_ACTIONS[group], tableArn, keys[group] ?? [])),
    ...Object.entries(keys.indexes ?? {})
      .filter(([, partitions]) => partitions.length)
      .map(([index, partitions]) => statement(['Query'], `${tableArn}/index/${index}`, partitions)),
  ];
}

/**
 * The SES identities Steward sends with: the mail domain, and the inbound address's domain when it
 * is not within it (every email names a bounce address there, which SES accepts only from a
 * verified identity). The from address must be at the mail domain. Refused at synth, with what to
 * change, rather than by SES on the first send.
 */
export function mailIdentities(props: { mailDomain?: string; fromAddress: string; inboundAddress: string }): string[] {
  const mail = props.mailDomain?.toLowerCase();
  if (!mail) return [];
  const from = domainOf(props.fromAddress);
  if (!within(from, mail))
    throw new Error(
      `fromAddress ${props.fromAddress} is not at the mail domain ${mail}: SES sends only from a verified identity; use an address at ${mail} or -c mailDomain=${from}`,
    );
  const inbound = domainOf(props.inboundAddress);
  return within(inbound, mail) ? [mail] : [mail, inbound];
}
