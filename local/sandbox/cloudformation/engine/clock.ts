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

interface Entry {
  due: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * Timers that always fire in the order of their due time, even when the underlying clock is coarse
 * (Node's setTimeout has 1 ms granularity: at a high time scale a 0.1 ms control-plane failure and a
 * 0.7 ms role creation would otherwise fire in creation order). One real timer is armed at a time.
 */
export class OrderedTimers {
  private entries: Entry[] = [];
  private seq = 0;
  private armed?: { due: number; cancel: () => void };
  /** Due time of the callback running now: what it schedules is relative to that, not to CPU time spent. */
  private base?: number;

  constructor(private readonly clock: Clock) {}

  schedule(ms: number, fn: () => void): () => void {
    const entry: Entry = {
      due: (this.base ?? this.clock.now()) + Math.max(0, ms),
      seq: this.seq++,
      fn,
      cancelled: false,
    };
    this.entries.push(entry);
    this.arm();
    return () => {
      entry.cancelled = true;
    };
  }

  private next(): Entry | undefined {
    this.entries = this.entries.filter((e) => !e.cancelled);
    let best: Entry | undefined;
    for (const e of this.entries) if (!best || e.due < best.due || (e.due === best.due && e.seq < best.seq)) best = e;
    return best;
  }

  private arm(): void {
    const head = this.next();
    if (!head) return;
    if (this.armed && this.armed.due <= head.due) return;
    this.armed?.cancel();
    const due = head.due;
    this.armed = { due, cancel: this.clock.schedule(due - this.clock.now(), () => this.fire()) };
  }

  private fire(): void {
    this.armed = undefined;
    // Everything due by now runs, earliest first (including entries those callbacks add).
    for (let head = this.next(); head && head.due <= this.clock.now(); head = this.next()) {
      head.cancelled = true;
      this.base = head.due;
      try {
        head.fn();
      } finally {
        this.base = undefined;
      }
    }
    this.arm();
  }
}
