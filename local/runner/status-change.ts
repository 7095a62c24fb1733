/**
 * Locally, what EventBridge does with Step Functions' "Execution Status Change" events in AWS: each
 * event lands on the service account's default bus (the sandbox captures it, as any event), and
 * those the service's rule matches (the same pattern the CDK rule deploys) invoke the
 * record-ended-execution handler in-process — asynchronously, with retries, like a rule target.
 */
import { type ExecutionStatusChangeEvent, matchesEndedExecution } from '../../functions/lib/execution-status/event.js';
import { ENDED_EXECUTION_FUNCTION, functionArn, type Placement } from './definition.js';
import { type HandlerResolver, invokeInProcess } from './lambda.js';

export interface StatusChangeRouteOptions {
  placement: Placement;
  /** The state machines the rule names (read at delivery: runners may be added later). */
  stateMachineArns: () => string[];
  resolveHandler: HandlerResolver;
  /** Puts the event on the default bus (sandbox mode); absent in --aws mode. */
  capture?: (event: ExecutionStatusChangeEvent) => void;
  log: (line: string) => void;
  /** Attempts per event (EventBridge retries a failed async invocation). */
  attempts?: number;
  retryDelayMs?: number;
  /** Fault: lose every event (Step Functions delivers them best-effort); the reconciler must settle the runs. */
  drop?: boolean;
}

export interface StatusChangeRoute {
  deliver(event: ExecutionStatusChangeEvent): void;
  /** Resolves when every delivery so far has finished (tests, shutdown). */
  drain(): Promise<void>;
  /** Stops routing (the local stack is shutting down: its own aborts are not operator stops). */
  close(): void;
  /** The fault flag: while on, events are lost before the bus (neither captured nor delivered). */
  setDrop(on: boolean): void;
  /** Events lost to the fault flag so far. */
  readonly dropped: number;
}

export function statusChangeRoute(o: StatusChangeRouteOptions): StatusChangeRoute {
  const pending = new Set<Promise<void>>();
  let closed = false;
  let drop = o.drop === true;
  let dropped = 0;
  const attempts = o.attempts ?? 3;
  const delay = o.retryDelayMs ?? 500;
  const invoke = async (event: ExecutionStatusChangeEvent) => {
    for (let attempt = 1; ; attempt++) {
      try {
        const handler = await o.resolveHandler(ENDED_EXECUTION_FUNCTION);
        await invokeInProcess(
          handler,
          ENDED_EXECUTION_FUNCTION,
          functionArn(o.placement, ENDED_EXECUTION_FUNCTION),
          event,
        );
        return;
      } catch (e) {
        if (attempt >= attempts) {
          o.log(
            `${ENDED_EXECUTION_FUNCTION} failed for ${event.detail.executionArn} (${event.detail.status}) after ${attempt} attempts: ${(e as Error).message.slice(0, 300)}`,
          );
          return;
        }
        await new Promise((r) => setTimeout(r, delay * attempt));
      }
    }
  };
  return {
    deliver(event) {
      if (closed) return;
      if (drop) {
        dropped++;
        return;
      }
      try {
        o.capture?.(event);
      } catch (e) {
        o.log(`status change not captured: ${(e as Error).message}`);
      }
      if (!matchesEndedExecution(event, o.stateMachineArns())) return;
      const p = invoke(event).finally(() => pending.delete(p));
      pending.add(p);
    },
    async drain() {
      while (pending.size) await Promise.allSettled([...pending]);
    },
    close() {
      closed = true;
    },
    setDrop(on) {
      drop = on;
    },
    get dropped() {
      return dropped;
    },
  };
}
