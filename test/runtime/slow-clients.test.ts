import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime, RuntimeOptions } from '../../infra/local/runtime.ts';
import { removeDataDir, startRuntime, testOptions } from '../support/runtime.ts';

let options: RuntimeOptions;
let runtime: Runtime;

beforeAll(async () => {
  options = await testOptions({ inMemory: true, clientLimits: { httpRequestMs: 1_500, smtpIdleMs: 1_000, smtpSessionMs: 2_500 } });
  runtime = await startRuntime(options);
});
afterAll(async () => {
  await runtime?.stop();
  removeDataDir(options);
});

/** Opens a TCP connection and resolves, when the server closes it, with what it received and after how long. */
function session(port: number, talk: (socket: Socket) => void): Promise<{ received: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let received = '';
    const socket = connect(port, '127.0.0.1', () => talk(socket));
    socket.on('data', (chunk) => {
      received += chunk.toString('utf8');
    });
    socket.on('error', reject);
    socket.on('close', () => resolve({ received, closedAfterMs: performance.now() - started }));
    setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for 15 s; received: ${received}`));
    }, 15_000).unref();
  });
}

describe('slow clients are cut off', () => {
  it('HTTP: a request whose body never completes gets a 408 and is closed', async () => {
    const { received } = await session(options.port, (socket) =>
      socket.write('POST /issues HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"cust'),
    );
    expect(received).toMatch(/^HTTP\/1\.1 408/);
  });

  it('SMTP: a silent client is closed after the idle limit', async () => {
    const { received, closedAfterMs } = await session(options.smtpPort, () => {});
    expect(received).toMatch(/^220 /);
    expect(received).toMatch(/421 /);
    expect(closedAfterMs).toBeLessThan(10_000);
  });

  it('SMTP: a client that keeps talking (NOOP every 300 ms) is closed after the session limit', async () => {
    let timer: NodeJS.Timeout | undefined;
    const { received } = await session(options.smtpPort, (socket) => {
      timer = setInterval(() => socket.writable && socket.write('NOOP\r\n'), 300);
    });
    clearInterval(timer);
    expect(received.match(/^250 /gm)?.length ?? 0).toBeGreaterThan(3); // it was served until the limit
  });
});
