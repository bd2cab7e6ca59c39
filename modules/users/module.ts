import { defineModule } from '../../kernel/module.ts';

/** Users, roles and personal API tokens; the audit trail. */
export default defineModule({
  name: 'users',
  partitions: {
    /** Staff: the list and email index, and each user's tokens. */
    users: 'USERS',
    user: 'USER#*',
  },
  routes: [
    // Users and their personal API tokens (your own tokens need only tokens:own); who you are (every role).
    { method: 'GET', path: '/me', function: 'api', permission: 'tokens:own' },
    { method: 'POST', path: '/users', function: 'api', permission: 'users:write' },
    { method: 'GET', path: '/users', function: 'api', permission: 'users:read' },
    { method: 'GET', path: '/users/{id}', function: 'api', permission: 'users:read' },
    { method: 'PATCH', path: '/users/{id}', function: 'api', permission: 'users:write' },
    { method: 'DELETE', path: '/users/{id}', function: 'api', permission: 'users:write' },
    { method: 'POST', path: '/users/{id}/tokens', function: 'api', permission: 'tokens:own' },
    { method: 'GET', path: '/users/{id}/tokens', function: 'api', permission: 'tokens:own' },
    { method: 'DELETE', path: '/users/{id}/tokens/{tokenId}', function: 'api', permission: 'tokens:own' },
    { method: 'GET', path: '/audit', function: 'api', permission: 'audit:read' },
  ],
});
