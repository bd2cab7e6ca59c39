/**
 * Architecture rules, checked by `npm run lint` (and so by CI): what may import what.
 *
 *   kernel/                   shared kernel: imports no module, no function, no infra
 *   modules/<m>/              one domain each; another module, a function or infra uses it only
 *                             through modules/<m>/index.ts; modules form no cycle
 *   functions/<f>/            thin Lambda shells over modules; the AWS composition root is infra/aws
 *   infra/                    CDK, the embedded runtime, the composition roots
 *
 * Module order (a module may use those before it): users, policies, customers, issues, receivables, intake.
 */
const MODULES = ['users', 'policies', 'customers', 'issues', 'receivables', 'intake'];
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
      comment: 'Functions and infra reach a module only through its index.ts.',
      severity: 'error',
      from: { path: '^(functions|infra|kernel)/' },
      to: { path: '^modules/[^/]+/(?!index\\.ts$)' },
    },
    ...MODULES.filter((module) => later(module)).map((module) => ({
      name: `module-order-${module}`,
      comment: `${module} may not use a module that builds on it (${later(module)}).`,
      severity: 'error',
      from: { path: `^modules/${module}/` },
      to: { path: `^modules/(${later(module)})/` },
    })),
    { name: 'modules-below-functions', severity: 'error', from: { path: '^modules/' }, to: { path: '^(functions|infra)/' } },
    { name: 'functions-below-runtimes', severity: 'error', from: { path: '^functions/' }, to: { path: '^infra/(cdk|local)/' } },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
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
