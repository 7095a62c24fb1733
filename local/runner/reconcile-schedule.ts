/**
 * Locally, what the CDK's schedule rule does in AWS: every RECONCILE_PERIOD_SECONDS (scaled by the
 * time factor, at least once a second) the reconcile-executions handler runs in-process, with the
 * grace scaled the same way (but at least LOCAL_MIN_GRACE_SECONDS), so a run whose status-change event was dropped settles within one
 * sweep as it would in AWS. `sweep()` runs one now (tests); sweeps never overlap.
 */

import {
  RECONCILE_GRACE_SECONDS,
  RECONCILE_PERIOD_SECONDS,
} from '../../functions/reconcile-executions/reconcile-executions.js';
import { functionArn, type Placement, RECONCILE_FUNCTION } from './definition.js';
import { type HandlerResolver, invokeInProcess } from './lambda.js';
import { scheduleInProcess } from './scheduled-function.js';

/** The local status-change route retries within ~2 s (3 attempts, 0.5 s × attempt): the grace stays above that. */
export const LOCAL_MIN_GRACE_SECONDS = 5;

export interface ReconcileScheduleOptions {
  placement: Placement;
  resolveHandler: HandlerResolver;
  /** Sandbox seconds per wall second (1 against AWS). */
  timeScale: number;
  log: (line: string) => void;
  /** Start the periodic sweep (default true); `sweep()` works either way. */
  periodic?: boolean;
}

export interface ReconcileSchedule {
  /** Wall milliseconds between sweeps. */
  periodMs: number;
  /** Grace passed to the handler (seconds of wall time). */
  graceSeconds: number;
  /** One sweep now (waits for a running one first); resolves with the handler's result. */
  sweep(): Promise<unknown>;
  stop(): Promise<void>;
}

export function reconcileSchedule(o: ReconcileScheduleOptions): ReconcileSchedule {
  const periodMs = Math.max(1000, Math.round((RECONCILE_PERIOD_SECONDS * 1000) / o.timeScale));
  // Scaled, but never inside the local status-change delivery's own retries (wall clock, a few
  // seconds): as in AWS, the sweep comes after a healthy delivery has had its chance.
  const graceSeconds = Math.max(RECONCILE_GRACE_SECONDS / o.timeScale, LOCAL_MIN_GRACE_SECONDS);
  const scheduled = scheduleInProcess({
    name: RECONCILE_FUNCTION,
    periodMs,
    ...(o.periodic === false ? { periodic: false } : {}),
    log: o.log,
    invoke: async () => {
      const handler = await o.resolveHandler(RECONCILE_FUNCTION);
      return invokeInProcess(handler, RECONCILE_FUNCTION, functionArn(o.placement, RECONCILE_FUNCTION), {
        graceSeconds,
      });
    },
  });
  return { periodMs, graceSeconds, sweep: scheduled.runNow, stop: scheduled.stop };
}
