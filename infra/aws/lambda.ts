import type { Context } from 'aws-lambda';
import { PowertoolsTelemetry } from '../../kernel/aws/powertools-telemetry.ts';
import { correlationOf, Telemetry } from '../../kernel/telemetry.ts';
import { awsDeps, type DepsOf, type FunctionDeclaration, type Needs } from './needs.ts';

type Handler<E, R> = (event: E, context: Context) => Promise<R>;

/**
 * The AWS composition root of one function: the Lambda entry point builds the function's declared
 * dependencies once per container, on the first invocation (never at import time), and hands them
 * to the handler factory the embedded runtime also calls with its own. Every invocation's log lines
 * carry the function, its request id and the ids its event names; its metrics are published at its end.
 */
export function lambda<N extends Needs, E, R>(
  declaration: FunctionDeclaration<N>,
  create: (deps: DepsOf<N>) => Handler<E, R>,
): Handler<E, R> {
  let handler: Handler<E, R> | undefined;
  let telemetry: Telemetry | undefined;
  return (event, context) => {
    const coldStart = telemetry === undefined;
    telemetry ??= new Telemetry(new PowertoolsTelemetry());
    handler ??= create(awsDeps(declaration.needs, telemetry));
    const keys = { ...invocationKeys(context.functionName, context.awsRequestId, event), cold_start: coldStart };
    return telemetry.invocation(keys, () => handler!(event, context));
  };
}

/** The keys of one invocation's log lines, in both columns (Powertools' names for the function and request). */
export const invocationKeys = (functionName: string, requestId: string, event: unknown) => ({
  function_name: functionName,
  function_request_id: requestId,
  ...correlationOf(event),
});
