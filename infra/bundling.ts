import type { BuildOptions } from 'esbuild';

// ESM bundles still meet CommonJS packages that call require(): give them one.
const banner = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";
const target = 'node22';
const mainFields = ['module', 'main'];

/** How every Lambda is bundled: CDK's NodejsFunction and `npm run bench` use the same settings. */
export const lambdaBundling = {
  target,
  mainFields,
  banner,
  /** The same, as esbuild options, for building a bundle outside CDK. */
  esbuild: {
    bundle: true,
    platform: 'node',
    format: 'esm',
    minify: true,
    target,
    mainFields,
    banner: { js: banner },
  } satisfies BuildOptions,
};
