import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './dynamodb.ts';

/**
 * Real third-party clients (Debian's prometheus-alertmanager and swaks). `.ci/run` installs them
 * and sets STEWARD_REQUIRE_REAL_CLIENTS=1, so in CI a missing one fails; elsewhere its tests skip
 * with the command that installs it.
 */
export function realClient(command: string, debianPackage: string): { available: boolean; reason: string } {
  const found = spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
  if (!found && process.env.STEWARD_REQUIRE_REAL_CLIENTS === '1')
    throw new Error(`${command} is required (apt-get install ${debianPackage})`);
  return { available: found, reason: `${command} not installed: apt-get install ${debianPackage}` };
}

/** Polls until `check` returns a value (not undefined) or the time is up; bounded, never hangs. */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export function startProcess(command: string, args: string[]): { child: ChildProcess; output: () => string; stop: () => Promise<void> } {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  return {
    child,
    output: () => output,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** Runs a command to its end without blocking the event loop (the server it talks to may live in this process). */
export function run(
  command: string,
  args: string[],
  timeoutMs = 60_000,
  env: Record<string, string> = {},
): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ ok: code === 0, output });
    });
  });
}

/**
 * A real Prometheus Alertmanager that delivers to Steward's webhook with the API token, grouping
 * quickly (1 s). It keeps the machine's time, whatever the runtime's clock: `now()` reads its clock
 * from the Date header it answers with, for alert times.
 */
export async function startAlertmanager(dir: string, steward: { url: string; token: string }, groupBy = ['alertname']) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'alertmanager.yml'),
    `route:
  receiver: steward
  group_by: [${groupBy.map((label) => `'${label}'`).join(', ')}]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
- name: steward
  webhook_configs:
  - url: ${steward.url}/webhooks/alertmanager
    send_resolved: true
    http_config:
      authorization:
        credentials: ${steward.token}
`,
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = startProcess('prometheus-alertmanager', [
    `--config.file=${join(dir, 'alertmanager.yml')}`,
    `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=', // no HA gossip port
  ]);
  await eventually(
    async () =>
      (await fetch(`${url}/-/ready`)
        .then((response) => response.ok)
        .catch(() => false)) || undefined,
    'Alertmanager ready',
    20_000,
  );
  return {
    url,
    stop: server.stop,
    now: async () => Date.parse((await fetch(`${url}/-/ready`)).headers.get('date')!),
    /** Posts alerts to Alertmanager's API, as Prometheus does. */
    post: async (alerts: unknown[]) => {
      const response = await fetch(`${url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alerts),
      });
      if (response.status !== 200) throw new Error(`Alertmanager refused the alerts (${response.status}): ${await response.text()}`);
    },
  };
}
