import { defineModule } from '../../kernel/module.ts';

/** Policies: the versioned rules issues and receivables freeze when a case starts. */
export default defineModule({
  name: 'policies',
  partitions: {
    /** A policy's versions, and the list of policies. */
    policy: 'POLICY#*',
    policies: 'POLICIES',
  },
  routes: [
    { method: 'GET', path: '/policies', function: 'api', permission: 'policies:read' },
    { method: 'GET', path: '/policies/{name}', function: 'api', permission: 'policies:read' },
    { method: 'GET', path: '/policies/{name}/versions', function: 'api', permission: 'policies:read' },
    { method: 'GET', path: '/policies/{name}/versions/{version}', function: 'api', permission: 'policies:read' },
    { method: 'PUT', path: '/policies/{name}', function: 'api', permission: 'policies:write' },
  ],
});
