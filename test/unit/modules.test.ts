import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { moduleLinks, moduleRouter, modulesServedBy } from '../../infra/module-http.ts';
import { modules } from '../../infra/modules.ts';
import { routeKey, routes } from '../../infra/routes.ts';
import { schedules } from '../../infra/schedules.ts';
import { kernelPartitions } from '../../infra/table-schema.ts';
import { PROJECT_ROOT } from '../../infra/workflow-manifest.ts';
import { sourceFiles } from '../support/sources.ts';
import type { RouteHandler } from '../../kernel/http.ts';
import { issueLinkActions } from '../../modules/issues/issue-link-actions.ts';
import { moneyLinkActions } from '../../modules/receivables/money-link-actions.ts';
import type { Served } from '../../kernel/module.ts';

const serveApi = (module: string): Promise<Served> => import(`../../modules/${module}/serve/api.ts`);

const folders = readdirSync(join(PROJECT_ROOT, 'modules'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

describe('module manifests (modules/<name>/module.ts, listed in modules/modules.ts)', () => {
  it('every module folder is listed once, under its own name, with an entry and a manifest', () => {
    expect(modules.map((module) => module.name).sort()).toEqual(folders.sort());
    for (const name of folders) {
      expect(existsSync(join(PROJECT_ROOT, 'modules', name, 'index.ts')), `modules/${name}/index.ts`).toBe(true);
      expect(existsSync(join(PROJECT_ROOT, 'modules', name, 'module.ts')), `modules/${name}/module.ts`).toBe(true);
    }
  });

  it("a module's face names what it gives (no export *), and a name it gives is used outside it", () => {
    const outside = (name: string) =>
      ['functions', 'infra', 'modules', 'console/src', 'test', 'bench', 'scripts']
        .flatMap((folder) => sourceFiles(folder, { tsx: true }))
        .filter((file) => !file.startsWith(`${join(PROJECT_ROOT, 'modules', name)}/`));
    for (const { name } of modules) {
      const face = readFileSync(join(PROJECT_ROOT, 'modules', name, 'index.ts'), 'utf8');
      expect([name, face.includes('export *')]).toEqual([name, false]);
      const given = [...face.matchAll(/export (?:type )?\{([^}]*)\}/g)].flatMap((match) =>
        match[1]
          .split(',')
          .map((entry) => entry.replace(/^\s*type\s+/, '').trim())
          .filter(Boolean),
      );
      const texts = outside(name).map((file) => readFileSync(file, 'utf8'));
      for (const exported of given)
        expect([name, exported, texts.some((text) => new RegExp(`\\b${exported}\\b`).test(text))]).toEqual([name, exported, true]);
    }
  });

  it('other modules reach customers through the CustomerDirectory, never their repository', () => {
    const users = sourceFiles('modules')
      .filter((file) => !file.startsWith(`${join(PROJECT_ROOT, 'modules', 'customers')}/`))
      .filter((file) => /\bCustomerRepository\b/.test(readFileSync(file, 'utf8')));
    expect(users).toEqual([]);
  });

  it('the dependency rules read the same list, in its order', () => {
    const listed = [...readFileSync(join(PROJECT_ROOT, 'modules/modules.ts'), 'utf8').matchAll(/from '\.\/([\w-]+)\/module\.ts'/g)].map(
      (m) => m[1],
    );
    expect(listed.sort()).toEqual(folders.sort());
  });

  it('no two modules (or a module and the kernel) claim the same partition, by name or by key', () => {
    const names = new Map<string, string>(Object.keys(kernelPartitions).map((name) => [name, 'kernel']));
    const keys = new Map<string, string>(Object.values(kernelPartitions).map((key) => [key, 'kernel']));
    for (const module of modules)
      for (const [name, key] of Object.entries(module.partitions ?? {})) {
        expect(names.get(name), `partition name ${name} of ${module.name}`).toBeUndefined();
        expect(keys.get(key), `partition ${key} of ${module.name}`).toBeUndefined();
        names.set(name, module.name);
        keys.set(key, module.name);
      }
  });

  it('route keys and schedule names are unique', () => {
    const keys = routes.map(routeKey);
    expect(new Set(keys).size).toBe(keys.length);
    const names = schedules.map((schedule) => schedule.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('each function serves exactly the routes its modules declare on it, from their serve/<function>.ts', async () => {
    const functions = new Set(routes.map((route) => route.function));
    let checked = 0;
    for (const fn of functions)
      for (const module of modulesServedBy(fn)) {
        const file = join(PROJECT_ROOT, 'modules', module.name, 'serve', `${fn}.ts`);
        const declared = (module.routes ?? []).filter((route) => route.function === fn).map((route) => `${route.method} ${route.path}`);
        if (!existsSync(file)) {
          // The webhooks function serves its routes itself (one handler for every sender).
          expect(fn, `modules/${module.name}/serve/${fn}.ts`).toBe('webhooks');
          continue;
        }
        // The factories only build their services here: nothing is called, so no dependency is needed.
        const served: Served = await import(file);
        expect(Object.keys(served.routes?.({} as never) ?? {}).sort(), `${module.name} on ${fn}`).toEqual(declared.sort());
        checked++;
      }
    expect(checked).toBeGreaterThanOrEqual(7);
  });

  it('a module route with no handler is a 404 naming it, not a crash', async () => {
    const router = moduleRouter('api', {}, serveApi);
    await expect(router({ routeKey: 'GET /nowhere' } as Parameters<RouteHandler>[0])).rejects.toMatchObject({
      kind: 'not-found',
      message: 'no route GET /nowhere',
    });
  });

  it("every link action a module signs is declared by it, acted on by it alone, and its log lines name the link's id", async () => {
    const declared = Object.fromEntries(modules.map((module) => [module.name, [...(module.linkActions ?? [])].sort()]));
    expect(declared.issues).toEqual([...issueLinkActions].sort());
    expect(declared.receivables).toEqual([...moneyLinkActions].sort());
    const all = Object.values(declared).flat();
    expect(new Set(all).size).toBe(all.length);
    const handlersOf = moduleLinks({}, serveApi);
    for (const action of all) expect(typeof (await handlersOf(action))?.page, action).toBe('function');
    expect((await handlersOf('escalate'))?.keys({ i: 'ISS-1', a: 'escalate', e: 0 })).toEqual({ issueId: 'ISS-1' });
    expect((await handlersOf('promise'))?.keys({ i: 'acme', a: 'promise', e: 0 })).toEqual({ customerId: 'acme' });
  });
});
