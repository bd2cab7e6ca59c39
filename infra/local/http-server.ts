import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { matchRoute, routeKey } from '../routes.ts';
import type { Telemetry } from '../../kernel/telemetry.ts';

export const MAX_BODY_BYTES = 1024 * 1024;

export type LocalRoute = (request: {
  method: string;
  path: string;
  query: URLSearchParams;
  body: Buffer;
  headers: IncomingMessage['headers'];
}) => Promise<{ status: number; body: unknown; headers?: Record<string, string> } | undefined> | undefined;

/** Builds the API Gateway HTTP API (payload v2.0) event that AWS would hand the Lambda. */
export function toApiGatewayEvent(
  request: IncomingMessage,
  body: Buffer,
  url: URL,
  route: { key: string; pathParameters?: Record<string, string> },
  now: Date,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || name === 'cookie') continue;
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const contentType = headers['content-type'] ?? '';
  const isText = body.length === 0 || /^(text\/|application\/(json|x-www-form-urlencoded|xml|.*\+json))/i.test(contentType);
  return {
    version: '2.0',
    routeKey: route.key,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    cookies: request.headers.cookie?.split(';').map((c) => c.trim()),
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: route.pathParameters && Object.keys(route.pathParameters).length ? route.pathParameters : undefined,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: 'local',
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: route.key,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: body.length ? (isText ? body.toString('utf8') : body.toString('base64')) : undefined,
    isBase64Encoded: body.length > 0 && !isText,
  } as APIGatewayProxyEventV2;
}

/** Writes a Lambda proxy result (v2) as API Gateway would. */
export function writeApiGatewayResult(response: ServerResponse, result: APIGatewayProxyResultV2): void {
  if (typeof result !== 'object' || result === null || !('statusCode' in result)) {
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result ?? null));
    return;
  }
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  const body = result.body ?? '';
  response.writeHead(result.statusCode ?? 200, headers).end(result.isBase64Encoded ? Buffer.from(body, 'base64') : body);
}

export interface HttpServerOptions {
  port: number;
  /** A client that has not sent its whole request by then gets a 408 and is disconnected. */
  requestTimeoutMs: number;
  now: () => Date;
  /** Calls a function's handler with an API Gateway event. */
  invoke: (functionName: string, event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyResultV2>;
  /** Routes of the embedded runtime itself (/health, /_local/...), tried first. */
  localRoutes: LocalRoute;
  /** Servers of their own under a path (the sign-in provider): they read the request themselves. */
  mounts?: { prefix: string; handle: (request: IncomingMessage, response: ServerResponse) => Promise<void> }[];
  telemetry: Telemetry;
}

export function startHttpServer(options: HttpServerOptions): Promise<Server> {
  const server = createServer(
    {
      requestTimeout: options.requestTimeoutMs,
      headersTimeout: Math.min(options.requestTimeoutMs, 10_000),
      // Node checks the two limits above at this interval (default 30 s, as long as the limit itself).
      connectionsCheckingInterval: Math.min(1_000, options.requestTimeoutMs),
    },
    async (request, response) => {
      try {
        const url = new URL(request.url ?? '/', 'http://127.0.0.1');
        const mount = options.mounts?.find(({ prefix }) => url.pathname === prefix || url.pathname.startsWith(`${prefix}/`));
        if (mount) return await mount.handle(request, response);
        const body = await readBody(request);
        if (body === undefined) return sendJson(response, 413, { error: `request body larger than ${MAX_BODY_BYTES} bytes` });
        const method = request.method ?? 'GET';
        try {
          decodeURIComponent(url.pathname);
        } catch {
          // API Gateway refuses a malformed percent-encoding before any function runs (and the runtime's own routes do too).
          return sendJson(response, 400, { message: 'Bad Request', error: 'the path has a malformed percent-encoding' });
        }
        const local = await options.localRoutes({ method, path: url.pathname, query: url.searchParams, body, headers: request.headers });
        if (local) {
          response.writeHead(local.status, { 'content-type': 'application/json', ...(local.headers ?? {}) });
          return void response.end(typeof local.body === 'string' ? local.body : JSON.stringify(local.body));
        }
        const match = matchRoute(method, url.pathname);
        if (!match) return sendJson(response, 404, { error: `no route ${method} ${url.pathname}` });
        const event = toApiGatewayEvent(
          request,
          body,
          url,
          { key: routeKey(match.route), pathParameters: match.pathParameters },
          options.now(),
        );
        writeApiGatewayResult(response, await options.invoke(match.route.function, event));
      } catch (error) {
        if (request.destroyed) return; // the client went away (or was cut off): nobody to answer
        options.telemetry.error('request failed', error, { component: 'http', path: request.url?.slice(0, 200) });
        if (!response.headersSent) sendJson(response, 500, { error: 'internal error' });
        else response.end();
      }
    },
  );
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve(server));
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** Reads the body; undefined when it exceeds the limit (the rest is drained, not stored). */
function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}
