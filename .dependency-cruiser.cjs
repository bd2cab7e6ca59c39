/**
 * Architecture rules, checked by `npm run lint` (and so by CI): what may import what.
 * domain → nothing of Steward's above it; adapters → domain; functions → adapters, domain;
 * infra → anything. A violation fails the lint.
 */
module.exports = {
  forbidden: [
    { name: 'domain-is-pure', severity: 'error', from: { path: '^domain/' }, to: { path: '^(adapters|functions|infra)/' } },
    { name: 'adapters-below-functions', severity: 'error', from: { path: '^adapters/' }, to: { path: '^(functions|infra)/' } },
    { name: 'functions-below-infra', severity: 'error', from: { path: '^functions/' }, to: { path: '^infra/(cdk|local)/' } },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'no-test-code-in-product',
      severity: 'error',
      from: { path: '^(domain|adapters|functions|infra)/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
