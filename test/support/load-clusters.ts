/**
 * What the benchmarks share: a tenant with role B (the seed's set-up, done as the customer through
 * the sandbox's IAM API), submitting clusters, and following them to their terminal state with one
 * list call per interval (a client polling each record would load the stack more than provisioning).
 */
import { readFileSync } from 'node:fs';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { DEFAULT_WORLD } from '../../local/runner/environment.js';

export type ApiCaller = <T = any>(method: string, path: string, body?: unknown) => Promise<{ status: number; body: T }>;

export function apiCaller(apiUrl: string, tenant: string): ApiCaller {
  return async (method, path, body) => {
    const res = await fetch(`${apiUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-tenant-id': tenant },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
}

/** GET /v1/setup, create role B as the customer, POST /v1/roles. Returns role B's ARN. */
export async function setUpTenant(call: ApiCaller, sandboxUrl: string, roleName: string): Promise<string> {
  const setup = await call('GET', '/v1/setup');
  if (setup.status !== 200) throw new Error(`GET /v1/setup → ${setup.status} ${JSON.stringify(setup.body)}`);
  const iam = new IAMClient({
    region: 'us-east-1',
    endpoint: sandboxUrl,
    credentials: {
      accessKeyId: DEFAULT_WORLD.customer.accessKeyId,
      secretAccessKey: DEFAULT_WORLD.customer.secretAccessKey,
    },
  });
  try {
    await iam.send(
      new CreateRoleCommand({
        RoleName: roleName,
        AssumeRolePolicyDocument: JSON.stringify(setup.body.provisionRoleTrustPolicy),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: roleName,
        PolicyName: 'provision',
        PolicyDocument: JSON.stringify(setup.body.provisionRolePolicy),
      }),
    );
  } finally {
    iam.destroy();
  }
  const roleArn = `arn:aws:iam::${DEFAULT_WORLD.customer.accountId}:role/${roleName}`;
  // Registration assumes role B; a busy account may throttle it: try again as a client would.
  for (let attempt = 1; ; attempt++) {
    const reg = await call('POST', '/v1/roles', { roleArn, region: 'us-east-1' });
    if (reg.status === 200) return roleArn;
    if (attempt >= 5 || (reg.status !== 429 && reg.status !== 503))
      throw new Error(`POST /v1/roles → ${reg.status} ${JSON.stringify(reg.body)}`);
    await new Promise((r) => setTimeout(r, 500 * attempt));
  }
}

export const sampleSettings = (): Record<string, unknown> =>
  (
    JSON.parse(readFileSync(new URL('../../events/create-cluster.json', import.meta.url), 'utf8')) as {
      cluster: Record<string, unknown>;
    }
  ).cluster;

export interface Outcome {
  status: string;
  code?: string;
  cause?: string;
  /** The diagnosis' message (first failures are printed by the benchmarks). */
  message?: string;
}

/** Submits one cluster per name at once; returns accepted ids (name → id) and refusals. */
export async function submitAll(
  call: ApiCaller,
  roleArn: string,
  names: string[],
  extra: Record<string, unknown> = {},
) {
  const sample = sampleSettings();
  const answers = await Promise.all(
    names.map((name) => call('POST', '/v1/clusters', { ...sample, ...extra, name, provisionRoleArn: roleArn })),
  );
  const ids = new Map<string, string>();
  const refused: Array<{ name: string; status: number; body: unknown }> = [];
  answers.forEach((a, i) => {
    if (a.status === 202) ids.set(names[i]!, a.body.id);
    else refused.push({ name: names[i]!, status: a.status, body: a.body });
  });
  return { ids, refused };
}

/** Follows the ids until none is CREATING or the time is up (one paged list call per interval). */
export async function followAll(
  call: ApiCaller,
  ids: Iterable<string>,
  timeoutMs: number,
  intervalMs = 1000,
): Promise<Map<string, Outcome>> {
  const wanted = new Set(ids);
  const final = new Map<string, Outcome>();
  const t0 = Date.now();
  while (final.size < wanted.size && Date.now() - t0 < timeoutMs) {
    await new Promise((r) => setTimeout(r, intervalMs));
    let nextToken: string | undefined;
    do {
      const page = await call<{
        items: Array<{
          id: string;
          status: string;
          diagnosis?: { code: string; message?: string; cause?: { code?: string } };
        }>;
        nextToken?: string;
      }>('GET', `/v1/clusters?limit=100${nextToken ? `&nextToken=${encodeURIComponent(nextToken)}` : ''}`);
      if (page.status !== 200) break; // a throttled or failed list: ask again next round
      for (const r of page.body.items) {
        if (wanted.has(r.id) && r.status !== 'CREATING' && !final.has(r.id)) {
          final.set(r.id, {
            status: r.status,
            ...(r.diagnosis ? { code: r.diagnosis.code } : {}),
            ...(r.diagnosis?.cause?.code ? { cause: r.diagnosis.cause.code } : {}),
            ...(r.diagnosis?.message ? { message: r.diagnosis.message } : {}),
          });
        }
      }
      nextToken = page.body.nextToken;
    } while (nextToken);
  }
  return final;
}

export const mib = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;

/** Peak RSS of this process, sampled. */
export function rssSampler(): { stop: () => number } {
  let peak = process.memoryUsage.rss();
  const t = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
  return {
    stop: () => {
      clearInterval(t);
      return Math.max(peak, process.memoryUsage.rss(), process.resourceUsage().maxRSS * 1024);
    },
  };
}
