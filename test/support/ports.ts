import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Ports for the servers a test starts, taken below the kernel's ephemeral range.
 *
 * A port the kernel hands out for `listen(0)` comes from the same range it uses as the source port of
 * every outgoing connection. Between the moment a test learns such a port and the moment Steward binds it
 * (seconds later, after DynamoDB Local has started), any connection on this machine may take it, and
 * Steward fails with EADDRINUSE (seen in CI). Below the range, only another listener can take a port, and
 * the check below refuses those.
 */
const LOWEST = 10_000;
const handedOut = new Set<number>();

export function ephemeralRange(text = readRange()): { low: number; high: number } {
  const [low, high] = text.trim().split(/\s+/).map(Number);
  if (!Number.isInteger(low) || !Number.isInteger(high)) return { low: 32_768, high: 60_999 };
  return { low, high };
}

function readRange(): string {
  try {
    return readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8');
  } catch {
    return '';
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A TCP port on 127.0.0.1 that nothing listens on, outside the range outgoing connections draw from. */
export async function freePort(): Promise<number> {
  const { low } = ephemeralRange();
  const highest = Math.max(LOWEST + 1_000, low) - 1;
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * (highest - LOWEST + 1));
    if (handedOut.has(port)) continue;
    if (await canListen(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port between ${LOWEST} and ${highest} after 200 tries`);
}
