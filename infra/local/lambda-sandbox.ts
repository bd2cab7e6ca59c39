import { AsyncLocalStorage } from 'node:async_hooks';
import type { DeserializeHandler, DeserializeHandlerArguments, MiddlewareStack } from '@aws-sdk/types';

interface Invocation {
  functionName: string;
  requestId: string;
  /** Ended (returned, threw or timed out): Lambda has frozen its sandbox. */
  frozen: boolean;
}

/** Lambda's error for an invocation that ran past its function's timeout. */
export function lambdaTimeoutError(requestId: string, timeoutSeconds: number): Error {
  const error = new Error(`RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`);
  error.name = 'Sandbox.Timedout';
  return error;
}

/**
 * Each function's configured timeout, as Lambda enforces it, and the freeze after an invocation.
 * Lambda freezes the sandbox once an invocation ends (it returned, threw, or ran past its
 * timeout), so work the handler left running (a promise not awaited, the rest of a handler whose
 * middleware gave up first) does not reach AWS. A handler here cannot be stopped, so every AWS
 * call made from an ended invocation is refused instead, and an answer that comes back after the
 * end is dropped: what the handler did before the end stays done, as on AWS.
 */
export class LambdaSandbox {
  private readonly current = new AsyncLocalStorage<Invocation>();
  /** Invocations that ran past their timeout, per function. */
  readonly timedOut = new Map<string, number>();

  async run<T>(functionName: string, requestId: string, timeoutSeconds: number, handler: () => Promise<T>): Promise<T> {
    const invocation: Invocation = { functionName, requestId, frozen: false };
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        invocation.frozen = true;
        this.timedOut.set(functionName, (this.timedOut.get(functionName) ?? 0) + 1);
        reject(lambdaTimeoutError(requestId, timeoutSeconds));
      }, timeoutSeconds * 1000);
      timer.unref();
    });
    try {
      return await Promise.race([this.current.run(invocation, handler), expired]);
    } finally {
      invocation.frozen = true;
      clearTimeout(timer);
    }
  }

  /** The function whose invocation is running here, if any. */
  caller(): string | undefined {
    return this.current.getStore()?.functionName;
  }

  /** Refuses the client's calls from an invocation that has ended (an SDK v3 client). */
  // biome-ignore lint/suspicious/noExplicitAny: any client's stack, whatever its input and output types
  guard<C extends { middlewareStack: MiddlewareStack<any, any> }>(client: C): C {
    const refuseIfFrozen = () => {
      const invocation = this.current.getStore();
      if (invocation?.frozen)
        throw new Error(`${invocation.functionName} (request ${invocation.requestId}) has ended; its sandbox is frozen`);
    };
    client.middlewareStack.add(
      // biome-ignore lint/suspicious/noExplicitAny: the stack's own input and output types
      (next: DeserializeHandler<any, any>) => async (args: DeserializeHandlerArguments<any>) => {
        refuseIfFrozen();
        const output = await next(args);
        refuseIfFrozen();
        return output;
      },
      { step: 'deserialize', name: 'stewardLambdaSandbox', priority: 'high' },
    );
    return client;
  }
}
