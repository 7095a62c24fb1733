/**
 * Benchmark (not a test): the fault matrix. For each fault, a fresh local stack (sandbox faults on), N
 * clusters (default 10) submitted at once and followed to the end; then, per row: ended in the right
 * terminal state, stuck CREATING, duplicate stacks per cluster, duplicate or missing completion events,
 * secrets (every secret key and session token the sandbox issued or holds) found in records, events,
 * execution histories or logs, and wall time.
 *
 *   npx tsx bench/fault-matrix.ts [--count 10] [--only throttle,5xx] [--timeout-s 300]
 *
 * Goal per row: 100 % right, 0 stuck, 0 duplicates, 0 secrets.
 */
await import('../local/quiet-sdk.js');
await import('../local/polyfills.js');
const { parseArgs } = await import('node:util');
const { startLocalStack } = await import('../local/runner/stack.js');
const { apiCaller, sampleSettings, setUpTenant } = await import('../test/support/load-clusters.js');
type FaultRule = import('../local/sandbox/index.js').FaultRule;

const { spawnSync } = await import('node:child_process');
const { fileURLToPath } = await import('node:url');
const { selectOnly } = await import('./lib/only.js');
const { values: args } = parseArgs({
  options: {
    count: { type: 'string', default: '10' },
    only: { type: 'string' },
    'timeout-s': { type: 'string', default: '300' },
    row: { type: 'string' },
  },
});
const count = Number(args.count);
const timeoutMs = Number(args['timeout-s']) * 1000;

interface Row {
  key: string;
  fault: string;
  faults: FaultRule[];
  flags?: Record<string, unknown>;
  /** The right end: CREATED, or FAILED with this diagnosis code. */
  expect: { status: 'CREATED' } | { status: 'FAILED'; code: string };
}

const PRODUCT_SERVICES = ['sts', 'iam', 'ec2', 'cloudformation', 'eks', 'events', 'states', 'dynamodb'];
const ROWS: Row[] = [
  {
    key: 'throttle',
    fault: '30 % throttling, every AWS service the product calls',
    faults: PRODUCT_SERVICES.map((service) => ({ service, throttleRate: 0.3 })),
    expect: { status: 'CREATED' },
  },
  {
    key: '5xx',
    fault: '10 % 5xx, every service',
    faults: PRODUCT_SERVICES.map((service) => ({ service, errorRate: 0.1 })),
    expect: { status: 'CREATED' },
  },
  {
    key: 'expiry',
    fault: '20 % of STS session calls: token expired early',
    faults: [{ expireTokensRate: 0.2 }],
    expect: { status: 'CREATED' },
  },
  {
    key: 'latency',
    fault: '500 ms latency on every call',
    faults: [{ latencyMs: 500 }],
    expect: { status: 'CREATED' },
  },
  {
    key: 'ddb-events',
    fault: '30 % throttling of DynamoDB and EventBridge (state machine integrations)',
    faults: [
      { service: 'dynamodb', throttleRate: 0.3 },
      { service: 'events', throttleRate: 0.3 },
    ],
    expect: { status: 'CREATED' },
  },
  {
    key: 'nodes',
    fault: 'node group fails to join',
    faults: [],
    flags: { nodesFailToJoin: true },
    expect: { status: 'FAILED', code: 'NODE_CREATION_FAILURE' },
  },
];

interface Result {
  row: Row;
  right: number;
  stuck: number;
  dupStacks: number;
  eventProblems: number;
  secrets: string[];
  wallMs: number;
  wrong: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function runRow(row: Row): Promise<Result> {
  // Logs: everything the stack writes (handler JSON logs on stdout, component and API logs) is kept for
  // the secrets scan instead of being printed.
  const logs: string[] = [];
  const realWrite = process.stdout.write.bind(process.stdout);
  process.env['POWERTOOLS_LOG_LEVEL'] = 'INFO';
  const realErr = process.stderr.write.bind(process.stderr);
  const capture = (chunk: unknown, ...rest: unknown[]) => {
    logs.push(String(chunk));
    const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    cb?.();
    return true;
  };
  (process.stdout as { write: unknown }).write = capture;
  (process.stderr as { write: unknown }).write = capture;
  const print = (s: string) => realWrite(`${s}\n`);
  const log = (line: string) => logs.push(line);
  const stack = await startLocalStack({
    sandboxPort: 0,
    apiPort: 0,
    log,
    apiLog: {
      info: (m, a) => logs.push(`${m} ${JSON.stringify(a ?? {})}`),
      error: (m, a) => logs.push(`${m} ${JSON.stringify(a ?? {})}`),
    },
    validateDefinition: false,
  });
  try {
    const tenant = `matrix-${row.key}`;
    const call = apiCaller(stack.apiUrl!, tenant);
    const sandboxUrl = stack.awsEndpoint!;
    const roleArn = await setUpTenant(call, sandboxUrl, `eks-provisioner-${row.key}`);
    // Faults from here on: the set-up is the customer's, not the product's run.
    const put = await fetch(`${sandboxUrl}/_sandbox/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(row.faults),
    });
    if (!put.ok) throw new Error(`PUT /_sandbox/faults → ${put.status} ${await put.text()}`);
    if (row.flags)
      await fetch(`${sandboxUrl}/_sandbox/flags`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(row.flags),
      });

    const t0 = Date.now();
    const sample = sampleSettings();
    const names = Array.from({ length: count }, (_, i) => `${row.key}-${i + 1}`);
    // A client resubmits a 429/503 with the same Idempotency-Key (the API's advice): one cluster each.
    const ids = await Promise.all(
      names.map(async (name) => {
        for (let attempt = 1; ; attempt++) {
          const r = await fetch(`${stack.apiUrl}/v1/clusters`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-tenant-id': tenant, 'idempotency-key': `submit-${name}` },
            body: JSON.stringify({ ...sample, name, provisionRoleArn: roleArn }),
          });
          const body = (await r.json()) as { id?: string };
          if (r.status === 202 && body.id) return body.id;
          if (attempt >= 20 || (r.status !== 429 && r.status !== 503))
            throw new Error(`submit ${name} → ${r.status} ${JSON.stringify(body)}`);
          await sleep(200 * attempt);
        }
      }),
    );
    // Follow each record (GET may itself meet throttled DynamoDB: a 503 is asked again).
    const records = new Map<string, any>();
    while (records.size < ids.length && Date.now() - t0 < timeoutMs) {
      await sleep(500);
      for (const id of ids) {
        if (records.has(id)) continue;
        const r = await call('GET', `/v1/clusters/${id}`);
        if (r.status === 200 && r.body.status !== 'CREATING') records.set(id, r.body);
      }
    }
    const wallMs = Date.now() - t0;
    await fetch(`${sandboxUrl}/_sandbox/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '[]',
    });
    await sleep(1000); // the completion event follows the record by one state (and its retries)

    // Final reads without faults: records, events, world, histories.
    const finalRecords: any[] = [];
    for (const id of ids) finalRecords.push((await call('GET', `/v1/clusters/${id}`)).body);
    const eventsText = await (await fetch(`${sandboxUrl}/_sandbox/events?source=eks-provisioner`)).text();
    const events = (JSON.parse(eventsText) as { events: Array<{ detailType: string; detail: { clusterId?: string } }> })
      .events;
    const world = stack.sandbox!.world.data;
    const histories: string[] = [];
    const runner = stack.runner;
    const list = runner.listExecutions({ stateMachineArn: runner.stateMachineArn, maxResults: 1000 }) as {
      executions: Array<{ executionArn: string }>;
    };
    for (const e of list.executions)
      histories.push(JSON.stringify(runner.getExecutionHistory({ executionArn: e.executionArn, maxResults: 100_000 })));

    const wrong: string[] = [];
    let right = 0;
    let stuck = 0;
    for (const r of finalRecords) {
      if (r.status === 'CREATING') stuck++;
      const ok =
        r.status === row.expect.status &&
        (row.expect.status === 'CREATED' || r.diagnosis?.code === (row.expect as { code: string }).code);
      if (ok) right++;
      else {
        // Where it went wrong: the failed steps of its execution (error names), for whoever fixes it.
        let steps = '';
        try {
          const h = runner.getExecutionHistory({ executionArn: r.executionArn, maxResults: 100_000 }) as {
            events: Array<Record<string, any>>;
          };
          steps = h.events
            .map(
              (e) =>
                Object.entries(e).find(([k]) => /FailedEventDetails$|TimedOutEventDetails$/.test(k))?.[1] as
                  | { error?: string; cause?: string }
                  | undefined,
            )
            .filter((d): d is { error?: string; cause?: string } => !!d)
            .map((d) => `${d.error}: ${String(d.cause ?? '').slice(0, 160)}`)
            .join(' | ');
        } catch {
          /* no history */
        }
        wrong.push(
          `${r.name}: ${r.status}${r.diagnosis ? ` ${r.diagnosis.code}${r.diagnosis.cause?.code ? `/${r.diagnosis.cause.code}` : ''} "${String(r.diagnosis.message ?? '').slice(0, 300)}"` : ''}${steps ? ` [failed steps: ${steps}]` : ''}`,
        );
      }
    }
    const stacks = (world.services['cloudformation'] as { stacks?: Array<{ stackName: string }> })?.stacks ?? [];
    const dupStacks = names.filter(
      (n) => stacks.filter((s) => s.stackName === `eks-provisioner-${n}`).length > 1,
    ).length;
    let eventProblems = 0;
    for (const id of ids) {
      const mine = events.filter((e) => e.detail?.clusterId === id);
      const completions = mine.filter((e) => /(Succeeded|Failed)$/.test(e.detailType)).length;
      const started = mine.filter((e) => /Started$/.test(e.detailType)).length;
      if (completions !== 1 || started > 1) eventProblems++;
    }
    // Every secret the AWS side holds: user secret keys, session secret keys and tokens.
    const secretValues = [
      ...world.users.flatMap((u) => u.accessKeys.map((k) => k.secretAccessKey)),
      ...world.stsSessions.flatMap((s) => [s.secretAccessKey, s.sessionToken]),
    ].filter((s) => s && s.length >= 16);
    const haystacks: Array<[string, string]> = [
      ['records', JSON.stringify(finalRecords)],
      ['events', eventsText],
      ['history', histories.join('\n')],
      ['logs', logs.join('\n')],
    ];
    const secrets = haystacks.filter(([, text]) => secretValues.some((s) => text.includes(s))).map(([where]) => where);
    print(
      `  ${row.key}: ${right}/${ids.length} right${wrong.length ? ` (${wrong.slice(0, 3).join('; ')}${wrong.length > 3 ? '…' : ''})` : ''}`,
    );
    return { row, right, stuck, dupStacks, eventProblems, secrets, wallMs, wrong };
  } finally {
    await stack.stop();
    (process.stdout as { write: unknown }).write = realWrite;
    (process.stderr as { write: unknown }).write = realErr;
  }
}

// One process per row: handlers keep their SDK clients (and endpoint) for the life of the process, as
// in Lambda, so each stack gets a fresh process.
if (args.row) {
  const row = ROWS.find((r) => r.key === args.row);
  if (!row) throw new Error(`--row ${args.row}: no such row (${ROWS.map((r) => r.key).join(', ')})`);
  const result = await runRow(row);
  process.stdout.write(`RESULT ${JSON.stringify({ ...result, row: row.key })}\n`);
  process.exit(0);
}
const only = args.only ? new Set(args.only.split(',')) : undefined;
const results: Result[] = [];
for (const row of selectOnly(ROWS, (r) => r.key, only)) {
  process.stderr.write(`running ${row.key}…\n`);
  const child = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(import.meta.url),
      '--row',
      row.key,
      '--count',
      String(count),
      '--timeout-s',
      String(timeoutMs / 1000),
    ],
    {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      env: { ...process.env },
    },
  );
  const line = child.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) {
    process.stderr.write(`row ${row.key} produced no result (exit ${child.status}): ${child.stderr.slice(-2000)}\n`);
    results.push({
      row,
      right: 0,
      stuck: count,
      dupStacks: 0,
      eventProblems: 0,
      secrets: [],
      wallMs: 0,
      wrong: [`run failed: ${child.stderr.slice(-300)}`],
    });
    continue;
  }
  const r = JSON.parse(line.slice('RESULT '.length)) as Omit<Result, 'row'>;
  results.push({ ...r, row });
}

const header = [
  'fault',
  'right terminal state',
  'stuck CREATING',
  'dup stacks',
  'dup/missing completion events',
  'secrets found',
  'wall time',
];
const table = results.map((r) => [
  r.row.fault,
  `${r.right}/${count} (${((100 * r.right) / count).toFixed(0)} %, expected ${r.row.expect.status}${'code' in r.row.expect ? ` ${r.row.expect.code}` : ''})`,
  String(r.stuck),
  String(r.dupStacks),
  String(r.eventProblems),
  r.secrets.length ? r.secrets.join(', ') : '0',
  `${(r.wallMs / 1000).toFixed(1)} s`,
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
console.log(line(header));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const row of table) console.log(line(row));
const met = results.every(
  (r) => r.right === count && r.stuck === 0 && r.dupStacks === 0 && r.eventProblems === 0 && r.secrets.length === 0,
);
const short = results
  .filter(
    (r) =>
      !(r.right === count && r.stuck === 0 && r.dupStacks === 0 && r.eventProblems === 0 && r.secrets.length === 0),
  )
  .map((r) => r.row.key);
console.log(
  `goal (every row 100 % right, 0 stuck, 0 duplicates, 0 secrets): ${met ? 'MET' : `NOT MET (${short.join(', ')})`}`,
);
for (const r of results) if (r.wrong.length) console.log(`  ${r.row.key} wrong: ${r.wrong.join('; ')}`);
process.exit(met ? 0 : 1);

export {};
