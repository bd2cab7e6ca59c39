import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';

/** The console's sources (Preact, Vite) and where its build lands. */
export const CONSOLE_DIR = resolve(import.meta.dirname, '../../console');
export const CONSOLE_DIST = join(CONSOLE_DIR, 'dist');
export const CONSOLE_PATH = '/console';
const STAMP = join(CONSOLE_DIST, '.sources');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

/** A digest of everything the build reads: the console's files and the versions of what it bundles. */
export function consoleSourcesDigest(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry);
      if (path === CONSOLE_DIST || entry === 'node_modules') continue;
      if (statSync(path).isDirectory()) walk(path);
      else hash.update(path.slice(CONSOLE_DIR.length)).update(readFileSync(path));
    }
  };
  walk(CONSOLE_DIR);
  for (const name of ['vite', 'preact', 'oauth4webapi']) {
    const manifest = join(CONSOLE_DIR, '..', 'node_modules', name, 'package.json');
    hash.update(`${name}@${existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')).version : '?'}`);
  }
  return hash.digest('hex');
}

/** Builds the console when its files are missing or older than its sources (`npm start` and the tests call it). */
export async function ensureConsoleBuilt(log: (line: string) => void = () => {}): Promise<'built' | 'fresh'> {
  const digest = consoleSourcesDigest();
  if (existsSync(STAMP) && readFileSync(STAMP, 'utf8') === digest) return 'fresh';
  log('building the console (console/ → console/dist)…');
  const { build } = await import('vite');
  await build({ configFile: join(CONSOLE_DIR, 'vite.config.ts'), logLevel: 'warn' });
  writeFileSync(STAMP, digest);
  return 'built';
}

/**
 * Serves the built console under /console/: its files (hashed assets cached for a year, the page
 * never), the page for any other path under it (deep links), and config.json telling it where to sign in.
 */
export function consoleHandler(config: { issuer: string; clientId: string }) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    let path: string;
    try {
      path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname).slice(CONSOLE_PATH.length) || '/';
    } catch {
      response.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"the path has a malformed percent-encoding"}');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'application/json' }).end('{"error":"the console is read with GET"}');
      return;
    }
    if (path === '/config.json') {
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(config));
      return;
    }
    if (!existsSync(join(CONSOLE_DIST, 'index.html'))) {
      response
        .writeHead(503, { 'content-type': 'text/plain; charset=utf-8' })
        .end('The console is not built: run `npm run build:console` (npm start builds it by itself).');
      return;
    }
    const file = normalize(join(CONSOLE_DIST, path));
    const asset = file.startsWith(`${CONSOLE_DIST}/`) && existsSync(file) && statSync(file).isFile() && !file.endsWith('.sources');
    const served = asset ? file : join(CONSOLE_DIST, 'index.html');
    const immutable = asset && file.includes(`${join(CONSOLE_DIST, 'assets')}/`);
    response.writeHead(200, {
      'content-type': TYPES[extname(served)] ?? 'application/octet-stream',
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      'x-content-type-options': 'nosniff',
      // The page talks to this origin and, for the token, to the issuer (Cognito's domain on AWS).
      ...(served.endsWith('.html')
        ? { 'content-security-policy': `default-src 'self'; connect-src 'self' ${new URL(config.issuer).origin}; frame-ancestors 'none'` }
        : {}),
    });
    response.end(request.method === 'HEAD' ? undefined : readFileSync(served));
  };
}
