/**
 * A scheduled Lambda function, as the local stack runs it: in process, every `periodMs` of wall time
 * (the schedule's rate already divided by the time factor), one run at a time — a run asked for while
 * another is going waits for it, as the tests' `runNow()` does. A failed run is logged; the next one
 * redoes its work, as EventBridge's next scheduled invocation would.
 */
export interface ScheduledFunction {
  periodMs: number;
  runNow(): Promise<unknown>;
  stop(): Promise<void>;
}

export function scheduleInProcess(o: {
  name: string;
  periodMs: number;
  periodic?: boolean;
  log: (line: string) => void;
  invoke: () => Promise<unknown>;
}): ScheduledFunction {
  let current: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const runNow = () => {
    const next = current.catch(() => undefined).then(o.invoke);
    current = next;
    return next;
  };
  const timer =
    o.periodic === false
      ? undefined
      : setInterval(() => {
          if (stopped) return;
          runNow().catch((e: unknown) => o.log(`${o.name}: ${(e as Error).message.slice(0, 300)}`));
        }, o.periodMs);
  timer?.unref();
  return {
    periodMs: o.periodMs,
    runNow,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await current.catch(() => undefined);
    },
  };
}
