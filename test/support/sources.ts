import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../infra/workflow-manifest.ts';

/** Every TypeScript source file (.ts, and .tsx when asked) below `folder` of the project, by absolute path. */
export const sourceFiles = (folder: string, { tsx = false } = {}): string[] =>
  readdirSync(join(PROJECT_ROOT, folder), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && (entry.name.endsWith('.ts') || (tsx && entry.name.endsWith('.tsx'))))
    .map((entry) => join(entry.parentPath, entry.name));
