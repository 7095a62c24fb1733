/**
 * A throttled look at a stack is not a failed stack: the stack goes on whether or not we can read it.
 * Both pollers (PollClusterStack, PollStackDeletion) keep the last known state and look again later,
 * twice as late each time (≤ THROTTLED_WAIT_MAX_SECONDS, the cap still in force), so many runs in one
 * account back off instead of failing once Step Functions' retries run out.
 */
import { ERROR_NAMES } from '../errors.js';
import type { PollResult } from '../state.js';

/** Longest wait after a throttled look: the account's CloudFormation rate is shared by every run in it. */
export const THROTTLED_WAIT_MAX_SECONDS = 120;

export interface ThrottledLookContext {
  /** The previous poll's result (the last known state), if any. */
  last: Partial<PollResult> | undefined;
  /** When the stack operation started (ISO); elapsed time and the cap count from it. */
  startedAt: string | undefined;
  now: Date;
  /** The poll cap: at or past it the error goes through (and its diagnosis with it). */
  maxSeconds: number;
  /** What to report when no poll has succeeded yet. */
  initial: { stackStatus: string; phase: string };
}

/** The carry-on result for a throttled look, or undefined when the error must go through (not throttling, or at the cap). */
export function throttledLook(e: unknown, c: ThrottledLookContext): PollResult | undefined {
  if ((e as Error | undefined)?.name !== ERROR_NAMES.throttled) return undefined;
  const startedAt = c.startedAt ? Date.parse(c.startedAt) : NaN;
  const elapsedSeconds = Number.isFinite(startedAt) ? Math.max(0, Math.round((c.now.getTime() - startedAt) / 1000)) : 0;
  if (elapsedSeconds >= c.maxSeconds) return undefined;
  const prev = c.last;
  const nextWaitSeconds = Math.min(
    THROTTLED_WAIT_MAX_SECONDS,
    Math.max(10, 2 * (prev?.nextWaitSeconds ?? 5)),
    Math.max(1, c.maxSeconds - elapsedSeconds),
  );
  return {
    outcome: 'IN_PROGRESS',
    stackStatus: prev?.stackStatus ?? c.initial.stackStatus,
    phase: prev?.phase ?? c.initial.phase,
    progress: prev?.progress ?? { done: 0, total: 0 },
    nextWaitSeconds,
    elapsedSeconds,
    polls: (prev?.polls ?? 0) + 1,
  };
}

/**
 * One look at the stack's events: the events, or — when the look was throttled and the cap is not reached —
 * the carry-on result the poller returns as is (last known state, a longer wait).
 */
export async function eventsOrCarryOn<T>(
  read: () => Promise<T[]>,
  c: ThrottledLookContext,
): Promise<{ events: T[] } | { carryOn: PollResult }> {
  try {
    return { events: await read() };
  } catch (e) {
    const carryOn = throttledLook(e, c);
    if (carryOn) return { carryOn };
    throw e;
  }
}
