/**
 * Every module, one line each, in dependency order: a module may use only those above it (the
 * dependency rules in .dependency-cruiser.cjs read this order). Infra, the permission table and the
 * tests read the manifests from here; adding a domain is its folder and one line.
 */
export { default as users } from './users/module.ts';
export { default as policies } from './policies/module.ts';
export { default as customers } from './customers/module.ts';
export { default as issues } from './issues/module.ts';
export { default as services } from './services/module.ts';
export { default as maintenance } from './maintenance/module.ts';
export { default as receivables } from './receivables/module.ts';
export { default as customerView } from './customer-view/module.ts';
export { default as intake } from './intake/module.ts';
