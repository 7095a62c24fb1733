/**
 * Benchmark (not a test): N clusters at once in ONE customer account (default 200). Every run shares the
 * account's AWS API rate limits (the sandbox's token buckets, local/sandbox/limits/rate-limits.ts), so this
 * measures what a busy account costs: how many reach CREATED, how many calls AWS throttled, AWS calls per
 * cluster against a lone cluster's in the same account, wall time at the default time scale, peak memory.
 *
 *   npx tsx bench/one-account.ts [--count 200] [--time-scale 100] [--timeout-s 900]
 *
 * Goal: N/N CREATED, no diagnosis caused by throttling, calls per cluster within 10 % of a lone cluster's.
 * The account's EKS cluster quota (AWS default 100 per region) is raised to N + 10 in the world, as a
 * customer planning this would have it raised; every other quota and limit is the default.
 */
await import('../local/quiet-sdk.js');
await import('../local/polyfills.js');
const { parseArgs } = await import('node:util');
const { startLocalStack } = await import('../local/runner/stack.js');
const { CUSTOMER_ACCOUNT_ID } = await import('../local/sandbox/index.js');
const { productWorld } = await import('../local/runner/product-world.js');
const { apiCaller, followAll, mib, rssSampler, setUpTenant, submitAll } = await import(
  '../test/support/load-clusters.js'
);

const { values: args } = parseArgs({
  options: {
    count: { type: 'string', default: '200' },
    'time-scale': { type: 'string' },
    'timeout-s': { type: 'string', default: '900' },
  },
});
const count = Number(args.count);
const timeoutMs = Number(args['timeout-s']) * 1000;
const rss = rssSampler();

process.env['POWERTOOLS_LOG_LEVEL'] = 'SILENT';
const quiet = () => undefined;
const world = productWorld();
for (const a of world.accounts) if (a.id === CUSTOMER_ACCOUNT_ID) a.quotas.clustersPerRegion = count + 10;
const stack = await startLocalStack({
  sandboxPort: 0,
  apiPort: 0,
  world,
  log: quiet,
  apiLog: { info: quiet, error: quiet },
  validateDefinition: false,
  ...(args['time-scale'] ? { timeScale: Number(args['time-scale']) } : {}),
});
const sandbox = stack.sandbox!;
const limiter = sandbox.rateLimits;
const customerCalls = () =>
  Object.values(limiter?.snapshot().calls ?? {}).reduce((n, byAccount) => n + (byAccount[CUSTOMER_ACCOUNT_ID] ?? 0), 0);
const customerThrottled = () => {
  const out: Record<string, number> = {};
  for (const [svc, byAccount] of Object.entries(limiter?.snapshot().throttled ?? {}))
    if (byAccount[CUSTOMER_ACCOUNT_ID]) out[svc] = byAccount[CUSTOMER_ACCOUNT_ID]!;
  return out;
};

/** Calls (or throttled calls) by `service:Operation` in the customer account. */
const byOperation = (which: 'callsByOperation' | 'throttledByOperation') => {
  const out = new Map<string, number>();
  for (const [op, byAccount] of Object.entries(limiter?.snapshot()[which] ?? {}))
    if (byAccount[CUSTOMER_ACCOUNT_ID]) out.set(op, byAccount[CUSTOMER_ACCOUNT_ID]!);
  return out;
};
const diff = (after: Map<string, number>, before: Map<string, number>) =>
  new Map([...after].map(([k, v]) => [k, v - (before.get(k) ?? 0)] as const).filter(([, v]) => v > 0));

const tenant = `one-account-${Date.now().toString(36)}`;
const call = apiCaller(stack.apiUrl!, tenant);
const roleArn = await setUpTenant(call, stack.awsEndpoint!, `eks-provisioner-${tenant}`);

// A lone cluster first: the calls one cluster makes in the account when nothing else runs.
const beforeLone = customerCalls();
const loneOpsBefore = byOperation('callsByOperation');
const lone = await submitAll(call, roleArn, ['lone']);
const loneFinal = await followAll(call, lone.ids.values(), 120_000, 200);
const loneCalls = customerCalls() - beforeLone;
const loneOps = diff(byOperation('callsByOperation'), loneOpsBefore);
if (loneFinal.get(lone.ids.get('lone')!)?.status !== 'CREATED')
  throw new Error(`the lone cluster did not reach CREATED: ${JSON.stringify([...loneFinal.values()])}`);

const beforeMany = customerCalls();
const throttledBefore = customerThrottled();
const manyOpsBefore = byOperation('callsByOperation');
const throttledOpsBefore = byOperation('throttledByOperation');
const t0 = Date.now();
const names = Array.from({ length: count }, (_, i) => `busy-${String(i + 1).padStart(3, '0')}`);
const { ids, refused } = await submitAll(call, roleArn, names);
const submitMs = Date.now() - t0;
const final = await followAll(call, ids.values(), timeoutMs);
const wallMs = Date.now() - t0;
const manyCalls = customerCalls() - beforeMany;
const manyOps = diff(byOperation('callsByOperation'), manyOpsBefore);
const throttledOps = diff(byOperation('throttledByOperation'), throttledOpsBefore);
const throttledAfter = customerThrottled();
const throttled: Record<string, number> = {};
for (const [svc, n] of Object.entries(throttledAfter))
  if (n - (throttledBefore[svc] ?? 0) > 0) throttled[svc] = n - (throttledBefore[svc] ?? 0);
const throttledTotal = Object.values(throttled).reduce((a, b) => a + b, 0);
const peak = rss.stop();

const created = [...final.values()].filter((f) => f.status === 'CREATED').length;
const failures = new Map<string, number>();
for (const f of final.values())
  if (f.status !== 'CREATED')
    failures.set(`${f.code ?? f.status}${f.cause ? `/${f.cause}` : ''}`, (failures.get(f.code ?? f.status) ?? 0) + 1);
const throttlingDiagnoses = [...final.values()].filter((f) => /THROTTL/i.test(`${f.code} ${f.cause ?? ''}`)).length;
const perCluster = manyCalls / Math.max(1, ids.size);
const ratio = perCluster / loneCalls;
// Throttling must not multiply calls (retries, re-polls): at most 10 % above a lone cluster's. Fewer is
// no defect: polls are paced by wall time, so a loaded machine polls a little less per cluster.
const met = created === count && throttlingDiagnoses === 0 && ratio <= 1.1;

const rows: Array<[string, string]> = [
  [
    'clusters at once',
    `${count} in account ${CUSTOMER_ACCOUNT_ID} (${ids.size} accepted in ${(submitMs / 1000).toFixed(1)} s${refused.length ? `; ${refused.length} refused, first: ${refused[0]!.status} ${JSON.stringify(refused[0]!.body).slice(0, 200)}` : ''})`,
  ],
  [
    'reached CREATED',
    `${created}/${count}${failures.size ? `  (others: ${[...failures].map(([k, v]) => `${k}×${v}`).join(', ')})` : ''}${final.size < ids.size ? `  (${ids.size - final.size} still CREATING at the timeout)` : ''}`,
  ],
  ['diagnoses from throttling', String(throttlingDiagnoses)],
  [
    'throttled AWS calls',
    `${throttledTotal}${
      throttledTotal
        ? ` (${Object.entries(throttled)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')})`
        : ''
    }`,
  ],
  ['AWS calls per cluster', `${perCluster.toFixed(1)} (lone cluster: ${loneCalls}; ratio ${ratio.toFixed(2)})`],
  [
    'wall time',
    `${(wallMs / 1000).toFixed(1)} s (first submit → last cluster finished), time scale ×${stack.timeScale}`,
  ],
  ['peak RSS', `${mib(peak)} (whole stack, one process)`],
];
const w = Math.max(...rows.map(([k]) => k.length));
console.log(`| ${'measure'.padEnd(w)} | value |\n| ${'-'.repeat(w)} | ----- |`);
for (const [k, v] of rows) console.log(`| ${k.padEnd(w)} | ${v} |`);
console.log(
  `goal (${count}/${count} CREATED, 0 throttling diagnoses, calls/cluster ≤ 1.1 × a lone cluster's): ${met ? 'MET' : 'NOT MET'}`,
);
// Where calls per cluster differ from the lone cluster's, and which calls were throttled.
const opRows = [...new Set([...loneOps.keys(), ...manyOps.keys()])]
  .map((op) => ({
    op,
    lone: loneOps.get(op) ?? 0,
    many: (manyOps.get(op) ?? 0) / Math.max(1, ids.size),
    throttled: throttledOps.get(op) ?? 0,
  }))
  .filter((r) => Math.abs(r.many - r.lone) >= 0.05 || r.throttled > 0)
  .sort((a, b) => Math.abs(b.many - b.lone) - Math.abs(a.many - a.lone));
if (opRows.length) {
  console.log(
    '| operation | calls per cluster (lone) | throttled |\n| --------- | ------------------------ | --------- |',
  );
  for (const r of opRows) console.log(`| ${r.op} | ${r.many.toFixed(2)} (${r.lone}) | ${r.throttled} |`);
}
const firstFailure = [...final.values()].find((f) => f.status !== 'CREATED');
if (firstFailure)
  console.log(`first failure: ${firstFailure.code} ${firstFailure.cause ?? ''} ${firstFailure.message ?? ''}`);
console.log(
  JSON.stringify({
    count,
    accepted: ids.size,
    created,
    throttlingDiagnoses,
    throttled,
    loneCalls,
    perCluster,
    wallMs,
    peakRssBytes: peak,
    timeScale: stack.timeScale,
  }),
);
await stack.stop();
process.exit(met ? 0 : 1);

export {};
