/**
 * Who may do what: one table of roles and their permissions. Every route names the permission it
 * needs (infra/routes.ts); a caller whose roles lack it gets a 403 naming it.
 */
export const PERMISSIONS = [
  'customers:read',
  'customers:write',
  'issues:read',
  'issues:write',
  /** Planned maintenance: scheduling, rescheduling, starting, extending, completing, cancelling. */
  'maintenance:read',
  'maintenance:write',
  'policies:read',
  'policies:write',
  'kpis:read',
  'integrations:read',
  'integrations:write',
  'mail:read',
  'invoices:read',
  'invoices:write',
  'dunning:read',
  /** Approving or declining a customer's suspension (invoice events such as promises and disputes are invoices:write). */
  'suspensions:decide',
  'ar-kpis:read',
  'users:read',
  'users:write',
  /** Who did what (GET /audit). */
  'audit:read',
  /** A user's own personal API tokens (an admin manages anyone's with users:write). */
  'tokens:own',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLES = ['admin', 'manager', 'agent', 'finance', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

const READS: Permission[] = [
  'customers:read',
  'issues:read',
  'maintenance:read',
  'policies:read',
  'kpis:read',
  'invoices:read',
  'dunning:read',
  'ar-kpis:read',
];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  /** Everything, users and integrations included. */
  admin: PERMISSIONS,
  /** Issues and receivables, policies, suspension decisions, KPIs; reads users, integrations and the audit trail. */
  manager: [
    ...READS,
    'customers:write',
    'issues:write',
    'maintenance:write',
    'policies:write',
    'invoices:write',
    'suspensions:decide',
    'integrations:read',
    'mail:read',
    'users:read',
    'audit:read',
    'tokens:own',
  ],
  /** Issue work (acknowledge, update, ETR, notes, resolve, RFO) and maintenance; reads customers, policies, KPIs, set-aside mail. */
  agent: [
    'customers:read',
    'issues:read',
    'issues:write',
    'maintenance:read',
    'maintenance:write',
    'policies:read',
    'kpis:read',
    'mail:read',
    'tokens:own',
  ],
  /** Invoices, payments, invoice events (promises, disputes, pauses, write-offs), AR KPIs; reads customers, policies, dunning. */
  finance: ['customers:read', 'policies:read', 'invoices:read', 'invoices:write', 'dunning:read', 'ar-kpis:read', 'tokens:own'],
  /** Reads only (not users, integrations or set-aside mail). */
  viewer: [...READS, 'tokens:own'],
};

export const allows = (roles: readonly string[], permission: Permission): boolean =>
  roles.some((role) => (ROLE_PERMISSIONS as Record<string, readonly Permission[] | undefined>)[role]?.includes(permission));
