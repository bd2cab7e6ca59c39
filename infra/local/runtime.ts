import { keepInbox } from './ses-inbox.ts';
import { localRoutesOf } from './local-routes.ts';
import { startLocalWorkflows } from './local-workflows.ts';
import { CLIENT_LIMITS, DEFAULT_ADMIN_EMAIL, type RuntimeOptions } from './runtime-options.ts';

export { CLIENT_LIMITS, type ClientLimits, DEFAULT_ADMIN_EMAIL, optionsFromEnv, type RuntimeOptions } from './runtime-options.ts';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import type { APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { SMTPServer } from 'smtp-server';
import { DynamoStore } from '../../kernel/dynamo-store.ts';
import { parseUnknownSender, type Deps } from '../../kernel/deps.ts';
import { INBOUND_PREFIX, MAX_MESSAGE_BYTES } from '../../modules/intake/index.ts';
import { CustomerRepository, triageCustomerOf } from '../../modules/customers/index.ts';
import { declarationOf } from '../function-declarations.ts';
import { localDeps } from './function-deps.ts';
import { legacyLinkKey } from '../../kernel/links.ts';
import { LOCAL_S3_CREDENTIALS, startS3 } from './s3-server.ts';
import { sesReceiptEvent } from './ses-receipt.ts';
import { S3BlobStore } from '../../kernel/aws/s3-blob-store.ts';
import { SesMailer } from '../../kernel/aws/ses-mailer.ts';
import { SfnWorkflows } from '../../kernel/aws/sfn-workflows.ts';
import { SchedulerTimers } from '../../kernel/aws/scheduler-timers.ts';
import { LOCAL_PLACE, stateMachineArn, timerGroupName } from '../aws-names.ts';
import { type FaultTarget, Faults } from './faults.ts';
import { LambdaSandbox } from './lambda-sandbox.ts';
import { TableAccess } from './table-access.ts';
import { IndexLag } from './index-lag.ts';
import { type FailedEvent, FailedEvents } from './failed-events.ts';
import type { ApiQuotas } from './sfn-api.ts';
import { executionStatusChange } from './execution-events.ts';
import { withMailboxSimulator } from './ses-simulator.ts';
import { scheduleInput, schedules } from '../schedules.ts';
import { createTableInput, tableSchema } from '../table-schema.ts';
import { FUNCTIONS_DIR } from '../workflow-manifest.ts';
import { ActivityTracker, ManualClock, RealClock, type TimerClock } from './clock.ts';
import { startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local.ts';
import { type LocalEngine, localFunctionArn } from './engine.ts';
import { ExecutionRecords } from './execution-records.ts';
import { startHttpServer } from './http-server.ts';
import { LocalScheduler } from './scheduler.ts';
import type { LocalTimers } from './scheduler-api.ts';
import { LocalTelemetry } from './telemetry.ts';
import { Telemetry } from '../../kernel/telemetry.ts';
import { invocationKeys } from '../aws/lambda.ts';
import { CONSOLE_PATH, consoleHandler } from './console.ts';
import { CONSOLE_CLIENT_ID, SIGN_IN_PATH, SignInProvider } from './sign-in-provider.ts';

export const TABLE_NAME = 'steward';
const EXECUTIONS_TABLE = 'steward-local-executions';
const FAILED_EVENTS_TABLE = 'steward-local-failed-events';
const SES_FEEDBACK_DELAY_MS = 200;
/** Lambda tries an asynchronous event three times in all. */
const ASYNC_ATTEMPTS = 3;
/** The role the timers' schedules run with (on AWS: may answer Steward's state machines' tasks and nothing else). */
const LOCAL_TIMER_ROLE_ARN = `arn:aws:iam::${LOCAL_PLACE.account}:role/steward-timers`;

type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;
type HandlerFactory = (deps: Record<string, unknown>) => LambdaHandler;

/**
 * Imports every functions/<name>/handler.ts (the same modules CDK bundles for Lambda) and returns
 * each one's handler factory: the runtime calls it with the function's declared local dependencies.
 */
export async function loadFunctions(): Promise<Map<string, HandlerFactory>> {
  const functions = new Map<string, HandlerFactory>();
  for (const name of readdirSync(FUNCTIONS_DIR)) {
    const file = join(FUNCTIONS_DIR, name, 'handler.ts');
    if (!existsSync(file)) continue;
    const module = await import(pathToFileURL(file).href);
    if (typeof module.createHandler !== 'function') throw new Error(`${file} exports no createHandler`);
    functions.set(name, module.createHandler);
  }
  return functions;
}

function lambdaContext(functionName: string, requestId: string, timeoutSeconds: number): Context {
  const deadline = Date.now() + timeoutSeconds * 1000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: localFunctionArn(functionName),
    memoryLimitInMB: String(declarationOf(functionName).memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

function failedEvent(functionName: string, event: unknown, error: Error, requestId: string, attempts: number, now: Date): FailedEvent {
  return {
    id: randomUUID(),
    functionName,
    record: {
      version: '1.0',
      timestamp: now.toISOString(),
      requestContext: {
        requestId,
        functionArn: localFunctionArn(functionName),
        condition: 'RetriesExhausted',
        approximateInvokeCount: attempts,
      },
      requestPayload: event,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: error.name, errorMessage: error.message },
    },
  };
}

export interface Runtime {
  options: RuntimeOptions;
  /** Staff sign-in: the issuer, and the first admin's credentials on the embedded one. */
  signIn: { issuer: string; clientId?: string; adminEmail: string; adminPassword?: string; provider?: SignInProvider };
  urls: {
    api: string;
    health: string;
    sesInbox: string;
    sesStore: string;
    dynamodb: string;
    smtp: string;
    sfn: string;
    scheduler: string;
    s3: string;
  };
  apiToken: string;
  clock: TimerClock;
  engine: LocalEngine;
  faults: Faults;
  tracker: ActivityTracker;
  /** The local Step Functions API's quotas: calls served and throttled per operation. */
  sfnQuotas: ApiQuotas;
  /** Every local component, as the composition root hands them out (each function gets its declared part). */
  deps: Deps;
  /** The log lines kept and the metrics counted (GET /_local/metrics). */
  telemetry: LocalTelemetry;
  store: DynamoStore;
  /** The table's IAM as each function declared it; `refused` lists every call it refused. */
  tableAccess: TableAccess;
  mailer: SesMailer;
  scheduler: LocalScheduler;
  /** EventBridge Scheduler's one-time schedules: the case loops' timers. */
  timers: LocalTimers;
  dynamodb: DynamoDbLocal;
  invoke(functionName: string, event: unknown): Promise<unknown>;
  /** Handler invocations and their total wall time per function, as Lambda would bill them. */
  invocations: Map<string, { count: number; ms: number }>;
  stop(): Promise<void>;
  /** Stops like a crash: in-process work ends, records stay as they were. */
  crash(): Promise<void>;
  /** Deploys the modules' own definitions (after `workflowDefinitions`): running executions keep theirs, as on AWS. */
  deployWorkflows(): void;
}

/** A secret given, or the one kept in the data folder, or a new one written there (readable by its owner only). */
function resolveSecret(options: RuntimeOptions, given: string | undefined, fileName: string, bytes: number): string {
  if (given) return given;
  const file = join(options.dataDir, fileName);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(bytes).toString('base64url');
  mkdirSync(options.dataDir, { recursive: true });
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

async function ensureTable(dynamodb: DynamoDbLocal): Promise<void> {
  try {
    await dynamodb.client.send(new DescribeTableCommand({ TableName: TABLE_NAME }));
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
    await dynamodb.client.send(new CreateTableCommand(createTableInput(TABLE_NAME)));
    await dynamodb.client.send(
      new UpdateTimeToLiveCommand({
        TableName: TABLE_NAME,
        TimeToLiveSpecification: { AttributeName: tableSchema.timeToLiveAttribute, Enabled: true },
      }),
    );
  }
}

async function startSesEmulator(port: number): Promise<Server> {
  // The package's ESM build wraps its CommonJS default export once more.
  type Start = (options: { host: string; port: number }) => Promise<Server>;
  const module = (await import('aws-ses-v2-local')) as unknown as { default: Start | { default: Start } };
  const start = 'default' in module.default ? module.default.default : module.default;
  return start({ host: '127.0.0.1', port });
}

function closeServer(server: { close(cb: () => void): unknown; closeAllConnections?: () => void } | undefined): Promise<void> {
  if (!server) return Promise.resolve();
  return new Promise((resolveClose) => {
    server.close(() => resolveClose());
    server.closeAllConnections?.();
  });
}

export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const sink = new LocalTelemetry(options.logFormat ?? 'readable');
  const telemetry = new Telemetry(sink);
  const cleanups: (() => Promise<void> | void)[] = [];
  const runCleanups = async () => {
    for (const cleanup of cleanups.reverse())
      await Promise.resolve(cleanup()).catch((error) => telemetry.error('cleanup failed', error, { component: 'runtime' }));
    cleanups.length = 0;
  };
  try {
    mkdirSync(options.dataDir, { recursive: true });
    const apiToken = resolveSecret(options, options.apiToken, 'api-token', 24);
    const currentLinkKey = resolveSecret(options, options.linkKey, 'link-key', 32);
    const adminEmail = options.adminEmail ?? DEFAULT_ADMIN_EMAIL;
    const adminPassword = options.oidc ? undefined : resolveSecret(options, options.adminPassword, 'admin-password', 18);
    const tracker = new ActivityTracker();
    const clockFile = join(options.dataDir, 'clock.json');
    const clock: TimerClock =
      options.clock === 'manual'
        ? new ManualClock(
            !options.inMemory && existsSync(clockFile)
              ? new Date(JSON.parse(readFileSync(clockFile, 'utf8')).now)
              : (options.clockStart ?? new Date()),
            () => tracker.idle(),
            (now) => {
              if (!options.inMemory) writeFileSync(clockFile, JSON.stringify({ now: now.toISOString() }));
            },
          )
        : new RealClock();

    const dynamodb = await startDynamoDbLocal({
      port: options.dynamodbPort,
      dataDir: options.inMemory ? undefined : join(options.dataDir, 'dynamodb'),
    });
    cleanups.push(() => dynamodb.stop());
    await ensureTable(dynamodb);
    const records = new ExecutionRecords(dynamodb.client, EXECUTIONS_TABLE);
    await records.ensureTable();
    const failedEvents = new FailedEvents(dynamodb.client, FAILED_EVENTS_TABLE);
    await failedEvents.ensureTable();

    const ses = await startSesEmulator(options.sesPort);
    cleanups.push(() => closeServer(ses as Server));
    if (!options.inMemory) {
      const inbox = keepInbox(join(options.dataDir, 'ses-inbox.jsonl'));
      cleanups.push(() => inbox.stop());
    }
    const sesUrl = `http://127.0.0.1:${options.sesPort}`;

    const s3Dir = options.inMemory ? mkdtempSync(join(tmpdir(), 'steward-s3-')) : join(options.dataDir, 's3');
    const s3 = await startS3(options.s3Port, s3Dir);
    cleanups.push(() => s3.stop());
    if (options.inMemory) cleanups.push(async () => rmSync(s3Dir, { recursive: true, force: true }));
    const factories = await loadFunctions();
    const functions = new Map<string, LambdaHandler>();
    const invocations = new Map<string, { count: number; ms: number }>();
    const sandbox = new LambdaSandbox();
    /** Failed invocations per function and error name (Sandbox.Timedout for one past its timeout). */
    const errors = new Map<string, Record<string, number>>();
    const invoke = async (functionName: string, event: unknown, requestId: string = randomUUID()) => {
      const handler = functions.get(functionName);
      if (!handler) throw new Error(`no function "${functionName}" in functions/`);
      const timeoutSeconds = options.functionTimeouts?.[functionName] ?? declarationOf(functionName).timeoutSeconds;
      const started = performance.now();
      try {
        return await sandbox.run(functionName, requestId, timeoutSeconds, () =>
          telemetry.invocation(invocationKeys(functionName, requestId, event), () =>
            handler(structuredClone(event), lambdaContext(functionName, requestId, timeoutSeconds)),
          ),
        );
      } catch (error) {
        const byName = errors.get(functionName) ?? {};
        const name = (error as Error).name || 'Error';
        byName[name] = (byName[name] ?? 0) + 1;
        errors.set(functionName, byName);
        throw error;
      } finally {
        const stats = invocations.get(functionName) ?? { count: 0, ms: 0 };
        stats.count++;
        stats.ms += performance.now() - started;
        invocations.set(functionName, stats);
      }
    };

    // As Lambda does for an asynchronous invocation (a schedule, an event rule, SES's receipt rule): a
    // failed attempt is retried twice, one and then two minutes later on the runtime's clock; after that
    // the event goes to the failed-events destination (an SQS queue on AWS), where GET
    // /_local/failed-events shows it. Resolves to the attempt's result, undefined when it failed.
    const invokeAsync = (functionName: string, event: unknown, attempt = 1, requestId: string = randomUUID()): Promise<unknown> => {
      if (!declarationOf(functionName).asynchronous)
        throw new Error(`${functionName} is invoked asynchronously but does not declare asynchronous: true`);
      return tracker.track(() =>
        invoke(functionName, event, requestId).catch(async (error: Error) => {
          if (attempt < ASYNC_ATTEMPTS) {
            const retryAt = new Date(clock.now().getTime() + attempt * 60_000);
            clock.schedule(retryAt, () => void invokeAsync(functionName, event, attempt + 1, requestId));
            return;
          }
          telemetry.error(`failed ${attempt} times on an asynchronous event; kept in /_local/failed-events`, error, {
            component: 'runtime',
            function_name: functionName,
            function_request_id: requestId,
          });
          await failedEvents.add(failedEvent(functionName, event, error, requestId, attempt, clock.now()));
        }),
      );
    };

    const { engine, sfn, localTimers, schedulerApi, definitions, deploy } = await startLocalWorkflows({
      options,
      invoke,
      // Step Functions' "Execution Status Change" event, routed as CDK's rule routes it.
      onEnded: (record) => void invokeAsync('reconcile', executionStatusChange(record)),
      clock,
      tracker,
      records,
      telemetry,
    });
    cleanups.push(
      () => engine.shutdown(),
      () => closeServer(sfn.server),
      () => closeServer(schedulerApi.server),
    );

    // The functions reach every component through the AWS SDK, as on AWS, with faults injected where
    // asked, and nothing reaches a component from an invocation past its timeout.
    const faults = new Faults(options.faults);
    const indexLag = new IndexLag(options.indexDelayMs ?? 0, () => clock.now().getTime());
    const client = <C extends Parameters<Faults['attach']>[1]>(target: FaultTarget, sdkClient: C): C =>
      sandbox.guard(faults.attach(target, sdkClient));
    const sdk = {
      region: LOCAL_PLACE.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      // The SDK's three attempts, as on Lambda, but milliseconds apart instead of its 0.5-20 s throttling
      // backoff: wall time is not the runtime's time on the manual clock, and the runtime's timers decide.
      retryStrategy: new ConfiguredRetryStrategy(3, (attempt: number) => 5 * attempt),
    };
    const tableAccess = new TableAccess(
      () => sandbox.caller(),
      (functionName) => declarationOf(functionName).needs.store?.keys,
    );
    const store = new DynamoStore({
      tableName: TABLE_NAME,
      client: tableAccess.attach(indexLag.attach(client('dynamodb', new DynamoDBClient({ ...sdk, endpoint: dynamodb.endpoint })))),
    });
    const s3Client = (config: S3ClientConfig = {}) =>
      new S3Client({ ...config, region: sdk.region, credentials: LOCAL_S3_CREDENTIALS, endpoint: s3.endpoint, forcePathStyle: true });
    const blobs = new S3BlobStore(s3.bucket, client('s3', s3Client({ retryStrategy: sdk.retryStrategy })));
    // SES's receipt rule writes the message to the bucket itself (not a function: no faults, no freeze).
    const receiptRuleS3Action = new S3BlobStore(s3.bucket, s3Client());
    const mailer = new SesMailer({ ...sdk, endpoint: sesUrl }, { maxPerSecond: options.sesMaxRate, telemetry });
    client('ses', mailer.client);
    const workflows = new SfnWorkflows(
      Object.fromEntries(definitions.map(({ name }) => [name, stateMachineArn(LOCAL_PLACE, name)])),
      client('sfn', new SFNClient({ ...sdk, endpoint: sfn.endpoint })),
      telemetry,
    );
    const timers = new SchedulerTimers(
      timerGroupName(),
      LOCAL_TIMER_ROLE_ARN,
      client('scheduler', new SchedulerClient({ ...sdk, endpoint: schedulerApi.endpoint })),
      clock,
    );
    const apiUrl = `http://127.0.0.1:${options.port}`;
    const provider =
      adminPassword === undefined
        ? undefined
        : await SignInProvider.start({
            apiUrl,
            dataDir: options.inMemory ? undefined : options.dataDir,
            admin: { email: adminEmail, name: 'Admin', password: adminPassword },
            redirectUris: [`${apiUrl}/console/`, `http://localhost:${options.port}/console/`],
            telemetry,
          });
    const signIn = options.oidc ?? { issuer: provider!.issuer, audiences: [CONSOLE_CLIENT_ID] };
    const deps: Deps = {
      store,
      // Mail to SES's simulator addresses comes back as Bounce and Complaint events, as on AWS.
      // SES reports seconds later; here long enough for the sender to have recorded the MessageId.
      mailer: withMailboxSimulator(mailer, (event) =>
        tracker.track(async () => {
          await new Promise((resolveDelay) => setTimeout(resolveDelay, SES_FEEDBACK_DELAY_MS));
          await invokeAsync('ses-feedback', event);
        }),
      ),
      workflows,
      timers,
      clock,
      telemetry,
      settings: {
        fromAddress: options.fromAddress,
        publicUrl: apiUrl,
        apiToken: async () => apiToken,
        apiTokens: async () => [apiToken, ...(options.previousApiToken ? [options.previousApiToken] : [])],
        linkKey: async () => currentLinkKey,
        linkKeys: async () => [
          currentLinkKey,
          ...(options.previousLinkKey ? [options.previousLinkKey] : []),
          ...(options.acceptLegacyLinksUntil && clock.now() < options.acceptLegacyLinksUntil ? [legacyLinkKey(apiToken)] : []),
        ],
        webhooksAcceptApiToken: options.webhooksAcceptApiToken ?? true,
        bootstrapTokenOff: options.bootstrapTokenOff ?? false,
        stripeWebhookSecret: async () => process.env.STEWARD_STRIPE_WEBHOOK_SECRET || apiToken,
        inboundAddress: options.inboundAddress,
        unknownSender: parseUnknownSender(options.unknownSender, adminEmail),
        signIn: { ...signIn, adminEmail },
      },
      blobs,
    };
    for (const [name, create] of factories) functions.set(name, create(localDeps(name, declarationOf(name), deps)));
    // The built-in triage customer is there from the start, so the console shows where unclaimed alerts go.
    if (deps.settings.unknownSender !== 'refuse')
      await triageCustomerOf(new CustomerRepository(store), deps.settings.unknownSender, clock.now());

    const scheduler = new LocalScheduler(
      clock,
      async (schedule) => {
        await invokeAsync(schedule.function, scheduleInput(schedule));
      },
      telemetry,
    );
    cleanups.push(() => scheduler.stop());

    const urls = {
      api: apiUrl,
      health: `${apiUrl}/health`,
      sesInbox: `${sesUrl}/`,
      sesStore: `${sesUrl}/store`,
      dynamodb: dynamodb.endpoint,
      smtp: `smtp://127.0.0.1:${options.smtpPort}`,
      sfn: sfn.endpoint,
      scheduler: schedulerApi.endpoint,
      s3: s3.endpoint,
    };

    const smtp = { listening: false };
    const localRoutes = localRoutesOf({
      apiToken,
      clock,
      faults,
      failedEvents,
      redrive: (functionName, payload) => void invokeAsync(functionName, payload),
      records,
      engine,
      metrics: () => sink.metrics(),
      provider,
      health: () => health(),
    });

    const health = async () => {
      const check = async (probe: () => Promise<unknown>) => {
        try {
          await probe();
          return 'up';
        } catch (error) {
          return `down: ${(error as Error).message}`;
        }
      };
      const [dynamoStatus, sesStatus, s3Status] = await Promise.all([
        check(() => dynamodb.client.send(new ListTablesCommand({ Limit: 1 }))),
        check(async () => {
          const response = await fetch(`${sesUrl}/health-check`);
          if (!response.ok) throw new Error(`HTTP ${response.status}`);
        }),
        check(async () => void (await receiptRuleS3Action.get('health-check'))),
      ]);
      const components = {
        dynamodb: {
          status: dynamoStatus,
          endpoint: dynamodb.endpoint,
          persistent: !options.inMemory,
          indexDelayMs: indexLag.delayMs,
          hiddenFromIndexQueries: indexLag.hidden,
        },
        ses: { status: sesStatus, endpoint: sesUrl, inbox: urls.sesInbox, maxRate: options.sesMaxRate ?? null, ...mailer.counts },
        s3: { status: s3Status, endpoint: s3.endpoint, bucket: s3.bucket },
        http: { status: 'up', endpoint: apiUrl },
        smtp: { status: smtp.listening ? 'up' : 'down', endpoint: urls.smtp, inboundAddress: options.inboundAddress },
        scheduler: {
          status: 'up',
          schedules: scheduler.nextRuns(),
          endpoint: schedulerApi.endpoint,
          timers: localTimers.counters,
          throttled: schedulerApi.quotas.throttled,
        },
        workflows: {
          status: 'up',
          endpoint: sfn.endpoint,
          workflows: engine.workflows,
          executionsStarted: engine.counters.executions,
          throttled: sfn.quotas.throttled,
        },
        faults: { status: 'up', shares: faults.current, injected: faults.injected },
        functions: {
          status: 'up',
          errors: Object.fromEntries(errors),
          failedEvents: (await failedEvents.list()).length,
        },
        clock: { status: 'up', mode: clock.mode, now: clock.now().toISOString() },
      };
      const ok = Object.values(components).every((component) => component.status === 'up');
      return { status: ok ? 200 : 503, body: { status: ok ? 'ok' : 'degraded', components } };
    };

    const limits = { ...CLIENT_LIMITS, ...options.clientLimits };
    const http = await startHttpServer({
      port: options.port,
      requestTimeoutMs: limits.httpRequestMs,
      now: () => clock.now(),
      invoke: (fn, event) => tracker.track(() => invoke(fn, event)) as Promise<APIGatewayProxyResultV2>,
      localRoutes,
      mounts: [
        ...(provider ? [{ prefix: SIGN_IN_PATH, handle: provider.handle }] : []),
        { prefix: CONSOLE_PATH, handle: consoleHandler({ issuer: signIn.issuer, clientId: signIn.audiences[0] }) },
      ],
      telemetry,
    });
    cleanups.push(() => closeServer(http));

    const smtpServer = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      size: MAX_MESSAGE_BYTES,
      banner: 'Steward inbound',
      disableReverseLookup: true, // no DNS to ask on these machines; a lookup would stall the greeting
      logger: false,
      socketTimeout: limits.smtpIdleMs,
      onRcptTo(address, _session, callback) {
        if (address.address.toLowerCase().split('@')[1] !== options.inboundAddress.toLowerCase().split('@')[1]) {
          return callback(
            Object.assign(new Error(`550 relaying denied: Steward accepts mail for @${options.inboundAddress.split('@')[1]} only`), {
              responseCode: 550,
            }),
          );
        }
        callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
            return callback(Object.assign(new Error(`552 message exceeds ${MAX_MESSAGE_BYTES} bytes`), { responseCode: 552 }));
          }
          if (!functions.has('inbound-email')) {
            return callback(
              Object.assign(new Error('451 inbound email handling is not installed yet; try again later'), { responseCode: 451 }),
            );
          }
          const raw = Buffer.concat(chunks);
          const recipients = session.envelope.rcptTo.map((rcpt) => rcpt.address);
          const sender = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
          // As on AWS: the receipt rule's S3 action stores the raw message, then the Lambda action
          // gets the SES event and reads the message from the bucket. It is an asynchronous (Event)
          // invocation as on AWS: a failed attempt is retried twice, then waits in the failed-events
          // destination for a redrive, and the mail is accepted. Locally the first attempt is
          // awaited, so a refusal can answer 550.
          const receipt = sesReceiptEvent({ raw, recipients, sender, now: clock.now() });
          tracker
            .track(async () => {
              await receiptRuleS3Action.put(`${INBOUND_PREFIX}${receipt.Records[0].ses.mail.messageId}`, raw);
              // Undefined when the attempt failed: the retries and the failed events then have it.
              return (await invokeAsync('inbound-email', receipt)) as { outcome?: string; reason?: string } | undefined;
            })
            .then(
              (result) =>
                result?.outcome === 'refused'
                  ? callback(Object.assign(new Error(`550 ${result.reason ?? 'refused'}`), { responseCode: 550 }))
                  : callback(),
              // SES could not store it: the sender retries a 451 (what went wrong is ours to read, not the sender's).
              (error: Error) => {
                telemetry.error('could not store inbound mail', error, { component: 'smtp' });
                callback(Object.assign(new Error('451 temporary failure; please try again later'), { responseCode: 451 }));
              },
            );
        });
      },
    });
    await new Promise<void>((resolveListen, rejectListen) => {
      smtpServer.once('error', rejectListen);
      smtpServer.listen(options.smtpPort, '127.0.0.1', () => {
        smtp.listening = true;
        resolveListen();
      });
    });
    smtpServer.on('error', (error) => telemetry.error('SMTP server error', error, { component: 'smtp' }));
    // smtp-server cuts off idle clients only; a session that keeps talking is cut off here.
    (smtpServer as unknown as { server: import('node:net').Server }).server.on('connection', (socket) => {
      const limit = setTimeout(() => socket.destroy(), limits.smtpSessionMs);
      limit.unref();
      socket.once('close', () => clearTimeout(limit));
    });
    cleanups.push(() => new Promise<void>((resolveClose) => smtpServer.close(() => resolveClose())));

    scheduler.start(schedules);
    await engine.resumeOpen();

    const runtime: Runtime = {
      options,
      signIn: { issuer: signIn.issuer, clientId: provider && CONSOLE_CLIENT_ID, adminEmail, adminPassword, provider },
      urls,
      apiToken,
      clock,
      engine,
      faults,
      tracker,
      sfnQuotas: sfn.quotas,
      deps,
      telemetry: sink,
      store,
      tableAccess,
      mailer,
      scheduler,
      timers: localTimers,
      deployWorkflows: deploy,
      dynamodb,
      invoke,
      invocations,
      stop: runCleanups,
      crash: async () => {
        engine.shutdown();
        await runCleanups();
      },
    };
    return runtime;
  } catch (error) {
    await runCleanups();
    throw error;
  }
}
