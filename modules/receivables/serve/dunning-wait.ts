/**
 * What the `dunning-wait` function serves: the hand-over of runs started before the case loop,
 * which needs only their identity (not the dunning logic, customers or policies).
 */
export { dunningIdentity } from '../dunning-identity.ts';
