/**
 * What the `issue-wait` function serves: the hand-over of runs started before the case loop, which
 * needs only their identity (not the issue logic, its policies or its schemas).
 */
export { issueIdentity } from '../issue-identity.ts';
