/**
 * Architecture rules, checked by `npm run lint` (and so by CI): what may import what.
 *
 *   kernel/                   shared kernel: imports no module, no function, no infra
 *   modules/<m>/              one domain each; another module, a function or infra uses it only
 *                             through modules/<m>/index.ts (a function also through what the module
 *                             serves it, modules/<m>/serve/<function>.ts); modules form no cycle;
 *                             its manifest (module.ts) is data and imports the kernel only
 *   functions/<f>/            thin Lambda shells over modules; the AWS composition root is infra/aws
 *   infra/                    CDK, the embedded runtime, the composition roots
 *   console/                  the staff console: the backend's types only, from module entries and the kernel
 *
 * Module order (a module may use those before it): the order of modules/modules.ts, the one list of modules.
 */
const { readFileSync } = require('node:fs');
const MODULES = [...readFileSync(`${__dirname}/modules/modules.ts`, 'utf8').matchAll(/from '\.\/([\w-]+)\/module\.ts'/g)].map(
  (match) => match[1],
);
if (!MODULES.length) throw new Error('modules/modules.ts lists no module');
const later = (module) => MODULES.slice(MODULES.indexOf(module) + 1).join('|');

module.exports = {
  forbidden: [
    { name: 'kernel-is-shared', severity: 'error', from: { path: '^kernel/' }, to: { path: '^(modules|functions|infra)/' } },
    {
      name: 'modules-only-through-their-entry',
      comment: 'Another module reaches a module only through its index.ts.',
      severity: 'error',
      from: { path: '^modules/([^/]+)/' },
      to: { path: '^modules/[^/]+/(?!index\\.ts$)', pathNot: '^modules/$1/' },
    },
    {
      name: 'functions-and-infra-use-module-entries',
      comment: 'Functions and infra reach a module only through its index.ts, or what it serves a function (serve/<function>.ts).',
      severity: 'error',
      from: { path: '^(functions|infra|kernel)/' },
      to: { path: '^modules/[^/]+/(?!index\\.ts$|serve/)' },
    },
    ...MODULES.filter((module) => later(module)).map((module) => ({
      name: `module-order-${module}`,
      comment: `${module} may not use a module that builds on it (${later(module)}).`,
      severity: 'error',
      from: { path: `^modules/${module}/` },
      to: { path: `^modules/(${later(module)})/` },
    })),
    {
      name: 'manifests-are-light',
      comment: 'A module manifest is data, read by every function that serves routes: it imports the kernel only.',
      severity: 'error',
      from: { path: '^modules/([^/]+)/module\\.ts$' },
      to: { path: '^(modules|functions|infra)/' },
    },
    { name: 'modules-below-functions', severity: 'error', from: { path: '^modules/' }, to: { path: '^(functions|infra)/' } },
    { name: 'functions-below-runtimes', severity: 'error', from: { path: '^functions/' }, to: { path: '^infra/(cdk|local)/' } },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'console-uses-module-faces',
      comment: "The console reads the API's own types from a module's index.ts or the kernel, nothing deeper.",
      severity: 'error',
      from: { path: '^console/' },
      to: { path: '^(modules|kernel|functions|infra)/', pathNot: '^(modules/[^/]+/index\\.ts|kernel/[^/]+\\.ts)$' },
    },
    {
      name: 'console-imports-types-only',
      comment: 'Nothing of the backend is bundled into the console: its imports of backend files are type-only.',
      severity: 'error',
      from: { path: '^console/' },
      to: { path: '^(modules|kernel|functions|infra)/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-test-code-in-product',
      severity: 'error',
      from: { path: '^(kernel|modules|functions|infra)/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
