import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ephemeralRange, freePort } from '../support/ports.ts';

describe('ports for test servers', () => {
  it('come from below the range outgoing connections draw from, so no connection can take one before Steward binds it', async () => {
    const { low } = ephemeralRange();
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    for (const port of ports) expect(port).toBeLessThan(low);
    expect(new Set(ports).size).toBe(20);
  });

  it('skip a port something already listens on', async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      const others = await Promise.all(Array.from({ length: 50 }, () => freePort()));
      expect(others).not.toContain(port);
    } finally {
      server.close();
    }
  });

  it('read the kernel range, and fall back to the usual one when it cannot be read', () => {
    expect(ephemeralRange('32768\t60999\n')).toEqual({ low: 32_768, high: 60_999 });
    expect(ephemeralRange('')).toEqual({ low: 32_768, high: 60_999 });
  });
});
