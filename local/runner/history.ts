/**
 * Execution history in the Step Functions API's shape (GetExecutionHistory), built from the
 * aws-local-stepfunctions event stream plus what the runner itself sees when it runs a Task
 * (scheduled / succeeded / failed, with the raw task input and result). Timestamps are kept in
 * milliseconds and sent as epoch seconds, like the JSON protocol.
 */
export interface HistoryEvent {
  id: number;
  previousEventId: number;
  type: string;
  timestamp: number;
  [details: string]: unknown;
}

export const STATE_EVENT_PREFIX: Record<string, string> = {
  Task: 'Task',
  Choice: 'Choice',
  Wait: 'Wait',
  Pass: 'Pass',
  Succeed: 'Succeed',
  Fail: 'Fail',
  Parallel: 'Parallel',
  Map: 'Map',
};

/** Step Functions' quota: a Standard execution's history holds at most this many events. */
export const HISTORY_EVENT_QUOTA = 25_000;

const TERMINAL = new Set(['ExecutionSucceeded', 'ExecutionFailed', 'ExecutionAborted', 'ExecutionTimedOut']);

export class History {
  readonly events: HistoryEvent[] = [];
  private last = 0;
  private closed = false;

  /**
   * @param limit the history quota; the last slot is kept for the event that ends the execution.
   * @param onFull called (once) instead of adding the event that would take that last slot: the
   *   execution fails there, as in Step Functions, and `onFull` records how.
   */
  constructor(
    readonly limit: number = HISTORY_EVENT_QUOTA,
    private readonly onFull?: () => void,
  ) {}

  /** True once the execution's terminal event is in (later events are dropped). */
  get ended(): boolean {
    return this.closed;
  }

  add(type: string, details: Record<string, unknown> = {}, at = Date.now()): HistoryEvent | undefined {
    if (this.closed) return undefined;
    const terminal = TERMINAL.has(type);
    if (!terminal && this.onFull && this.events.length >= this.limit - 1) {
      this.onFull();
      return undefined;
    }
    // Events of one execution never go back in time, even when recorded late.
    const timestamp = Math.max(at, this.last);
    this.last = timestamp;
    const id = this.events.length + 1;
    const event: HistoryEvent = { id, previousEventId: id - 1, type, timestamp, ...details };
    this.events.push(event);
    if (terminal) this.closed = true;
    return event;
  }
}

export function jsonText(value: unknown): string {
  return JSON.stringify(value === undefined ? null : value);
}

const DETAIL_DATA_KEYS = new Set(['input', 'output', 'parameters']);

/** One page of history in API shape. */
export function historyPage(
  events: HistoryEvent[],
  opts: { maxResults?: number; reverseOrder?: boolean; nextToken?: string; includeExecutionData?: boolean },
): { events: Array<Record<string, unknown>>; nextToken?: string } {
  const ordered = opts.reverseOrder ? [...events].reverse() : events;
  const start = opts.nextToken ? Number(Buffer.from(opts.nextToken, 'base64url').toString('utf8')) : 0;
  const size = Math.min(Math.max(opts.maxResults && opts.maxResults > 0 ? opts.maxResults : 100, 1), 1000);
  const slice = ordered.slice(start, start + size);
  const include = opts.includeExecutionData !== false;
  const out = slice.map((e) => {
    const o: Record<string, unknown> = { ...e, timestamp: e.timestamp / 1000 };
    if (!include) {
      for (const [k, v] of Object.entries(o)) {
        if (k.endsWith('EventDetails') && v && typeof v === 'object') {
          o[k] = Object.fromEntries(
            Object.entries(v as Record<string, unknown>).filter(([dk]) => !DETAIL_DATA_KEYS.has(dk)),
          );
        }
      }
    }
    return o;
  });
  const next =
    start + size < ordered.length ? Buffer.from(String(start + size), 'utf8').toString('base64url') : undefined;
  return next ? { events: out, nextToken: next } : { events: out };
}
