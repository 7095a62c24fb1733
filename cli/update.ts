/**
 * `eks-provisioner update <id>`: like `eksctl upgrade cluster`, the plan first (PATCH ?dryRun=true),
 * applied only with --approve (PATCH with If-Match on the version read), then followed to the end.
 * Exit codes: 0 = plan shown / nothing to change / update SUCCEEDED, 1 = update FAILED (diagnosis
 * printed), 2 = request refused or API unreachable.
 */
import type { ApiClient, ClusterRecordView } from './api-client.js';
import { type ApiOptions, apiClient } from './connect.js';
import { elapsed, readRecord } from './follow.js';
import { isTty, raw, say, style, warn } from './terminal.js';

export interface UpdateOptions extends ApiOptions {
  version?: string;
  nodes?: number;
  instanceType?: string;
  supportType?: string;
  admin?: string[];
  deploy?: string[];
  approve: boolean;
  force: boolean;
  follow: boolean;
  idempotencyKey?: string;
}

interface PreflightView {
  checked: boolean;
  ok?: boolean;
  message?: string;
  diagnosis?: { code: string; title: string; message: string; remediation: string[] };
}

type PlanStep = { component: string; action: string; disruption?: string };

interface PlanView {
  steps: PlanStep[];
  /** Absent from servers older than staged upgrades. */
  stages?: Array<{ name: string; title: string; steps: PlanStep[] }>;
  nodesReplaced: boolean;
  changes: Array<{ field: string; from: unknown; to: unknown }>;
}

/** The merge patch the options ask for. */
export function patchFromOptions(o: UpdateOptions): Record<string, unknown> {
  // Spreads on purpose: in a merge patch a key present means "change this", and an empty patch is refused.
  return {
    ...(o.version !== undefined ? { kubernetesVersion: o.version } : {}),
    ...(o.nodes !== undefined ? { nodeCount: o.nodes } : {}),
    ...(o.instanceType !== undefined ? { instanceType: o.instanceType } : {}),
    ...(o.supportType !== undefined ? { upgradePolicy: o.supportType.toUpperCase() } : {}),
    ...(o.admin !== undefined ? { adminPrincipalArns: o.admin } : {}),
    ...(o.deploy !== undefined ? { deployPrincipalArns: o.deploy } : {}),
  };
}

export function planLines(plan: PlanView): string[] {
  const lines = plan.changes.map((c) => `  ${c.field}: ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}`);
  lines.push('Plan, in order:');
  const step = (s: PlanStep, i: number) => {
    lines.push(`  ${i}. [${s.component}] ${s.action}`);
    if (s.disruption) lines.push(`     ${style.yellow('disrupts:')} ${s.disruption}`);
  };
  let n = 0;
  if (plan.stages && plan.stages.length > 1) {
    // Each stage is its own stack update; a failed one rolls back alone and the same command resumes.
    plan.stages.forEach((st, k) => {
      lines.push(` Stage ${k + 1} of ${plan.stages!.length}: ${st.title}`);
      for (const s of st.steps) step(s, ++n);
    });
  } else {
    for (const s of plan.steps) step(s, ++n);
  }
  if (plan.nodesReplaced)
    lines.push(style.yellow('Every node is replaced (new node group first; capacity never drops to zero).'));
  return lines;
}

export async function updateCluster(
  id: string,
  o: UpdateOptions,
  api: Pick<ApiClient, 'get' | 'patch'> = apiClient(o),
): Promise<number> {
  const patch = patchFromOptions(o);
  if (Object.keys(patch).length === 0) {
    warn(
      'Nothing to change: give at least one of --version, --nodes, --instance-type, --support-type, --admin, --deploy.',
    );
    return 2;
  }
  const path = `/v1/clusters/${encodeURIComponent(id)}`;
  const record = await api.get<ClusterRecordView>(path);
  const query = o.force ? '&force=true' : '';
  const dry = await api.patch<{ changed: boolean; plan: PlanView; preflight?: PreflightView }>(
    `${path}?dryRun=true${query}`,
    patch,
  );
  if (!dry.body.changed) {
    say(`${record.name}: nothing to change (the settings already have these values).`);
    return 0;
  }
  say(`${style.bold(record.name)} (${id}):`);
  for (const line of planLines(dry.body.plan)) say(line);
  const pf = dry.body.preflight;
  if (pf?.checked && !pf.ok && pf.diagnosis) {
    // The run would refuse the same way: say why now and change nothing.
    say(`Pre-flight: ${style.red(pf.diagnosis.code)} — ${pf.diagnosis.title}`);
    say(`  ${pf.diagnosis.message}`);
    for (const [i, step] of pf.diagnosis.remediation.entries()) say(`   ${i + 1}. ${step}`);
    say(style.dim('Nothing was changed.'));
    return 1;
  }
  say(
    pf?.checked
      ? 'Pre-flight: passed (free IPs, version skew, upgrade insights, drift).'
      : `Pre-flight: ${pf?.message ?? 'not run'}`,
  );
  if (!o.approve) {
    say(style.dim('Nothing was changed. Run again with --approve to apply this plan.'));
    return 0;
  }
  const headers: Record<string, string> = { 'if-match': `"${record.version ?? 1}"` };
  if (o.idempotencyKey) headers['idempotency-key'] = o.idempotencyKey;
  const started = await api.patch<{ executionArn?: string; changed?: boolean }>(
    `${path}${o.force ? '?force=true' : ''}`,
    patch,
    headers,
  );
  if (started.status === 200) {
    say(`${record.name}: nothing to change.`);
    return 0;
  }
  say(`Updating: cluster ${style.bold(id)}`);
  if (!o.follow) return 0;
  const end = await followUpdate(api, id, started.body.executionArn);
  if (end.update?.status === 'SUCCEEDED') {
    say(
      `${style.green('UPDATED')} ${end.name}: ${Object.entries(end.update.to)
        .map(([k, v]) => `${k} ${JSON.stringify(v)}`)
        .join(', ')}`,
    );
    return 0;
  }
  const d = end.update?.diagnosis;
  say(d ? `${style.red(d.code)} — ${d.title}\n  ${d.message}` : `${end.name}: the update failed without a diagnosis.`);
  if (d?.remediation?.length) {
    say('  Fix:');
    for (const [i, step] of d.remediation.entries()) say(`   ${i + 1}. ${step}`);
  }
  return 1;
}

/** Follows the record's `update` (this run's) until it is no longer RUNNING. */
export async function followUpdate(
  api: Pick<ApiClient, 'get'>,
  id: string,
  executionArn: string | undefined,
  o: { intervalMs?: number; maxIntervalMs?: number; timeoutMs?: number } = {},
): Promise<ClusterRecordView> {
  const started = Date.now();
  const base = o.intervalMs ?? 250;
  const cap = Math.max(base, o.maxIntervalMs ?? 2000);
  const until = started + (o.timeoutMs ?? 90 * 60 * 1000);
  let wait = base;
  let last = '';
  for (;;) {
    const r = await readRecord(api, id, until, base);
    const u = r.update;
    const mine = u && (!executionArn || u.executionArn === executionArn);
    const text = mine
      ? `${u.status.padEnd(9)} ${u.phase.padEnd(34)} ${u.resources.total ? `${u.resources.done}/${u.resources.total} resources` : 'resources –'}`
      : 'waiting for the update to start';
    if (isTty) raw(`\r\x1b[2K${r.name}  ${text}  ${style.dim(elapsed(Date.now() - started))}`);
    else if (text !== last) say(`[${elapsed(Date.now() - started)}] ${r.name}  ${text}`);
    if (mine && u.status !== 'RUNNING') {
      if (isTty) raw('\n');
      return r;
    }
    if (Date.now() > until) {
      if (isTty) raw('\n');
      throw new Error(
        `Cluster ${id}'s update is still running after ${elapsed(Date.now() - started)}; check again with \`eks-provisioner status ${id}\`.`,
      );
    }
    wait = text !== last ? base : Math.min(cap, Math.round(wait * 1.5));
    last = text;
    await new Promise((res) => setTimeout(res, wait));
  }
}

/** `status`: an update shown like creation progress. */
export function updateStatusLines(r: ClusterRecordView): string[] {
  const u = r.update;
  if (!u) return [];
  const change = Object.keys(u.to)
    .map((k) => `${k} ${JSON.stringify(u.from[k])} → ${JSON.stringify(u.to[k])}`)
    .join(', ');
  const head =
    u.status === 'RUNNING'
      ? style.cyan('UPDATING')
      : u.status === 'SUCCEEDED'
        ? style.green('UPDATED')
        : style.red('UPDATE FAILED');
  const lines = [
    `${head} ${change}: ${u.phase}${u.resources.total ? ` (${u.resources.done}/${u.resources.total} resources)` : ''}`,
  ];
  if (u.status === 'FAILED' && u.diagnosis) lines.push(`  ${u.diagnosis.code}: ${u.diagnosis.message}`);
  return lines;
}
