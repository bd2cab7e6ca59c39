import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WORKFLOWS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../workflows');
export const FUNCTIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../functions');

/**
 * workflows/manifest.json binds each workflow's ${Placeholders} to a function folder in functions/.
 * CDK substitutes the function's ARN; the embedded engine binds the same handler module.
 */
export interface WorkflowManifest {
  workflows: Record<string, { substitutions: Record<string, string> }>;
}

export function loadManifest(): WorkflowManifest {
  return JSON.parse(readFileSync(join(WORKFLOWS_DIR, 'manifest.json'), 'utf8'));
}

export function workflowFiles(): string[] {
  return readdirSync(WORKFLOWS_DIR)
    .filter((file) => file.endsWith('.asl.json'))
    .sort();
}

// biome-ignore lint/suspicious/noExplicitAny: ASL definitions are free-form JSON, read by path
export type AslDefinition = any;

export function loadDefinition(workflow: string): AslDefinition {
  return JSON.parse(readFileSync(join(WORKFLOWS_DIR, `${workflow}.asl.json`), 'utf8'));
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
