/**
 * Locally, what the CDK's daily rule does in AWS: once a (time-scaled) day the support-check handler
 * runs in-process with an EventBridge "Scheduled Event" whose `time` is the sandbox's clock, so a
 * test that moves the sandbox clock moves the check's "now" with it. `runNow()` runs one at once
 * (tests, `npm start` users); runs never overlap.
 */

import { functionArn, type Placement, SUPPORT_CHECK_FUNCTION } from './definition.js';
import { type HandlerResolver, invokeInProcess } from './lambda.js';
import { scheduleInProcess } from './scheduled-function.js';

export const SUPPORT_CHECK_PERIOD_SECONDS = 86_400;

export interface SupportScheduleOptions {
  placement: Placement;
  resolveHandler: HandlerResolver;
  /** Sandbox seconds per wall second (1 against AWS). */
  timeScale: number;
  /** The clock the run's event carries (the sandbox's; real time against AWS). */
  now: () => number;
  log: (line: string) => void;
  /** Start the daily run (default true); `runNow()` works either way. */
  periodic?: boolean;
}

export interface SupportSchedule {
  /** Wall milliseconds between runs. */
  periodMs: number;
  /** One run now (after a running one); resolves with the handler's result. */
  runNow(): Promise<unknown>;
  stop(): Promise<void>;
}

/** The event EventBridge sends a rule's target on a schedule (its `time` at second precision, as AWS writes it). */
export function scheduledEvent(p: Placement, nowMs: number): Record<string, unknown> {
  return {
    version: '0',
    id: crypto.randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: p.accountId,
    time: new Date(Math.floor(nowMs / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
    region: p.region,
    resources: [`arn:aws:events:${p.region}:${p.accountId}:rule/eks-provisioner-support-check`],
    detail: {},
  };
}

export function supportSchedule(o: SupportScheduleOptions): SupportSchedule {
  // At least a minute of wall time: a daily job never spins, whatever the time factor.
  const periodMs = Math.max(60_000, Math.round((SUPPORT_CHECK_PERIOD_SECONDS * 1000) / o.timeScale));
  const scheduled = scheduleInProcess({
    name: SUPPORT_CHECK_FUNCTION,
    periodMs,
    ...(o.periodic === false ? { periodic: false } : {}),
    log: o.log,
    invoke: async () => {
      const handler = await o.resolveHandler(SUPPORT_CHECK_FUNCTION);
      return invokeInProcess(
        handler,
        SUPPORT_CHECK_FUNCTION,
        functionArn(o.placement, SUPPORT_CHECK_FUNCTION),
        scheduledEvent(o.placement, o.now()),
      );
    },
  });
  return { periodMs, runNow: scheduled.runNow, stop: scheduled.stop };
}
