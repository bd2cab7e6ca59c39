import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CASE_LOOP_DEFINITION,
  definitionFile,
  FUNCTIONS_DIR,
  PROJECT_ROOT,
  loadDefinition,
  loadManifest,
  placeholders,
} from '../../infra/workflow-manifest.ts';
import { CASE_ENDINGS } from '../../kernel/case-loop.ts';
import { KEPT_CASES } from '../../functions/reconcile/handler.ts';
import { sourceFiles } from '../support/sources.ts';

const validate = createRequire(import.meta.url)('asl-validator') as (definition: unknown) => { isValid: boolean; errors: unknown[] };

function taskStates(machine: any, into: [string, any][] = []): [string, any][] {
  for (const [name, state] of Object.entries<any>(machine.States ?? {})) {
    if (state.Type === 'Task') into.push([name, state]);
    if (state.Type === 'Parallel') for (const branch of state.Branches) taskStates(branch, into);
    if (state.Type === 'Map') taskStates(state.ItemProcessor ?? state.Iterator, into);
  }
  return into;
}

const manifest = loadManifest();
/** Every definition file in a module's workflows/ folder, from the project root. */
const files = readdirSync(join(PROJECT_ROOT, 'modules'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(PROJECT_ROOT, 'modules', entry.name, 'workflows')))
  .flatMap((entry) =>
    readdirSync(join(PROJECT_ROOT, 'modules', entry.name, 'workflows')).map((file) => `modules/${entry.name}/workflows/${file}`),
  )
  .sort();

describe('workflow definitions', () => {
  it('has at least the issue lifecycle; every file is declared by its module and every declared workflow has its file', () => {
    expect(definitionFile('issue-lifecycle')).toBe(CASE_LOOP_DEFINITION);
    const ownDefinitions = Object.keys(manifest.workflows).filter((workflow) => !manifest.workflows[workflow].caseLoop);
    expect(files).toEqual(ownDefinitions.map((workflow) => definitionFile(workflow).slice(PROJECT_ROOT.length + 1)).sort());
  });

  it('the case loops (issues, dunning) share the one definition, and the functions their earlier runs invoke stay granted', () => {
    for (const workflow of ['issue-lifecycle', 'invoice-dunning']) expect(manifest.workflows[workflow].caseLoop).toBe(true);
    expect(manifest.workflows['issue-lifecycle'].invokes).toEqual(['issue-step', 'issue-wait']);
    expect(manifest.workflows['invoice-dunning'].invokes).toEqual(['dunning-step', 'dunning-wait']);
  });

  it('every case loop is kept running by the reconcile function, each swept by a name of its own', () => {
    const loops = Object.keys(manifest.workflows).filter((workflow) => manifest.workflows[workflow].caseLoop);
    expect(KEPT_CASES.map((type) => type.workflow).sort()).toEqual(loops.sort());
    expect(new Set(KEPT_CASES.map((type) => type.sweep)).size).toBe(KEPT_CASES.length);
  });

  const earlierDefinitions = ['test/engine/two-state-issue-lifecycle.asl.json', 'test/engine/two-state-invoice-dunning.asl.json'];
  for (const file of [...files, 'kernel/case-loop.asl.json', ...earlierDefinitions, 'test/engine/feature-tour.asl.json']) {
    it(`${file} is valid ASL (asl-validator)`, () => {
      const definition = JSON.parse(readFileSync(join(PROJECT_ROOT, file), 'utf8'));
      const result = validate(definition);
      expect(result.errors).toEqual([]);
      expect(result.isValid).toBe(true);
    });
  }

  for (const [workflow, { substitutions }] of Object.entries(manifest.workflows)) {
    it(`${workflow}: every \${Placeholder} has a substitution bound to an existing function`, () => {
      const definition = loadDefinition(workflow);
      for (const name of placeholders(definition)) expect(substitutions, `no substitution for \${${name}}`).toHaveProperty(name);
      for (const folder of Object.values(substitutions))
        expect(existsSync(join(FUNCTIONS_DIR, folder, 'handler.ts')), `functions/${folder}/handler.ts`).toBe(true);
    });

    it(`${workflow}: every Task state has a local binding (a Lambda function from the manifest)`, () => {
      const definition = loadDefinition(workflow);
      const tasks = taskStates(definition);
      expect(tasks.length).toBeGreaterThan(0);
      for (const [name, state] of tasks) {
        expect(state.Resource, `${name}: only Lambda tasks are bound locally`).toMatch(
          /^arn:aws:states:::lambda:invoke(\.waitForTaskToken)?$/,
        );
        const target = /^\$\{([A-Za-z0-9_]+)\}$/.exec(state.Parameters?.FunctionName ?? '');
        expect(target, `${name}: FunctionName must be a \${Placeholder}`).not.toBeNull();
        expect(substitutions, `${name}: \${${target![1]}} unbound`).toHaveProperty(target![1]);
        if (state.Resource.endsWith('.waitForTaskToken')) {
          expect(JSON.stringify(state.Parameters), `${name}: a callback task must pass $$.Task.Token`).toContain('$$.Task.Token');
          expect(state.TimeoutSeconds ?? state.TimeoutSecondsPath, `${name}: a callback task needs a deadline`).toBeDefined();
        }
      }
    });

    it(`${workflow}: every error a Retry or Catch names is one the code throws; every Lambda task retries Lambda's transient errors`, () => {
      const definition = loadDefinition(workflow);
      const named = taskStates(definition).flatMap(([, state]) =>
        [...(state.Retry ?? []), ...(state.Catch ?? [])].flatMap((rule: { ErrorEquals: string[] }) => rule.ErrorEquals),
      );
      for (const error of new Set(named.filter((name) => !/^(States|Lambda)\./.test(name))))
        expect(THROWN.has(error), `${workflow} names ${error}, which no code throws (an Error named so, or a task failure)`).toBe(true);
      for (const [name, state] of taskStates(definition)) {
        const retried = (state.Retry ?? []).filter((rule: { MaxAttempts?: number }) => rule.MaxAttempts !== 0);
        const covered = retried.flatMap((rule: { ErrorEquals: string[] }) => rule.ErrorEquals);
        for (const transient of LAMBDA_TRANSIENT)
          expect(covered.includes(transient) || covered.includes('States.ALL'), `${workflow}.${name} does not retry ${transient}`).toBe(
            true,
          );
      }
    });
  }
});

/** The errors Lambda's own service raises for an invoke that may succeed if tried again. */
const LAMBDA_TRANSIENT = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.ClientExecutionTimeoutException',
];

/** Every error name the code can raise into a workflow: Error classes' names and task failures it sends. */
const THROWN = (() => {
  const names = new Set<string>();
  for (const file of ['functions', 'modules', 'kernel'].flatMap((folder) => sourceFiles(folder)))
    for (const match of readFileSync(file, 'utf8').matchAll(/override name = '([A-Za-z]+)'|sendTaskFailure\([^,]+,\s*'([A-Za-z]+)'/g))
      names.add(match[1] ?? match[2]);
  for (const ending of Object.values(CASE_ENDINGS)) names.add(ending);
  return names;
})();
