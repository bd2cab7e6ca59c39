import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blobs, defineFunction, type Need } from '../../infra/aws/needs.ts';
import { functionDeclarations } from '../../infra/function-declarations.ts';
import { localDeps } from '../../infra/local/function-deps.ts';
import { FUNCTIONS_DIR, loadManifest } from '../../infra/workflow-manifest.ts';
import type { Deps } from '../../kernel/deps.ts';

const folders = readdirSync(FUNCTIONS_DIR).filter((name) => existsSync(join(FUNCTIONS_DIR, name, 'handler.ts')));

describe('function declarations (functions/<name>/function.ts)', () => {
  it('every function folder has a declaration, and every declaration a folder', () => {
    expect(Object.keys(functionDeclarations).sort()).toEqual(folders.sort());
  });

  it('every handler module exports createHandler (for the embedded runtime) and handler (for Lambda)', async () => {
    for (const name of folders) {
      const module = await import(join(FUNCTIONS_DIR, name, 'handler.ts'));
      expect([name, typeof module.createHandler, typeof module.handler]).toEqual([name, 'function', 'function']);
    }
  });

  it('every workflow a function starts or signals exists', () => {
    const workflows = Object.keys(loadManifest().workflows);
    for (const declaration of Object.values(functionDeclarations)) {
      for (const need of Object.values(declaration.needs) as Need[]) {
        if (need.kind === 'workflows') for (const workflow of [...need.start, ...need.signal]) expect(workflows).toContain(workflow);
      }
    }
  });
});

describe('the embedded runtime hands a function only what it declares, as strictly as IAM', () => {
  const calls: string[] = [];
  const record = (what: string) => async () => {
    calls.push(what);
    return undefined as never;
  };
  const all = {
    store: { put: record('put'), get: record('get'), transactWrite: record('transactWrite') },
    workflows: {
      start: record('start'),
      sendTaskSuccess: record('signal'),
      sendTaskFailure: record('fail'),
      stop: record('stop'),
      describe: record('describe'),
    },
    mailer: { send: record('send') },
    clock: { now: () => new Date('2026-11-02T08:00:00Z') },
    settings: {
      apiToken: async () => 'token',
      apiTokens: async () => ['token'],
      linkKey: async () => 'key',
      fromAddress: 'Steward <s@x.test>',
    },
    blobs: { get: record('blob-get'), put: record('blob-put'), delete: record('blob-delete') },
  } as unknown as Deps;

  it('a bucket declared for reading refuses writes, as its grantRead would', async () => {
    const reader = defineFunction({ needs: { blobs: blobs('read', 'inbound/') } });
    const deps = localDeps('mail-reader', reader, all) as Deps;
    await expect(deps.blobs.put('inbound/x', Buffer.from('x'))).rejects.toThrow(/mail-reader is not allowed to write to the mail bucket/);
    await expect(deps.blobs.delete('inbound/x')).rejects.toThrow(/mail-reader is not allowed to write to the mail bucket/);
    await deps.blobs.get('inbound/x');
    expect(calls.at(-1)).toBe('blob-get');
  });

  it('a workflow it does not start is refused; signalling needs a declared signal', async () => {
    const dunningWait = localDeps('dunning-wait', functionDeclarations['dunning-wait'], all) as Deps;
    await expect(dunningWait.workflows.start('issue-lifecycle', 'x', {})).rejects.toThrow(/start or stop issue-lifecycle/);
    const reconcile = localDeps('reconcile', functionDeclarations.reconcile, all) as Deps;
    await expect(reconcile.workflows.sendTaskSuccess('token', {})).rejects.toThrow(/complete callback tasks/);
    await reconcile.workflows.start('issue-lifecycle', 'x', {});
    expect(calls.at(-1)).toBe('start');
  });

  it('undeclared dependencies are absent and undeclared settings refused', async () => {
    const deps = localDeps('issue-wait', functionDeclarations['issue-wait'], all) as Partial<Deps>;
    expect(Object.keys(deps).sort()).toEqual(['clock', 'store', 'telemetry', 'workflows']);
    const webhooks = localDeps('webhooks', functionDeclarations.webhooks, all) as Deps;
    expect(await webhooks.settings.apiTokens()).toEqual(['token']);
    expect(() => webhooks.settings.apiToken).toThrow(/setting "apiToken" is not declared/);
    expect(() => webhooks.settings.linkKey).toThrow(/setting "linkKey" is not declared/);
  });
});
