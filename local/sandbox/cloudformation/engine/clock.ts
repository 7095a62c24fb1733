/**
 * Time for the CloudFormation engine. Stacks run on timers; tests inject `ManualClock` so a nine-minute
 * control plane is one `await clock.runAll()` away, and the server uses `realClock`.
 */

export interface Clock {
  /** Milliseconds since epoch (event timestamps). */
  now(): number;
  /** Run `fn` after `ms` milliseconds. Returns a cancel function. */
  schedule(ms: number, fn: () => void): () => void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  schedule(ms, fn) {
    const t = setTimeout(fn, Math.max(0, ms));
    // Stack timers must not keep a test process or a stopping server alive.
    t.unref?.();
    return () => clearTimeout(t);
  },
};

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

/** A clock that only moves when told to; timers fire in time order (FIFO for equal times). */
export class ManualClock implements Clock {
  private time: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  schedule(ms: number, fn: () => void): () => void {
    const timer: Timer = { at: this.time + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Pending timer count (tests: "nothing left running"). */
  get pending(): number {
    return this.timers.length;
  }

  /** Fire timers due within `ms` from now, in order, letting promise callbacks settle between them. */
  async advance(ms: number): Promise<void> {
    const until = this.time + ms;
    for (;;) {
      await settle();
      const next = this.popNext(until);
      if (!next) break;
      this.time = next.at;
      next.fn();
    }
    this.time = until;
    await settle();
  }

  /** Fire every timer until none remain (bounded, so a runaway loop fails the test instead of hanging). */
  async runAll(maxTimers = 100_000): Promise<void> {
    for (let i = 0; i < maxTimers; i++) {
      await settle();
      const next = this.popNext(Number.POSITIVE_INFINITY);
      if (!next) return;
      this.time = Math.max(this.time, next.at);
      next.fn();
    }
    throw new Error(`ManualClock.runAll: more than ${maxTimers} timers fired`);
  }

  private popNext(until: number): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers) {
      if (t.at > until) continue;
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    if (best) this.timers = this.timers.filter((t) => t !== best);
    return best;
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}
