/**
 * Benchmark (not a test): load on the HTTP API of the local stack (autocannon). 100 console users each
 * poll GET /v1/clusters/{id} every 2 s (50 requests/s in all) while 10 clusters/s are submitted with
 * POST /v1/clusters, for 60 s; the provisioning those submissions start runs in the same process.
 *
 *   npx tsx bench/api-load.ts [--users 100] [--submit-rate 10] [--duration 60]
 *
 * Goal: 0 errors (every GET 200, every POST 202, no timeouts or socket errors); p50/p99 per route.
 */
await import('../local/quiet-sdk.js');
await import('../local/polyfills.js');
const { parseArgs } = await import('node:util');
const os = await import('node:os');
const { default: autocannon } = await import('autocannon');
const { startLocalStack } = await import('../local/runner/stack.js');
const { CUSTOMER_ACCOUNT_ID } = await import('../local/sandbox/index.js');
const { productWorld } = await import('../local/runner/product-world.js');
const { apiCaller, followAll, mib, rssSampler, sampleSettings, setUpTenant, submitAll } = await import(
  '../test/support/load-clusters.js'
);

const { values: args } = parseArgs({
  options: {
    users: { type: 'string', default: '100' },
    'submit-rate': { type: 'string', default: '10' },
    duration: { type: 'string', default: '60' },
  },
});
const users = Number(args.users);
const submitRate = Number(args['submit-rate']);
const duration = Number(args.duration);
const rss = rssSampler();

process.env['POWERTOOLS_LOG_LEVEL'] = 'SILENT';
const quiet = () => undefined;
// Every submission creates a cluster in the one customer account: raise its EKS cluster quota (AWS
// default 100 per region) so the load test is not a quota test.
const world = productWorld();
for (const a of world.accounts)
  if (a.id === CUSTOMER_ACCOUNT_ID) a.quotas.clustersPerRegion = submitRate * duration + 100;
const stack = await startLocalStack({
  sandboxPort: 0,
  apiPort: 0,
  world,
  log: quiet,
  apiLog: { info: quiet, error: quiet },
  validateDefinition: false,
});
const tenant = 'api-load';
const call = apiCaller(stack.apiUrl!, tenant);
const roleArn = await setUpTenant(call, stack.awsEndpoint!, 'eks-provisioner-api-load');

// The clusters the console users look at (five users per cluster).
const watched = await submitAll(
  call,
  roleArn,
  Array.from({ length: Math.max(1, Math.ceil(users / 5)) }, (_, i) => `watched-${i + 1}`),
);
if (watched.refused.length)
  throw new Error(`could not create the watched clusters: ${JSON.stringify(watched.refused[0])}`);
const watchedIds = [...watched.ids.values()];

const sample = sampleSettings();
let n = 0;
const headers = { 'content-type': 'application/json', 'x-tenant-id': tenant };
const [polls, submits] = await Promise.all([
  autocannon({
    url: stack.apiUrl!,
    connections: users,
    overallRate: users / 2,
    duration,
    timeout: 10,
    requests: [
      {
        method: 'GET',
        headers,
        setupRequest: (req) => ({
          ...req,
          path: `/v1/clusters/${watchedIds[Math.floor(Math.random() * watchedIds.length)]}`,
        }),
      },
    ],
  }),
  autocannon({
    url: stack.apiUrl!,
    connections: submitRate,
    overallRate: submitRate,
    duration,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: '/v1/clusters',
        headers,
        setupRequest: (req) => ({
          ...req,
          body: JSON.stringify({ ...sample, name: `load-${++n}`, provisionRoleArn: roleArn }),
        }),
      },
    ],
  }),
]);
const peak = rss.stop();

const statuses = (r: typeof polls) =>
  Object.entries(r.statusCodeStats)
    .map(([code, s]) => `${code}×${s.count}`)
    .join(' ');
const errorsOf = (r: typeof polls) => r.errors + r.timeouts + r.non2xx;
const rows = [
  ['GET /v1/clusters/{id}', polls],
  ['POST /v1/clusters', submits],
] as const;
console.log(
  `Node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(1)}; ${users} users polling every 2 s + ${submitRate} submissions/s for ${duration} s; stack in this process (sandbox time ×${stack.timeScale}); peak RSS ${mib(peak)}`,
);
console.log(
  '| route | requests | rate/s | p50 ms | p99 ms | max ms | errors (non-2xx + timeouts + socket) | status codes |',
);
console.log(
  '| ----- | -------- | ------ | ------ | ------ | ------ | ------------------------------------ | ------------ |',
);
for (const [route, r] of rows) {
  console.log(
    `| ${route} | ${r.requests.total} | ${r.requests.average.toFixed(1)} | ${r.latency.p50} | ${r.latency.p99} | ${r.latency.max} | ${errorsOf(r)} | ${statuses(r)} |`,
  );
}
const errors = errorsOf(polls) + errorsOf(submits);
console.log(`goal (0 errors): ${errors === 0 ? 'MET' : `NOT MET (${errors} errors)`}`);
// Let the submitted clusters finish before stopping, so the next run starts on a quiet machine.
await followAll(call, [...watchedIds], 5_000).catch(() => undefined);
await stack.stop();
process.exit(errors === 0 ? 0 : 1);

export {};
