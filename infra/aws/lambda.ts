import type { Context } from 'aws-lambda';
import { awsDeps, type DepsOf, type FunctionDeclaration, type Needs } from './needs.ts';

type Handler<E, R> = (event: E, context: Context) => Promise<R>;

/**
 * The AWS composition root of one function: the Lambda entry point builds the function's declared
 * dependencies once per container, on the first invocation (never at import time), and hands them
 * to the handler factory the embedded runtime also calls with its own.
 */
export function lambda<N extends Needs, E, R>(
  declaration: FunctionDeclaration<N>,
  create: (deps: DepsOf<N>) => Handler<E, R>,
): Handler<E, R> {
  let handler: Handler<E, R> | undefined;
  return (event, context) => {
    handler ??= create(awsDeps(declaration.needs));
    return handler(event, context);
  };
}
