import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';

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
  'moment-timezone': './infra/lambda-aliases/moment-timezone.ts',
};

/** How every Lambda is bundled: CDK's NodejsFunction and `npm run bench` use the same settings. */
export const lambdaBundling = {
  target,
  mainFields,
  banner,
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
  } satisfies BuildOptions,
};
