/**
 * Follows one cluster record until it is CREATED or FAILED, showing phase, resources done/total and
 * elapsed time: one redrawn line on a terminal, a plain line per change otherwise (logs, CI).
 */
import { ApiError, type ApiClient, type ClusterRecordView } from './api-client.js';
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
  intervalMs?: number;
  /** Give up (and say so) after this long; default 30 minutes. */
  timeoutMs?: number;
  /** Draw progress (default true). */
  show?: boolean;
}

export async function followCluster(api: ApiClient, id: string, o: FollowOptions = {}): Promise<ClusterRecordView> {
  const started = Date.now();
  const interval = o.intervalMs ?? 250;
  const until = started + (o.timeoutMs ?? 30 * 60 * 1000);
  const show = o.show !== false;
  let lastPlain = '';
  let frame = 0;
  for (;;) {
    let r: ClusterRecordView;
    try {
      r = await api.get<ClusterRecordView>(`/v1/clusters/${encodeURIComponent(id)}`);
    } catch (e) {
      // A throttled or briefly unavailable API (429/503, "retry after a short wait") must not end a
      // follow of many minutes: wait and ask again, until the time limit.
      if (!(e instanceof ApiError && (e.status === 429 || e.status === 503)) || Date.now() > until) throw e;
      await new Promise((res) => setTimeout(res, Math.max(interval, 1000)));
      continue;
    }
    const text = progressText(r);
    if (show) {
      if (isTty) {
        raw(`\r\x1b[2K${style.cyan(SPINNER[frame++ % SPINNER.length] ?? '')} ${r.name}  ${text}  ${style.dim(elapsed(Date.now() - started))}`);
      } else if (text !== lastPlain) {
        say(`[${elapsed(Date.now() - started)}] ${r.name}  ${text}`);
        lastPlain = text;
      }
    }
    if (r.status === 'CREATED' || r.status === 'FAILED') {
      if (show && isTty) raw(`\r\x1b[2K${r.status === 'CREATED' ? style.green('✔') : style.red('✖')} ${r.name}  ${text}  ${elapsed(Date.now() - started)}\n`);
      return r;
    }
    if (Date.now() > until) {
      if (show && isTty) raw('\n');
      throw new Error(`Cluster ${id} is still ${r.status} after ${elapsed(Date.now() - started)}; check again with \`eks-provisioner status ${id}\`.`);
    }
    await new Promise((res) => setTimeout(res, interval));
  }
}

/** The diagnosis of a failed cluster, as lines. */
export function diagnosisLines(r: ClusterRecordView): string[] {
  const d = r.diagnosis;
  if (!d) return [`${r.name} failed without a diagnosis.`];
  const lines = [`${style.red(d.code)} — ${d.title}`, `  ${d.message}`];
  if (d.remediation?.length) {
    lines.push('  Fix:');
    d.remediation.forEach((step, i) => lines.push(`   ${i + 1}. ${step}`));
  }
  return lines;
}
