import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/dynamodb.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const dirs: string[] = [];
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const server = createServer();
    server.once('error', () => resolveFree(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolveFree(true)));
  });
}

function javaRunningOn(port: number): boolean {
  try {
    return (
      execFileSync('pgrep', ['-f', `DynamoDbLocalLoopback.java -port ${port} `])
        .toString()
        .trim() !== ''
    );
  } catch {
    return false;
  }
}

async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

/** Starts `npm start`'s entry point as a separate process, as a user would. */
async function startSteward(extraEnv: Record<string, string> = {}) {
  const ports = {
    STEWARD_PORT: await freePort(),
    STEWARD_DYNAMODB_PORT: await freePort(),
    STEWARD_SES_PORT: await freePort(),
    STEWARD_SMTP_PORT: await freePort(),
  };
  const dataDir = mkdtempSync(join(tmpdir(), 'steward-process-'));
  dirs.push(dataDir);
  const env = {
    ...process.env,
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    STEWARD_DATA_DIR: dataDir,
    ...extraEnv,
  };
  // The same command as `npm start`, without npm in between, so the signal reaches Steward itself.
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const started = Date.now();
  const ready = await waitFor(() => output.includes('Steward is running'), 60_000);
  if (!ready) throw new Error(`no banner within 60 s:\n${output}`);
  return {
    child,
    ports: Object.values(ports),
    dynamodbPort: ports.STEWARD_DYNAMODB_PORT,
    apiPort: ports.STEWARD_PORT,
    output: () => output,
    startMs: Date.now() - started,
  };
}

describe('process lifecycle', () => {
  it('prints the banner with the token, serves /health, and leaves no process or port behind after SIGTERM', async () => {
    const steward = await startSteward({ STEWARD_CLOCK: 'manual', STEWARD_CLOCK_START: '2026-12-01T09:00:00+01:00' });
    expect(steward.startMs).toBeLessThan(60_000);
    expect(steward.output()).toMatch(/API token\s+\S{20,}/);
    expect(steward.output()).toMatch(/Clock\s+manual at 2026-12-01T08:00:00.000Z/);
    expect((await fetch(`http://127.0.0.1:${steward.apiPort}/health`)).status).toBe(200);
    expect(javaRunningOn(steward.dynamodbPort)).toBe(true);
    steward.child.kill('SIGTERM');
    await new Promise((r) => steward.child.once('exit', r));
    expect(await waitFor(() => !javaRunningOn(steward.dynamodbPort), 10_000)).toBe(true);
    for (const port of steward.ports) expect(await waitFor(() => portIsFree(port), 10_000), `port ${port}`).toBe(true);
  });

  it('refuses a bad STEWARD_CLOCK_START at start, naming the variable, and starts nothing', async () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'infra/local/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        STEWARD_CLOCK: 'manual',
        STEWARD_CLOCK_START: 'next monday',
        STEWARD_DATA_DIR: join(tmpdir(), 'steward-never-created'),
      },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/STEWARD_CLOCK_START must be an ISO-8601 instant with an offset.*"next monday"/);
    expect(result.stdout).not.toMatch(/Steward is running/);
  });

  it('takes DynamoDB Local down with it even when killed with SIGKILL', async () => {
    const steward = await startSteward();
    expect(javaRunningOn(steward.dynamodbPort)).toBe(true);
    steward.child.kill('SIGKILL');
    await new Promise((r) => steward.child.once('exit', r));
    expect(await waitFor(() => !javaRunningOn(steward.dynamodbPort), 15_000)).toBe(true);
    for (const port of steward.ports) expect(await waitFor(() => portIsFree(port), 15_000), `port ${port}`).toBe(true);
  });
});
