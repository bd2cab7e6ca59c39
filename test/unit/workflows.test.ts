import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS_DIR, loadDefinition, loadManifest, placeholders, workflowFiles } from '../../infra/workflow-manifest.ts';

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
const files = workflowFiles();

describe('workflow definitions', () => {
  it('has at least the issue lifecycle, and every file is in the manifest and vice versa', () => {
    expect(files).toContain('issue-lifecycle.asl.json');
    expect(files.map((file) => file.replace('.asl.json', '')).sort()).toEqual(Object.keys(manifest.workflows).sort());
  });

  for (const file of [...files, '../test/engine/feature-tour.asl.json']) {
    it(`${file} is valid ASL (asl-validator)`, () => {
      const definition = JSON.parse(readFileSync(join(FUNCTIONS_DIR, '../workflows', file), 'utf8'));
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
  }
});
