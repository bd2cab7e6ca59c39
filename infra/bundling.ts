import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';
import { copyHolidayTable, holidayTable, holidayTablePath } from './holiday-table.ts';

// ESM bundles still meet CommonJS packages that call require(): give them one.
const banner = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";
const target = 'node22';
const mainFields = ['module', 'main'];
const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Packages a Lambda bundle replaces with a lighter module of ours (each file says why). Paths are
 * relative to the project root, where CDK runs esbuild.
 */
const alias = {
  '@aws-sdk/credential-provider-node': './infra/lambda-aliases/credentials.ts',
  'date-holidays': './infra/lambda-aliases/date-holidays.ts',
};

/**
 * Source maps point a stack trace at the TypeScript line. Without `sourcesContent` a map holds only
 * the mappings, not every source file again: Node reads (and `--enable-source-maps` parses) a
 * fraction of it at each cold start.
 */
const sourceMaps = { sourceMap: true, sourcesContent: false, nodeOptions: '--enable-source-maps' } as const;

/** How every Lambda is bundled: CDK's NodejsFunction and `npm run bench` use the same settings. */
export const lambdaBundling = {
  target,
  ...sourceMaps,
  mainFields,
  banner,
  /** Puts what a bundle reads beside itself into its folder: the holiday table (for a bundle built outside CDK). */
  copyBesideBundle(outdir: string): void {
    copyHolidayTable(outdir);
  },
  /**
   * CDK's afterBundling commands that do the same (inputDir: the project root, also inside Docker).
   * The table is made here, in the CDK app's process, once for every function; each bundling step
   * only copies it.
   */
  afterBundling: (inputDir: string, outputDir: string) => {
    holidayTable();
    return [`cp -r "${join(inputDir, holidayTablePath())}" "${join(outputDir, 'holidays')}"`];
  },
  /** The aliases as CDK's `esbuildArgs`. */
  esbuildArgs: Object.fromEntries(Object.entries(alias).map(([from, to]) => [`--alias:${from}`, to])),
  /** The same, as esbuild options, for building a bundle outside CDK. */
  esbuild: {
    bundle: true,
    platform: 'node',
    format: 'esm',
    minify: true,
    target,
    mainFields,
    banner: { js: banner },
    alias,
    absWorkingDir: projectRoot,
    sourcemap: sourceMaps.sourceMap,
    sourcesContent: sourceMaps.sourcesContent,
  } satisfies BuildOptions,
};
