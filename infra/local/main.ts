import { optionsFromEnv, startRuntime, type Runtime, type RuntimeOptions } from './runtime.ts';
import { killAll } from './processes.ts';
import { ensureConsoleBuilt } from './console.ts';

/** `npm start`: the embedded runtime, everything on 127.0.0.1. */
async function main(): Promise<void> {
  let options: RuntimeOptions;
  try {
    options = optionsFromEnv(process.env, process.argv.slice(2));
  } catch (error) {
    console.error(`steward: ${(error as Error).message}`);
    process.exit(2);
  }
  const started = Date.now();
  let runtime: Runtime | undefined;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\nsteward: ${signal}, stopping…`);
    await runtime?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('uncaughtException', (error) => {
    console.error('steward: crashed:', error);
    killAll();
    process.exit(1);
  });

  try {
    await ensureConsoleBuilt((line) => console.log(`steward: ${line}`));
    runtime = await startRuntime(options);
  } catch (error) {
    const message = (error as Error).message;
    const hint = /EADDRINUSE/.test(message) ? ' (a port is taken: is another Steward running? set STEWARD_PORT and friends)' : '';
    console.error(`steward: could not start: ${message}${hint}`);
    killAll();
    process.exit(1);
  }
  const { urls } = runtime;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`
  Steward is running (embedded default, started in ${seconds} s)

  Console        ${urls.api}/console/   (sign in below)
  API            ${urls.api}
  Health         ${urls.health}
  Email inbox    ${urls.sesInbox}   (every email Steward sends; JSON at ${urls.sesStore})
  Inbound SMTP   ${urls.smtp}   (mail to ${options.inboundAddress})
  DynamoDB Local ${urls.dynamodb}
  Step Functions ${urls.sfn}   (the AWS Step Functions API of the embedded engine)
  Scheduler      ${urls.scheduler}   (EventBridge Scheduler's API: the workflows' deadline timers)
  S3             ${urls.s3}   (s3rver: the inbound mail bucket)
  Data           ${options.inMemory ? 'in memory (--in-memory): nothing is kept' : options.dataDir}
  Clock          ${runtime.clock.mode}${runtime.clock.mode === 'manual' ? ` at ${runtime.clock.now().toISOString()} (POST ${urls.api}/_local/clock {"advance":"PT2H"})` : ''}

  Sign in        ${runtime.signIn.adminPassword ? `${runtime.signIn.adminEmail}  password ${runtime.signIn.adminPassword}${options.adminPassword ? '' : ' (generated; STEWARD_ADMIN_PASSWORD sets it)'}` : `with ${runtime.signIn.issuer}`}
                 (OpenID Connect issuer ${runtime.signIn.issuer})

  API token      ${runtime.apiToken}
                 curl -H "Authorization: Bearer ${runtime.apiToken}" ${urls.api}/issues

  Ctrl-C stops everything.
`);
}

void main();
