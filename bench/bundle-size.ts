/**
 * Bundle benchmark (not a test): per Lambda function, the minified bundle size as deployed
 * (same esbuild options as the CDK stack, infra/bundling.ts) and the cold import time of that
 * bundle against a bundle that only constructs the same AWS SDK clients, measured side by side
 * (interleaved, fresh Node process per import) in one run.
 *
 *   npx tsx bench/bundle-size.ts [--runs 7] [--only api,poll-cluster-stack] [--json]
 *
 * Goals: bundle ≤ 1 MiB; import(handler) / import(SDK clients only) ≤ 1.2, compared on the CPU time
 * the import takes (wall time is printed too, but on a shared machine it mostly measures the queue).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { BUNDLE_SIZE_LIMIT_BYTES, esbuildOptions } from '../infra/bundling.js';
import { FUNCTIONS, type FunctionName, functionEntry } from '../infra/functions.js';
import { selectOnly } from './lib/only.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SIZE_GOAL = BUNDLE_SIZE_LIMIT_BYTES;
const RATIO_GOAL = 1.2;

/** SDK packages → what constructing "the same client" means for the baseline bundle. */
const SDK_CONSTRUCTORS: Record<string, { imports: string; construct: string }> = {
  'client-cloudformation': {
    imports: "import { CloudFormationClient } from '@aws-sdk/client-cloudformation';",
    construct: 'new CloudFormationClient(cfg)',
  },
  'client-ec2': { imports: "import { EC2Client } from '@aws-sdk/client-ec2';", construct: 'new EC2Client(cfg)' },
  'client-eks': { imports: "import { EKSClient } from '@aws-sdk/client-eks';", construct: 'new EKSClient(cfg)' },
  'client-iam': { imports: "import { IAMClient } from '@aws-sdk/client-iam';", construct: 'new IAMClient(cfg)' },
  'client-sts': { imports: "import { STSClient } from '@aws-sdk/client-sts';", construct: 'new STSClient(cfg)' },
  'client-sfn': { imports: "import { SFNClient } from '@aws-sdk/client-sfn';", construct: 'new SFNClient(cfg)' },
  'client-eventbridge': {
    imports: "import { EventBridgeClient } from '@aws-sdk/client-eventbridge';",
    construct: 'new EventBridgeClient(cfg)',
  },
  'client-dynamodb': {
    imports: "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
    construct: 'new DynamoDBClient(cfg)',
  },
  'lib-dynamodb': {
    imports: "import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';",
    construct: 'DynamoDBDocumentClient.from(new DynamoDBClient(cfg))',
  },
};

interface Args {
  runs: number;
  only?: Set<string>;
  json: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { runs: 7, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--runs') args.runs = Math.max(1, Number(argv[++i]) || 7);
    else if (a === '--only') args.only = new Set(String(argv[++i]).split(','));
    else if (a === '--json') args.json = true;
    else throw new Error(`Unknown argument ${a}: use --runs N, --only a,b, --json.`);
  }
  return args;
}

/** The env a function sees in Lambda (values are placeholders; nothing is called at import). */
const CHILD_ENV = {
  PATH: process.env.PATH ?? '',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1',
  TABLE_NAME: 'eks-provisioner',
  EVENT_BUS_NAME: 'eks-provisioner',
  STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:111111111111:stateMachine:eks-provisioner-provision-cluster',
  POWERTOOLS_SERVICE_NAME: 'eks-provisioner',
};

interface ImportCost {
  /** Wall-clock milliseconds of `await import(file)`. */
  wall: number;
  /** CPU milliseconds (user + system) the process spent in it: steadier than wall time on a busy machine. */
  cpu: number;
}

/** One `await import(file)` in a fresh Node process (source maps on, as in Lambda). */
function coldImport(file: string, cwd: string): ImportCost {
  const script = [
    'const c = process.cpuUsage(); const t = performance.now();',
    `await import(${JSON.stringify(file)});`,
    'const wall = performance.now() - t; const d = process.cpuUsage(c);',
    'process.stdout.write(JSON.stringify({ wall, cpu: (d.user + d.system) / 1000 }));',
  ].join(' ');
  const r = spawnSync(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], {
    cwd,
    env: CHILD_ENV,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`import of ${file} failed: ${r.stderr.slice(0, 2000)}`);
  return JSON.parse(r.stdout) as ImportCost;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

interface Row {
  name: FunctionName;
  bundleBytes: number;
  mapBytes: number;
  baselineBytes: number;
  sdk: string[];
  /** Medians over the runs. */
  handler: ImportCost;
  baseline: ImportCost;
  /** handler / baseline, CPU time. */
  ratio: number;
  /** handler / baseline, wall time. */
  wallRatio: number;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-provisioner-bench-'));
  const rows: Row[] = [];
  for (const spec of selectOnly(FUNCTIONS, (f) => f.name, args.only)) {
    const entry = path.join(ROOT, functionEntry(spec.name));
    if (!fs.existsSync(entry)) {
      // A function infra deploys without a handler is a broken build, not a row to leave out.
      throw new Error(`${spec.name}: ${functionEntry(spec.name)} does not exist, so it cannot be measured`);
    }
    const dir = path.join(work, spec.name);
    fs.mkdirSync(dir, { recursive: true });
    const handlerFile = path.join(dir, 'index.mjs');
    const built = await esbuild.build({ ...esbuildOptions(entry, handlerFile), metafile: true, absWorkingDir: ROOT });

    // The SDK clients the bundle really constructs: their client class module made it into the
    // output (a package can be present for its types or errors only).
    const output = Object.values(built.metafile!.outputs).find((o) => o.entryPoint)!;
    const sdk = [
      ...new Set(
        Object.entries(output.inputs)
          .filter(([, v]) => v.bytesInOutput > 0)
          .map(([file]) => /node_modules\/@aws-sdk\/([a-z0-9-]+)\/dist-[a-z]+\/[A-Za-z0-9]+Client\.js$/.exec(file)?.[1])
          .filter((p): p is string => !!p && p in SDK_CONSTRUCTORS),
      ),
    ].sort();
    if (sdk.includes('lib-dynamodb') && !sdk.includes('client-dynamodb')) sdk.push('client-dynamodb');
    const baselineSource = path.join(dir, 'baseline.ts');
    fs.writeFileSync(
      baselineSource,
      [
        ...sdk.map((p) => SDK_CONSTRUCTORS[p]!.imports),
        "const cfg = { region: process.env.AWS_REGION ?? 'us-east-1' };",
        `export const clients = [${sdk.map((p) => SDK_CONSTRUCTORS[p]!.construct).join(', ')}];`,
      ].join('\n'),
    );
    const baselineFile = path.join(dir, 'baseline.mjs');
    // Resolve the SDK from the project while the file lives in the temp folder.
    await esbuild.build({
      ...esbuildOptions(baselineSource, baselineFile),
      absWorkingDir: ROOT,
      nodePaths: [path.join(ROOT, 'node_modules')],
    });

    const handlerRuns: ImportCost[] = [];
    const baselineRuns: ImportCost[] = [];
    for (let i = 0; i < args.runs; i++) {
      // Interleaved, alternating order: machine load hits both sides alike.
      if (i % 2 === 0) {
        handlerRuns.push(coldImport(handlerFile, dir));
        baselineRuns.push(coldImport(baselineFile, dir));
      } else {
        baselineRuns.push(coldImport(baselineFile, dir));
        handlerRuns.push(coldImport(handlerFile, dir));
      }
    }
    const med = (runs: ImportCost[]): ImportCost => ({
      wall: median(runs.map((r) => r.wall)),
      cpu: median(runs.map((r) => r.cpu)),
    });
    const handler = med(handlerRuns);
    const baseline = med(baselineRuns);
    rows.push({
      name: spec.name,
      bundleBytes: fs.statSync(handlerFile).size,
      mapBytes: fs.statSync(`${handlerFile}.map`).size,
      baselineBytes: fs.statSync(baselineFile).size,
      sdk,
      handler,
      baseline,
      ratio: handler.cpu / baseline.cpu,
      wallRatio: handler.wall / baseline.wall,
    });
    if (!args.json) process.stderr.write(`measured ${spec.name}\n`);
  }
  fs.rmSync(work, { recursive: true, force: true });

  const over = rows.filter((r) => r.bundleBytes > SIZE_GOAL).map((r) => r.name);
  const slow = rows.filter((r) => r.ratio > RATIO_GOAL).map((r) => r.name);
  const met = over.length === 0 && slow.length === 0;
  // The exit code says whether the goal is met, with or without --json.
  if (!met) process.exitCode = 1;
  if (args.json) {
    console.log(
      JSON.stringify(
        { node: process.version, runs: args.runs, sizeGoalBytes: SIZE_GOAL, ratioGoal: RATIO_GOAL, rows },
        null,
        2,
      ),
    );
    return;
  }
  const kb = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
  const header = [
    'function',
    'bundle',
    'map',
    '≤1 MiB',
    'SDK-only bundle',
    'import CPU ms',
    'SDK-only CPU ms',
    'ratio',
    '≤1.2',
    'wall ms (SDK-only)',
    'wall ratio',
    'SDK clients',
  ];
  const table = rows.map((r) => [
    r.name,
    kb(r.bundleBytes),
    kb(r.mapBytes),
    r.bundleBytes <= SIZE_GOAL ? 'yes' : 'NO',
    kb(r.baselineBytes),
    r.handler.cpu.toFixed(0),
    r.baseline.cpu.toFixed(0),
    r.ratio.toFixed(2),
    r.ratio <= RATIO_GOAL ? 'yes' : 'NO',
    `${r.handler.wall.toFixed(0)} (${r.baseline.wall.toFixed(0)})`,
    r.wallRatio.toFixed(2),
    r.sdk.map((p) => p.replace(/^client-/, '')).join(' '),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(
    `Node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(1)}, median of ${args.runs} cold imports each (fresh process, --enable-source-maps); ratio = CPU time`,
  );
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of table) console.log(line(row));
  console.log(
    `goal (every bundle ≤ 1 MiB, import CPU ratio ≤ ${RATIO_GOAL}): ${met ? 'MET' : 'NOT MET'}` +
      (over.length ? `; over 1 MiB: ${over.join(', ')}` : '') +
      (slow.length ? `; ratio over ${RATIO_GOAL}: ${slow.join(', ')}` : ''),
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
