import type { ChildProcess } from 'node:child_process';

/**
 * Child processes die with the parent: on a normal exit, on SIGINT/SIGTERM (the runtime calls
 * its shutdown, then exits) and on an uncaught crash (the 'exit' event still fires). Children are
 * started in their own process group so the whole group, JVM included, is killed at once.
 * A SIGKILL of the parent is covered by the children themselves (see dynamodb-local.ts).
 */
const children = new Set<ChildProcess>();
let hooked = false;

export function registerChild(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (hooked) return;
  hooked = true;
  process.once('exit', killAll);
}

export function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

export function killAll(): void {
  for (const child of children) killGroup(child);
  children.clear();
}
