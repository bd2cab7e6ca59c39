import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isPublicRoute, routes } from '../../infra/routes.ts';
import { OPENAPI_FILE, openApiDocument } from '../../scripts/openapi.ts';

type Document = { paths: Record<string, Record<string, { requestBody?: unknown; 'x-steward-permission': string; security: unknown[] }>> };

describe('the OpenAPI description (docs/openapi.json)', () => {
  it('is what `npm run openapi` makes from the routes and schemas of today', async () => {
    const generated = `${JSON.stringify(await openApiDocument(), null, 2)}\n`;
    expect(readFileSync(OPENAPI_FILE, 'utf8'), 'docs/openapi.json is stale: run npm run openapi').toBe(generated);
  });

  it('describes every route with its permission, and every staff write with the body schema it validates', async () => {
    const document = (await openApiDocument()) as Document;
    for (const route of routes) {
      const operation = document.paths[route.path]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.path}`).toBeDefined();
      expect(operation['x-steward-permission']).toBe(route.permission);
      expect(operation.security).toEqual(isPublicRoute(route) ? [] : [{ bearer: [] }]);
      if (!isPublicRoute(route) && ['POST', 'PUT', 'PATCH'].includes(route.method))
        expect(operation.requestBody, `${route.method} ${route.path}: no body schema`).toBeDefined();
    }
  });
});
