/**
 * Benchmark (not a test): 50 clusters submitted at once to the local stack.
 * Reports how many reach CREATED, the wall time from the first submit to the last finish, and the
 * peak memory (RSS) of the process running the whole stack. Goal: 50/50, < 60 s, < 1 GiB.
 *
 *   npx tsx bench/fifty-clusters.ts                  # starts its own stack (default sandbox time scale)
 *   npx tsx bench/fifty-clusters.ts --count 20 --time-scale 100
 *   npx tsx bench/fifty-clusters.ts --api http://127.0.0.1:3000 --sandbox http://127.0.0.1:4566
 *        (against a running `npm start -- --no-demo`; RSS is then only this client's)
 */
await import('../local/quiet-sdk.js');
await import('../local/polyfills.js');
const { parseArgs } = await import('node:util');
const { CreateRoleCommand, IAMClient, PutRolePolicyCommand } = await import('@aws-sdk/client-iam');
const { DEFAULT_WORLD } = await import('../local/runner/environment.js');
const { startLocalStack } = await import('../local/runner/stack.js');
const { readFileSync } = await import('node:fs');

const { values: args } = parseArgs({
  options: {
    count: { type: 'string', default: '50' },
    'time-scale': { type: 'string' },
    api: { type: 'string' },
    sandbox: { type: 'string' },
    'timeout-s': { type: 'string', default: '300' },
  },
});
const count = Number(args.count);
const timeoutMs = Number(args['timeout-s']) * 1000;

let peakRss = process.memoryUsage.rss();
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 50);

// What is measured is the stack, not log formatting: handler and API logs are off.
process.env['POWERTOOLS_LOG_LEVEL'] = 'SILENT';
const quietLog = () => undefined;
const stack = args.api
  ? undefined
  : await startLocalStack({
      sandboxPort: 0,
      apiPort: 0,
      log: quietLog,
      apiLog: { info: quietLog, error: quietLog },
      ...(args['time-scale'] ? { timeScale: Number(args['time-scale']) } : {}),
    });
const apiUrl = args.api ?? stack!.apiUrl!;
const sandboxUrl = args.sandbox ?? stack!.awsEndpoint!;
const tenant = `bench-${Date.now().toString(36)}`;

async function call<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${apiUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', 'x-tenant-id': tenant },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

// The seed's set-up once: role B for this tenant.
const setup = await call('GET', '/v1/setup');
const roleName = `eks-provisioner-${tenant}`;
const iam = new IAMClient({
  region: 'us-east-1',
  endpoint: sandboxUrl,
  credentials: {
    accessKeyId: DEFAULT_WORLD.customer.accessKeyId,
    secretAccessKey: DEFAULT_WORLD.customer.secretAccessKey,
  },
});
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
iam.destroy();
const roleArn = `arn:aws:iam::${DEFAULT_WORLD.customer.accountId}:role/${roleName}`;
const reg = await call('POST', '/v1/roles', { roleArn, region: 'us-east-1' });
if (reg.status !== 200) throw new Error(`POST /v1/roles → ${reg.status} ${JSON.stringify(reg.body)}`);

const sample = (
  JSON.parse(readFileSync(new URL('../events/create-cluster.json', import.meta.url), 'utf8')) as {
    cluster: Record<string, unknown>;
  }
).cluster;

const t0 = Date.now();
const submitted = await Promise.all(
  Array.from({ length: count }, (_, i) =>
    call('POST', '/v1/clusters', {
      ...sample,
      name: `${tenant}-${String(i + 1).padStart(2, '0')}`,
      provisionRoleArn: roleArn,
    }),
  ),
);
const submitMs = Date.now() - t0;
const ids = submitted.filter((s) => s.status === 202).map((s) => s.body.id as string);
const refused = submitted.filter((s) => s.status !== 202);

// Follow all of them with one list call per second (a client polling each record would load the stack
// more than the provisioning does).
const final = new Map<string, { status: string; code?: string }>();
const wanted = new Set(ids);
while (final.size < ids.length && Date.now() - t0 < timeoutMs) {
  await new Promise((r) => setTimeout(r, 1000));
  let nextToken: string | undefined;
  do {
    const page = await call<{
      items: Array<{ id: string; status: string; diagnosis?: { code: string } }>;
      nextToken?: string;
    }>('GET', `/v1/clusters?limit=100${nextToken ? `&nextToken=${encodeURIComponent(nextToken)}` : ''}`);
    for (const r of page.body.items) {
      if (wanted.has(r.id) && r.status !== 'CREATING' && !final.has(r.id))
        final.set(r.id, { status: r.status, ...(r.diagnosis ? { code: r.diagnosis.code } : {}) });
    }
    nextToken = page.body.nextToken;
  } while (nextToken);
}
const wallMs = Date.now() - t0;
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage.rss(), process.resourceUsage().maxRSS * 1024);

const created = [...final.values()].filter((f) => f.status === 'CREATED').length;
const failures = new Map<string, number>();
for (const f of final.values())
  if (f.status !== 'CREATED') failures.set(f.code ?? f.status, (failures.get(f.code ?? f.status) ?? 0) + 1);
const mib = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;

const lines = [
  `clusters submitted   ${count} (${ids.length} accepted in ${(submitMs / 1000).toFixed(1)} s${refused.length ? `, ${refused.length} refused: ${JSON.stringify(refused[0]?.body)}` : ''})`,
  `reached CREATED      ${created}/${count}${failures.size ? `  (others: ${[...failures].map(([k, v]) => `${k}×${v}`).join(', ')})` : ''}${final.size < ids.length ? `  (${ids.length - final.size} still CREATING at the timeout)` : ''}`,
  `wall time            ${(wallMs / 1000).toFixed(1)} s  (first submit → last cluster finished)`,
  `peak RSS             ${mib(peakRss)}${stack ? ' (whole stack: sandbox + runner + handlers + API, one process)' : ' (this client only)'}`,
  `time scale           ×${stack?.timeScale ?? '(of the running stack)'}`,
  `goal                 ${count}/${count}, < 60 s, < 1 GiB → ${created === count && wallMs < 60_000 && peakRss < 1024 ** 3 ? 'met' : 'NOT met'}`,
];
process.stdout.write(`${lines.join('\n')}\n`);
process.stdout.write(
  `${JSON.stringify({ count, accepted: ids.length, created, wallMs, submitMs, peakRssBytes: peakRss, timeScale: stack?.timeScale })}\n`,
);

await stack?.stop();
process.exit(created === count ? 0 : 1);

export {};
