/**
 * Follows one cluster record until it is CREATED or FAILED, showing phase, resources done/total and
 * elapsed time: one redrawn line on a terminal, a plain line per change otherwise (logs, CI).
 */
import { type ApiClient, ApiError, type ClusterRecordView } from './api-client.js';
import { isTty, raw, say, style } from './terminal.js';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function elapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function progressText(r: ClusterRecordView): string {
  const p = r.progress;
  const resources = p && p.total > 0 ? `${p.done}/${p.total} resources` : 'resources –';
  return `${r.status.padEnd(8)} ${(r.phase ?? '').padEnd(34)} ${resources}`;
}

export interface FollowOptions {
  /** First wait between polls, and the wait right after anything changed (default 250 ms). */
  intervalMs?: number;
  /** While nothing changes the wait grows ×1.5 up to this (default 2 s): brisk against the
   * time-scaled sandbox, and not hundreds of calls a minute during a real 15-minute creation. */
  maxIntervalMs?: number;
  /** Give up (and say so) after this long; default 30 minutes. */
  timeoutMs?: number;
  /** Draw progress (default true). */
  show?: boolean;
  /** Statuses that end the follow (default CREATED and FAILED; a deletion follows to DELETED or FAILED). */
  until?: ReadonlyArray<ClusterRecordView['status']>;
}

/**
 * GET the cluster's record. A throttled or briefly unavailable API (429/503, "retry after a short
 * wait") must not end a follow of many minutes: wait at least a second and ask again, until `until`.
 */
export async function readRecord(
  api: Pick<ApiClient, 'get'>,
  id: string,
  until: number,
  intervalMs: number,
): Promise<ClusterRecordView> {
  for (;;) {
    try {
      return await api.get<ClusterRecordView>(`/v1/clusters/${encodeURIComponent(id)}`);
    } catch (e) {
      if (!(e instanceof ApiError && (e.status === 429 || e.status === 503)) || Date.now() > until) throw e;
      await new Promise((res) => setTimeout(res, Math.max(intervalMs, 1000)));
    }
  }
}

export async function followCluster(api: ApiClient, id: string, o: FollowOptions = {}): Promise<ClusterRecordView> {
  const started = Date.now();
  const interval = o.intervalMs ?? 250;
  const maxInterval = Math.max(interval, o.maxIntervalMs ?? 2000);
  let wait = interval;
  let lastSeen = '';
  const until = started + (o.timeoutMs ?? 30 * 60 * 1000);
  const show = o.show !== false;
  const terminal = new Set(o.until ?? ['CREATED', 'FAILED']);
  let lastPlain = '';
  let frame = 0;
  for (;;) {
    const r = await readRecord(api, id, until, interval);
    const text = progressText(r);
    if (show) {
      if (isTty) {
        raw(
          `\r\x1b[2K${style.cyan(SPINNER[frame++ % SPINNER.length] ?? '')} ${r.name}  ${text}  ${style.dim(elapsed(Date.now() - started))}`,
        );
      } else if (text !== lastPlain) {
        say(`[${elapsed(Date.now() - started)}] ${r.name}  ${text}`);
        lastPlain = text;
      }
    }
    if (terminal.has(r.status)) {
      if (show && isTty)
        raw(
          `\r\x1b[2K${r.status !== 'FAILED' ? style.green('✔') : style.red('✖')} ${r.name}  ${text}  ${elapsed(Date.now() - started)}\n`,
        );
      return r;
    }
    if (Date.now() > until) {
      if (show && isTty) raw('\n');
      throw new Error(
        `Cluster ${id} is still ${r.status} after ${elapsed(Date.now() - started)}; check again with \`eks-provisioner status ${id}\`.`,
      );
    }
    wait = nextWait(wait, text !== lastSeen, interval, maxInterval);
    lastSeen = text;
    await new Promise((res) => setTimeout(res, wait));
  }
}

/** The next wait between polls: back to the base interval after a change, else ×1.5 up to the cap. */
export function nextWait(current: number, changed: boolean, interval: number, maxInterval: number): number {
  return changed ? interval : Math.min(maxInterval, Math.round(current * 1.5));
}

/** The diagnosis of a failed cluster, as lines. */
export function diagnosisLines(r: ClusterRecordView): string[] {
  const d = r.diagnosis;
  if (!d) return [`${r.name} failed without a diagnosis.`];
  const lines = [`${style.red(d.code)} — ${d.title}`, `  ${d.message}`];
  if (d.remediation?.length) {
    lines.push('  Fix:');
    lines.push(...d.remediation.map((step, i) => `   ${i + 1}. ${step}`));
  }
  return lines;
}
