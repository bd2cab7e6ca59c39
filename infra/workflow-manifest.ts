import { readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { modules } from './modules.ts';

/** The project's root folder (infra, modules, functions and the rest are in it). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const FUNCTIONS_DIR = join(PROJECT_ROOT, 'functions');

/**
 * Every state machine, declared by its module (modules/<name>/module.ts) with its definition in
 * modules/<name>/workflows/<workflow>.asl.json: the substitutions bind each `${Placeholder}` to a
 * function folder in functions/. CDK substitutes the function's ARN; the embedded engine binds the
 * same handler module.
 */
export interface WorkflowManifest {
  workflows: Record<string, { module: string; substitutions: Record<string, string>; caseLoop: boolean; invokes: string[] }>;
}

/** The case loop's one definition (kernel/case-loop.ts); its turn function is bound to this placeholder. */
export const CASE_LOOP_DEFINITION = join(PROJECT_ROOT, 'kernel', 'case-loop.asl.json');
const TURN_PLACEHOLDER = 'TurnFunctionArn';

export function loadManifest(): WorkflowManifest {
  const workflows: WorkflowManifest['workflows'] = {};
  for (const module of modules)
    for (const [name, declared] of Object.entries(module.workflows ?? {})) {
      if (workflows[name]) throw new Error(`workflow ${name} is declared by both ${workflows[name].module} and ${module.name}`);
      const substitutions = 'caseLoop' in declared ? { [TURN_PLACEHOLDER]: declared.caseLoop.turn } : declared.substitutions;
      const earlier = 'caseLoop' in declared ? (declared.caseLoop.earlier ?? []) : [];
      workflows[name] = {
        module: module.name,
        substitutions,
        caseLoop: 'caseLoop' in declared,
        invokes: [...new Set([...Object.values(substitutions), ...earlier])],
      };
    }
  return { workflows };
}

/** The file of a workflow's definition. */
export function definitionFile(workflow: string): string {
  const entry = loadManifest().workflows[workflow];
  if (!entry) throw new Error(`no module declares the workflow ${workflow}`);
  if (entry.caseLoop) return CASE_LOOP_DEFINITION;
  return join(PROJECT_ROOT, 'modules', entry.module, 'workflows', `${workflow}.asl.json`);
}

// biome-ignore lint/suspicious/noExplicitAny: ASL definitions are free-form JSON, read by path
export type AslDefinition = any;

export function loadDefinition(workflow: string): AslDefinition {
  return JSON.parse(readFileSync(definitionFile(workflow), 'utf8'));
}

/** Every ${Name} placeholder in a definition. */
export function placeholders(definition: unknown): string[] {
  return [...new Set([...JSON.stringify(definition).matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((match) => match[1]))].sort();
}

/** Replaces ${Name} placeholders as Step Functions definition substitutions do. */
export function substitute(definition: unknown, values: Record<string, string>): AslDefinition {
  const text = JSON.stringify(definition).replace(/\$\{([A-Za-z0-9_]+)\}/g, (_whole, name: string) => {
    if (!(name in values)) throw new Error(`no substitution for \${${name}}`);
    return values[name].replace(/["\\]/g, (c) => `\\${c}`);
  });
  return JSON.parse(text);
}
