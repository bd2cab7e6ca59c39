/**
 * Lambda bundles as CDK builds them (infra/bundling.ts: ESM, node22, minified, AWS SDK bundled,
 * source maps without sources): minified and gzip bytes per function, and each bundle's cold
 * import as deployed (with its NODE_OPTIONS) as a ratio to a floor, a bundle of only the DynamoDB
 * client and document client, that every function pays anyway. Each round runs the floor and every
 * bundle once, in fresh Node processes, in a shuffled order (BENCH_IMPORT_ROUNDS rounds, default
 * 21); a function's ratio is the median of its per-round ratios, so a busy moment of a shared
 * machine weighs on both sides of a ratio alike.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { lambdaBundling } from '../infra/bundling.ts';
import { FUNCTIONS_DIR } from '../infra/workflow-manifest.ts';

/** The ratios each function's cold import must keep to the floor (issue 31). */
export const COLD_IMPORT_TARGETS: Record<string, number> = {
  'issue-wait': 1.3,
  'dunning-wait': 1.3,
  'dunning-run': 1.3,
  webhooks: 2.5,
  api: 3.0,
  invoices: 4.0,
  'inbound-email': 4.0,
};
const DEFAULT_TARGET = 2.75;
const FLOOR = 'floor';

export interface BundleFigures {
  name: string;
  minifiedBytes: number;
  mapBytes: number;
  gzipBytes: number;
  coldImportMs: number;
  ratio: number;
  target: number;
}

const IMPORT_SCRIPT = `const t = performance.now(); await import(process.argv[1]); process.stdout.write(String(performance.now() - t));`;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Imports a bundle in a fresh Node process with the NODE_OPTIONS Lambda gives it; milliseconds. */
const coldImport = (file: string) =>
  Number(
    execFileSync(process.execPath, ['--input-type=module', '-e', IMPORT_SCRIPT, file], {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: lambdaBundling.nodeOptions },
    }),
  );

/** `functionsDir` defaults to this checkout's functions/ (another checkout's, to compare before and after). */
export async function bundleSizes(
  rounds = Number(process.env.BENCH_IMPORT_ROUNDS ?? 21),
  functionsDir = FUNCTIONS_DIR,
): Promise<BundleFigures[]> {
  const out = mkdtempSync(join(tmpdir(), 'steward-bundles-'));
  try {
    const names = readdirSync(functionsDir).filter((name) => existsSync(join(functionsDir, name, 'handler.ts')));
    const floorEntry = join(out, 'floor-entry.mjs');
    writeFileSync(floorEntry, "import '@aws-sdk/client-dynamodb';\nimport '@aws-sdk/lib-dynamodb';\n");
    const entries = [[FLOOR, floorEntry], ...names.map((name) => [name, join(functionsDir, name, 'handler.ts')])];
    const files = new Map<string, string>();
    for (const [name, entry] of entries) {
      const outfile = join(out, name, 'index.mjs');
      await build({
        ...lambdaBundling.esbuild,
        entryPoints: [entry],
        outfile,
        logLevel: 'silent',
        // The floor's entry is written outside the project: it finds the packages in the project's node_modules.
        nodePaths: [join(lambdaBundling.esbuild.absWorkingDir, 'node_modules')],
      });
      lambdaBundling.copyBesideBundle(join(out, name));
      files.set(name, outfile);
    }
    const times = new Map<string, number[]>(entries.map(([name]) => [name, []]));
    const ratios = new Map<string, number[]>(names.map((name) => [name, []]));
    for (let round = 0; round < rounds; round++) {
      const measured = new Map<string, number>();
      for (const name of shuffled([...files.keys()])) measured.set(name, coldImport(files.get(name)!));
      for (const [name, ms] of measured) times.get(name)!.push(ms);
      for (const name of names) ratios.get(name)!.push(measured.get(name)! / measured.get(FLOOR)!);
    }
    return [FLOOR, ...names].map((name) => {
      const file = files.get(name)!;
      const code = readFileSync(file);
      return {
        name,
        minifiedBytes: code.length,
        mapBytes: existsSync(`${file}.map`) ? readFileSync(`${file}.map`).length : 0,
        gzipBytes: gzipSync(code).length,
        coldImportMs: median(times.get(name)!),
        ratio: name === FLOOR ? 1 : median(ratios.get(name)!),
        target: name === FLOOR ? 1 : (COLD_IMPORT_TARGETS[name] ?? DEFAULT_TARGET),
      };
    });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export function printBundleSizes(figures: BundleFigures[]): void {
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`.padStart(9);
  const rounds = process.env.BENCH_IMPORT_ROUNDS ?? 21;
  console.log(
    `\nLambda bundles (esbuild as CDK runs it; cold import with NODE_OPTIONS=${lambdaBundling.nodeOptions}, ` +
      `Node ${process.versions.node}, ${rounds} interleaved shuffled rounds; ratio: median of per-round ratios to the floor)`,
  );
  console.log(
    `  ${'function'.padEnd(16)} ${'minified'.padStart(9)} ${'map'.padStart(9)} ${'gzip'.padStart(9)} ${'cold import'.padStart(12)} ${'ratio'.padStart(6)} ${'target'.padStart(7)}`,
  );
  for (const f of figures) {
    const verdict = f.name === FLOOR ? '(DynamoDB client and document client only)' : f.ratio <= f.target ? 'met' : 'MISSED';
    console.log(
      `  ${f.name.padEnd(16)} ${kb(f.minifiedBytes)} ${kb(f.mapBytes)} ${kb(f.gzipBytes)} ${`${f.coldImportMs.toFixed(1)} ms`.padStart(12)} ${f.ratio.toFixed(2).padStart(6)} ${`≤ ${f.target.toFixed(2)}`.padStart(7)}  ${verdict}`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) printBundleSizes(await bundleSizes(undefined, process.argv[2]));
