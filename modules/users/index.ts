/** Users, roles and personal API tokens: who may do what. The public entry of the module. */
export { callerOf, requirePermission, type RoutePermission, staffAuth } from './authentication.ts';
export { allows, PERMISSIONS, type Permission, ROLE_PERMISSIONS, ROLES, type Role } from './permissions.ts';
export type { ApiToken, User } from './user.ts';
export { callerZone, staffZone } from './user-repository.ts';
