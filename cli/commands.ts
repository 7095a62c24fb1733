/**
 * `provision`, `status`, `delete`, `setup`, `policy`: thin commands over the HTTP API.
 * Exit codes: 0 = done / CREATED / DELETED, 1 = cluster FAILED (creation or deletion), 2 = request
 * refused or API unreachable, 3 = deletion not permitted (role B lacks the delete statement; the
 * manual commands are printed).
 */
import { readFile } from 'node:fs/promises';
import type { SetupResponse } from '../functions/api/setup/setup.js';
import { ApiError, ApiNotRunningError, type ClusterRecordView, describeApiError } from './api-client.js';
import { clusterDetailLines, kubectlAccessLines } from './cluster-details.js';
import { type ApiOptions, apiClient } from './connect.js';
import { diagnosisLines, followCluster } from './follow.js';
import { say, style, warn } from './terminal.js';
import { updateStatusLines } from './update.js';

export type { ApiOptions } from './connect.js';

const client = (o: ApiOptions) => apiClient(o);

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Runs a command; API trouble becomes a clear message and exit code 2. */
export async function guarded(fn: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await fn();
  } catch (e) {
    if (e instanceof ApiNotRunningError) warn(e.message);
    else if (e instanceof ApiError) for (const line of describeApiError(e)) warn(line);
    else warn((e as Error).message);
    process.exitCode = 2;
  }
}

export async function provision(
  file: string,
  o: ApiOptions & { follow: boolean; idempotencyKey?: string },
): Promise<number> {
  let text: string;
  try {
    text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (e) {
    warn(`Cannot read ${file}: ${(e as Error).message}`);
    return 2;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    warn(`${file === '-' ? 'stdin' : file} is not JSON: ${(e as Error).message}`);
    return 2;
  }
  const settings =
    body && typeof body === 'object' && 'cluster' in body ? (body as { cluster: unknown }).cluster : body;
  const api = client(o);
  const res = await api.post<{ id: string; status: string; executionArn: string }>(
    '/v1/clusters',
    settings,
    o.idempotencyKey ? { 'idempotency-key': o.idempotencyKey } : {},
  );
  say(`Submitted: cluster id ${style.bold(res.body.id)} (${res.body.status})`);
  if (!o.follow) return 0;
  const record = await followCluster(api, res.body.id);
  return report(record);
}

function report(r: ClusterRecordView): number {
  if (r.status === 'DELETED') {
    say(`${style.green('DELETED')} ${r.name}: the stack is gone and the name is free.`);
    return 0;
  }
  if (r.status === 'CREATED') {
    say(
      `${style.green('CREATED')} ${r.name}: endpoint ${r.outputs?.endpoint ?? '(none)'}, Kubernetes ${r.outputs?.kubernetesVersion ?? '?'}`,
    );
    return 0;
  }
  if (r.status === 'FAILED') {
    for (const line of diagnosisLines(r)) say(line);
    return 1;
  }
  const p = r.progress;
  say(`${r.status} ${r.name}: ${r.phase ?? ''}${p ? ` (${p.done}/${p.total} resources)` : ''}`);
  return 0;
}

export async function status(id: string, o: ApiOptions & { json: boolean }): Promise<number> {
  const r = await client(o).get<ClusterRecordView>(`/v1/clusters/${encodeURIComponent(id)}`);
  if (o.json) {
    say(JSON.stringify(r, null, 2));
    return r.status === 'FAILED' ? 1 : 0;
  }
  say(`${style.bold(r.name)} (${r.id})`);
  const code = report(r);
  for (const line of updateStatusLines(r)) say(line);
  if (r.status === 'CREATED') {
    for (const line of clusterDetailLines(r)) say(line);
    // The External ID for role B's profile (and who the caller is) come from the tenant's set-up.
    const s = await client(o).get<SetupResponse>('/v1/setup');
    for (const line of kubectlAccessLines(r, {
      externalId: s.externalId,
      ...(s.requester ? { requester: s.requester } : {}),
    }))
      say(line);
  }
  return code;
}

/** Exit code when role B may not delete (DELETE_NOT_PERMITTED): distinct so scripts can fall back to the manual commands. */
export const EXIT_DELETE_NOT_PERMITTED = 3;

export async function deleteCluster(id: string, o: ApiOptions & { follow: boolean }): Promise<number> {
  const api = client(o);
  let res: { status: number; body: ClusterRecordView & { status: string } };
  try {
    res = await api.delete(`/v1/clusters/${encodeURIComponent(id)}`);
  } catch (e) {
    if (e instanceof ApiError && e.body.error?.code === 'DELETE_NOT_PERMITTED') {
      for (const line of describeApiError(e)) warn(line);
      return EXIT_DELETE_NOT_PERMITTED;
    }
    throw e;
  }
  if (res.status === 200) return report(res.body);
  say(`Deleting: cluster ${style.bold(id)} (${res.body.status})`);
  if (!o.follow) return 0;
  return report(await followCluster(api, id, { until: ['DELETED', 'FAILED'] }));
}

export async function setup(o: ApiOptions & { json: boolean }): Promise<number> {
  const s = await client(o).get<SetupResponse>('/v1/setup');
  if (o.json) {
    say(JSON.stringify(s, null, 2));
    return 0;
  }
  say(`Account ID:   ${style.bold(s.accountId)}`);
  say(`External ID:  ${style.bold(s.externalId)}`);
  say('');
  say(style.bold('Role B (provision role) — trust policy (Trust relationships tab):'));
  say(JSON.stringify(s.provisionRoleTrustPolicy, null, 2));
  say('');
  say(style.bold('Role B — permissions policy (IAM → Policies → Create policy → JSON):'));
  say(JSON.stringify(s.provisionRolePolicy, null, 2));
  if (s.clusterRoleManagedPolicies?.length) {
    say('');
    say(style.bold('Role A (cluster service role, trusted by eks.amazonaws.com) — attach:'));
    for (const p of s.clusterRoleManagedPolicies) say(`  ${p}`);
  }
  return 0;
}

export async function policy(o: ApiOptions & { trust: boolean }): Promise<number> {
  const s = await client(o).get<SetupResponse>('/v1/setup');
  say(JSON.stringify(o.trust ? s.provisionRoleTrustPolicy : s.provisionRolePolicy, null, 2));
  return 0;
}
