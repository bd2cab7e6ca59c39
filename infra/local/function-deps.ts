import type { Deps } from '../../kernel/deps.ts';
import type { WorkflowPort } from '../../kernel/workflow-port.ts';
import { declaredSettings, type FunctionDeclaration, type Need } from '../aws/needs.ts';

/** What IAM answers when a function uses what it did not declare: the embedded runtime refuses the same. */
export class AccessDenied extends Error {
  constructor(functionName: string, what: string) {
    super(`${functionName} is not allowed to ${what}: declare it in functions/${functionName}/function.ts`);
    this.name = 'AccessDeniedException';
  }
}

const BLOB_WRITES = ['put', 'delete'];

/** `target` with its writing methods refused, for a function that declared read access to it. */
function readOnly<T extends object>(target: T, writes: string[], what: string, functionName: string): T {
  return new Proxy(target, {
    get(object, name, receiver) {
      if (typeof name === 'string' && writes.includes(name)) {
        return () => Promise.reject(new AccessDenied(functionName, `write to ${what} (${name}); it declared read access`));
      }
      return Reflect.get(object, name, receiver);
    },
  });
}

function declaredWorkflows(workflows: WorkflowPort, need: Extract<Need, { kind: 'workflows' }>, functionName: string): WorkflowPort {
  const mayStart = (workflow: string) => {
    if (!need.start.includes(workflow)) throw new AccessDenied(functionName, `start or stop ${workflow} executions`);
  };
  const maySignal = () => {
    if (!need.signal.length) throw new AccessDenied(functionName, 'complete callback tasks');
  };
  return {
    async start(workflow, name, input) {
      mayStart(workflow);
      return workflows.start(workflow, name, input);
    },
    async stop(workflow, name, cause) {
      mayStart(workflow);
      return workflows.stop(workflow, name, cause);
    },
    async describe(workflow, name) {
      mayStart(workflow);
      return workflows.describe(workflow, name);
    },
    async sendTaskSuccess(token, output) {
      maySignal();
      return workflows.sendTaskSuccess(token, output);
    },
    async sendTaskFailure(token, error, cause) {
      maySignal();
      return workflows.sendTaskFailure(token, error, cause);
    },
    // As on AWS, a function knows only the state machine ARNs it declared (its environment).
    workflowOf(stateMachineArn) {
      const workflow = workflows.workflowOf(stateMachineArn);
      return workflow && [...need.start, ...need.signal].includes(workflow) ? workflow : undefined;
    },
  };
}

/**
 * The embedded composition root for one function: from the runtime's local components, only what
 * the function declares, as strictly as its IAM role would allow on AWS (a read-only bucket refuses
 * writes, undeclared workflows and settings are refused, undeclared dependencies are absent; the table
 * refuses calls outside the declared keys).
 */
export function localDeps(functionName: string, declaration: FunctionDeclaration, all: Deps): Partial<Deps> {
  const deps: Record<string, unknown> = { clock: all.clock, telemetry: all.telemetry };
  for (const [name, need] of Object.entries(declaration.needs) as [keyof Deps, Need][]) {
    // The table's declared keys are enforced on the runtime's DynamoDB client (table-access.ts), per call.
    if (need.kind === 'table') deps[name] = all.store;
    else if (need.kind === 'email') deps[name] = all.mailer;
    else if (need.kind === 'workflows') deps[name] = declaredWorkflows(all.workflows, need, functionName);
    else if (need.kind === 'timers') deps[name] = all.timers;
    else if (need.kind === 'settings') deps[name] = declaredSettings(need.names, all.settings);
    else if (need.kind === 'blobs')
      deps[name] = need.access === 'read' ? readOnly(all.blobs, BLOB_WRITES, 'the mail bucket', functionName) : all.blobs;
  }
  return deps as Partial<Deps>;
}
