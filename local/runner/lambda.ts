/**
 * Runs our Lambda handlers in this process the way the Lambda service would: the event and the
 * result cross a JSON boundary (no shared objects, Dates become strings), the handler gets a
 * Lambda-like context, and a thrown error reaches Step Functions as Lambda reports it —
 * `Error` = the error's name (Retry/Catch match on it), `Cause` = JSON `{ errorType, errorMessage, trace }`.
 */
import { randomUUID } from 'node:crypto';
import { FUNCTIONS as FUNCTION_SPECS } from '../../infra/functions.js';
import type { FunctionFolder } from './definition.js';
import { functionName } from './definition.js';

export type LambdaHandler = (event: unknown, context: LambdaContext) => unknown;

export interface LambdaContext {
  callbackWaitsForEmptyEventLoop: boolean;
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  getRemainingTimeInMillis(): number;
  done(error?: Error, result?: unknown): void;
  fail(error: Error | string): void;
  succeed(messageOrObject: unknown): void;
}

export type HandlerResolver = (folder: FunctionFolder) => Promise<LambdaHandler>;

/** Imports functions/<folder>/handler.ts (its `handler` export), once per folder. */
export function moduleHandlerResolver(): HandlerResolver {
  const cache = new Map<FunctionFolder, Promise<LambdaHandler>>();
  return (folder) => {
    let hit = cache.get(folder);
    if (!hit) {
      const url = new URL(`../../functions/${folder}/handler.ts`, import.meta.url);
      hit = import(url.href).then((mod: { handler?: unknown }) => {
        if (typeof mod.handler !== 'function') {
          throw new Error(`functions/${folder}/handler.ts does not export a function named handler.`);
        }
        return mod.handler as LambdaHandler;
      });
      // A failed import is retried on the next invocation (the file may be mid-edit in development).
      hit.catch(() => cache.delete(folder));
      cache.set(folder, hit);
    }
    return hit;
  };
}

/** The error a failed invocation turns into; `name` and `message` are what Retry/Catch see. */
export class LambdaFunctionError extends Error {
  constructor(
    readonly errorType: string,
    /** JSON `{ errorType, errorMessage, trace }`, as Lambda's Node.js runtime reports it. */
    readonly causeJson: string,
  ) {
    super(causeJson);
    this.name = errorType;
  }
}

/** Lambda's own view of a thrown value (Node.js runtime): name → errorType, message, stack lines. */
export function lambdaErrorPayload(thrown: unknown): { errorType: string; errorMessage: string; trace: string[] } {
  if (thrown instanceof Error) {
    return {
      errorType: thrown.name || 'Error',
      errorMessage: thrown.message ?? '',
      trace: typeof thrown.stack === 'string' ? thrown.stack.split('\n') : [],
    };
  }
  if (thrown && typeof thrown === 'object') {
    const o = thrown as { name?: unknown; errorType?: unknown; message?: unknown; errorMessage?: unknown };
    const errorType = typeof o.errorType === 'string' ? o.errorType : typeof o.name === 'string' ? o.name : 'Error';
    const msg =
      typeof o.errorMessage === 'string'
        ? o.errorMessage
        : typeof o.message === 'string'
          ? o.message
          : JSON.stringify(thrown);
    return { errorType, errorMessage: msg, trace: [] };
  }
  return { errorType: 'Error', errorMessage: String(thrown), trace: [] };
}

function makeContext(folder: FunctionFolder, functionArn: string, timeoutSeconds: number): LambdaContext {
  const TIMEOUT_MS = timeoutSeconds * 1000;
  const started = Date.now();
  const name = functionName(folder);
  const noop = () => undefined;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: functionArn,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: `local/${new Date(started).toISOString().slice(0, 10)}/[$LATEST]${randomUUID().replace(/-/g, '')}`,
    getRemainingTimeInMillis: () => Math.max(0, TIMEOUT_MS - (Date.now() - started)),
    done: noop,
    fail: noop,
    succeed: noop,
  };
}

/** JSON round trip, as across Lambda's invoke boundary (`undefined` → null). */
function overTheWire(value: unknown): unknown {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value)) as unknown;
}

/**
 * Invokes a handler with `event`; resolves with the JSON result or rejects with LambdaFunctionError.
 * Handlers that use the (event, context, callback) style are supported too.
 */
export async function invokeInProcess(
  handler: LambdaHandler,
  folder: FunctionFolder,
  functionArn: string,
  event: unknown,
): Promise<unknown> {
  const payload = overTheWire(event);
  const timeoutSeconds = functionTimeoutSeconds(folder);
  const context = makeContext(folder, functionArn, timeoutSeconds);
  let timer: NodeJS.Timeout | undefined;
  try {
    const result = await new Promise<unknown>((resolve, reject) => {
      // The function's own timeout (infra/functions.ts), as Lambda enforces it: Sandbox.Timedout.
      timer = setTimeout(
        () =>
          reject(
            Object.assign(new Error(`Task timed out after ${timeoutSeconds.toFixed(2)} seconds`), {
              name: 'Sandbox.Timedout',
            }),
          ),
        timeoutSeconds * 1000,
      );
      timer.unref?.();
      const callback = (err?: unknown, res?: unknown) => (err ? reject(err) : resolve(res));
      context.done = (err, res) => callback(err, res);
      context.fail = (err) => callback(typeof err === 'string' ? new Error(err) : err);
      context.succeed = (res) => callback(undefined, res);
      try {
        const out = (handler as (e: unknown, c: LambdaContext, cb: typeof callback) => unknown)(
          payload,
          context,
          callback,
        );
        if (out && typeof (out as Promise<unknown>).then === 'function')
          (out as Promise<unknown>).then(resolve, reject);
        else if (handler.length < 3) resolve(out);
      } catch (e) {
        reject(e);
      }
    });
    return overTheWire(result);
  } catch (thrown) {
    const p = lambdaErrorPayload(thrown);
    throw new LambdaFunctionError(p.errorType, JSON.stringify(p));
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** The deployed function's timeout (infra/functions.ts); Lambda's maximum for one it does not list. */
export function functionTimeoutSeconds(folder: FunctionFolder): number {
  return FUNCTION_SPECS.find((f) => f.name === folder)?.timeoutSeconds ?? 900;
}
