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

export class History {
  readonly events: HistoryEvent[] = [];
  private last = 0;

  add(type: string, details: Record<string, unknown> = {}, at = Date.now()): HistoryEvent {
    // Events of one execution never go back in time, even when recorded late.
    const timestamp = Math.max(at, this.last);
    this.last = timestamp;
    const id = this.events.length + 1;
    const event: HistoryEvent = { id, previousEventId: id - 1, type, timestamp, ...details };
    this.events.push(event);
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
          o[k] = Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([dk]) => !DETAIL_DATA_KEYS.has(dk)));
        }
      }
    }
    return o;
  });
  const next = start + size < ordered.length ? Buffer.from(String(start + size), 'utf8').toString('base64url') : undefined;
  return next ? { events: out, nextToken: next } : { events: out };
}
