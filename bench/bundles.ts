/**
 * Lambda bundles as CDK builds them (esbuild: ESM, node22, minified, AWS SDK bundled): minified and
 * gzip bytes per function, and the cold import time of each bundle in a fresh Node process
 * (median of BENCH_IMPORTS processes, default 5).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { FUNCTIONS_DIR } from '../infra/workflow-manifest.ts';
import { lambdaBundling } from '../infra/bundling.ts';

export interface BundleFigures {
  name: string;
  minifiedBytes: number;
  gzipBytes: number;
  coldImportMs: number;
}

const IMPORT_SCRIPT = `const t = performance.now(); await import(process.argv[1]); process.stdout.write(String(performance.now() - t));`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** `functionsDir` defaults to this checkout's functions/ (another checkout's, to compare before and after). */
export async function bundleSizes(
  imports = Number(process.env.BENCH_IMPORTS ?? 5),
  functionsDir = FUNCTIONS_DIR,
): Promise<BundleFigures[]> {
  const out = mkdtempSync(join(tmpdir(), 'steward-bundles-'));
  try {
    const names = readdirSync(functionsDir).filter((name) => existsSync(join(functionsDir, name, 'handler.ts')));
    const figures: BundleFigures[] = [];
    for (const name of names) {
      const outfile = join(out, name, 'index.mjs');
      await build({ ...lambdaBundling.esbuild, entryPoints: [join(functionsDir, name, 'handler.ts')], outfile, logLevel: 'silent' });
      lambdaBundling.copyBesideBundle(join(out, name));
      const code = readFileSync(outfile);
      const times = Array.from({ length: imports }, () =>
        Number(execFileSync(process.execPath, ['--input-type=module', '-e', IMPORT_SCRIPT, outfile], { encoding: 'utf8' })),
      );
      figures.push({ name, minifiedBytes: code.length, gzipBytes: gzipSync(code).length, coldImportMs: median(times) });
    }
    return figures;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export function printBundleSizes(figures: BundleFigures[]): void {
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`.padStart(9);
  console.log(`\nLambda bundles (esbuild as CDK runs it; cold import: median of fresh Node ${process.versions.node} processes)`);
  console.log(`  ${'function'.padEnd(16)} ${'minified'.padStart(9)} ${'gzip'.padStart(9)} ${'cold import'.padStart(12)}`);
  for (const f of figures)
    console.log(`  ${f.name.padEnd(16)} ${kb(f.minifiedBytes)} ${kb(f.gzipBytes)} ${`${f.coldImportMs.toFixed(0)} ms`.padStart(12)}`);
}

if (import.meta.url === `file://${process.argv[1]}`) printBundleSizes(await bundleSizes(undefined, process.argv[2]));
