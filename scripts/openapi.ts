/**
 * The API's OpenAPI description, generated from what the API itself runs on: the routes and
 * permissions the modules declare (modules/<name>/module.ts) and the schemas their routes validate
 * requests with (`schemas` in modules/<name>/serve/<function>.ts). `npm run openapi` writes
 * docs/openapi.json; a test checks that the file is current.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { modules } from '../infra/modules.ts';
import { isPublicRoute, type Route, routeKey, routes } from '../infra/routes.ts';
import { PROJECT_ROOT } from '../infra/workflow-manifest.ts';
import type { Served } from '../kernel/module.ts';

export const OPENAPI_FILE = join(PROJECT_ROOT, 'docs/openapi.json');

const jsonSchema = (schema: z.ZodType) => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

async function requestSchemas(): Promise<Map<string, { body?: z.ZodType; query?: z.ZodType }>> {
  const found = new Map<string, { body?: z.ZodType; query?: z.ZodType }>();
  for (const module of modules)
    for (const fn of new Set((module.routes ?? []).map((route) => route.function))) {
      const file = join(PROJECT_ROOT, 'modules', module.name, 'serve', `${fn}.ts`);
      if (!existsSync(file)) continue;
      const served: Served = await import(file);
      for (const [key, schemas] of Object.entries(served.schemas ?? {})) found.set(key, schemas);
    }
  return found;
}

function operation(route: Route, module: string, schemas: { body?: z.ZodType; query?: z.ZodType } | undefined) {
  const pathParameters = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => ({
    name: match[1],
    in: 'path',
    required: true,
    schema: { type: 'string', maxLength: 200 },
  }));
  const query = schemas?.query ? jsonSchema(schemas.query) : undefined;
  const required = new Set((query?.required as string[] | undefined) ?? []);
  const queryParameters = Object.entries((query?.properties as Record<string, object> | undefined) ?? {}).map(([name, schema]) => ({
    name,
    in: 'query',
    required: required.has(name),
    schema,
  }));
  const isCsv = routeKey(route) === 'POST /invoices/import';
  return {
    operationId: `${route.method.toLowerCase()}${route.path.replace(/\{(\w+)\}/g, 'By-$1').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
    tags: [module],
    'x-steward-permission': route.permission,
    security: isPublicRoute(route) ? [] : [{ bearer: [] }],
    parameters: [...pathParameters, ...queryParameters],
    ...(schemas?.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(schemas.body) } } } }
      : isCsv
        ? { requestBody: { required: true, content: { 'text/csv': { schema: { type: 'string' } } } } }
        : {}),
    responses: {
      '2XX': { description: 'Done; the answer is JSON (a link page answers HTML).' },
      '4XX': {
        description: 'Refused: the error names the field and the problem.',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      },
      '503': {
        description: 'Busy just now; try again after Retry-After.',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      },
    },
  };
}

export async function openApiDocument(): Promise<object> {
  const schemas = await requestSchemas();
  const owner = new Map<string, string>();
  for (const module of modules) for (const route of module.routes ?? []) owner.set(`${route.method} ${route.path}`, module.name);
  const paths: Record<string, Record<string, object>> = {};
  for (const route of [...routes].sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method))) {
    paths[route.path] ??= {};
    paths[route.path][route.method.toLowerCase()] = operation(route, owner.get(routeKey(route)) ?? 'links', schemas.get(routeKey(route)));
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Steward',
      version: '0.12.0',
      description:
        "Issue follow-ups, escalations, RFOs and dunning. Staff routes take a sign-in ID token, a personal API token or the bootstrap token as a bearer token; `x-steward-permission` names what the caller's roles must allow. Public routes authenticate themselves (a signed link, a Stripe or monitoring signature).",
    },
    servers: [{ url: 'http://127.0.0.1:3000', description: 'npm start' }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: { type: 'string' },
            details: { description: 'The problems by field ({ field, problem }), or what else the answer needs to say.' },
          },
        },
      },
    },
    paths,
  };
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  writeFileSync(OPENAPI_FILE, `${JSON.stringify(await openApiDocument(), null, 2)}\n`);
  console.log(`wrote ${OPENAPI_FILE}`);
}
