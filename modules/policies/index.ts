/**
 * Policies: the versioned rules (update cadence, escalation ladders, business hours, RFO rules,
 * email severities, the dunning ladder) that issues and receivables freeze when a case starts.
 * The public entry of the module.
 */
export { defaultDunningPolicy, type DunningPolicy } from './dunning-policy.ts';
export {
  calendars,
  defaultPolicy,
  emailSeverity,
  mentionsBackup,
  saysProblemBack,
  freezePolicy,
  ladderLevels,
  MAINTENANCE_DEFAULTS,
  ms,
  type EscalationLevel,
  type IssuePolicy,
  type Policy,
} from './policy.ts';
export { PolicyRepository, type PolicyVersion } from './policy-repository.ts';
