/**
 * Vendors the botocore service models the sandbox serialises from and validates requests against, trimmed
 * to the operations it serves and stripped of documentation (keeps the repo small; runtime never needs
 * Python or botocore). Constraint traits (`required`, `min`, `max`, `pattern`, `enum`) are kept: every
 * request is checked against them (`protocol/validate.ts`).
 *
 *   npx tsx local/sandbox/models/trim.ts <botocore data dir>
 *   # data dir: $(python3 -c "import botocore,os;print(os.path.dirname(botocore.__file__))")/data
 *
 * Re-run after adding an operation to OPERATIONS below.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

export const OPERATIONS: Record<string, string[]> = {
  sts: ['AssumeRole', 'GetCallerIdentity'],
  iam: [
    'CreateRole',
    'GetRole',
    'ListRoles',
    'DeleteRole',
    'PutRolePolicy',
    'AttachRolePolicy',
    'DetachRolePolicy',
    'ListAttachedRolePolicies',
    'ListRolePolicies',
    'GetRolePolicy',
    'DeleteRolePolicy',
    'CreateServiceLinkedRole',
    'GetPolicy',
    'TagRole',
    'UntagRole',
    'ListRoleTags',
    'UpdateAssumeRolePolicy',
    'GetUser',
    'ListUsers',
  ],
  ec2: [
    'DescribeRegions',
    'DescribeAvailabilityZones',
    'DescribeVpcs',
    'DescribeSubnets',
    'DescribeSecurityGroups',
    'DescribeKeyPairs',
    'DescribeInstanceTypes',
    'DescribeInstanceTypeOfferings',
  ],
  cloudformation: [
    'CreateStack',
    'UpdateStack',
    'DeleteStack',
    'DescribeStacks',
    'DescribeStackEvents',
    'DescribeStackResources',
    'DescribeStackResource',
    'ListStackResources',
    'ListStacks',
    'GetTemplate',
    'ValidateTemplate',
    'GetTemplateSummary',
    'CreateChangeSet',
    'DescribeChangeSet',
    'ListChangeSets',
    'ExecuteChangeSet',
    'DeleteChangeSet',
    'ContinueUpdateRollback',
  ],
  eks: [
    'DescribeCluster',
    'ListClusters',
    'DescribeNodegroup',
    'ListNodegroups',
    'DescribeAddon',
    'ListAddons',
    'DescribeClusterVersions',
    'ListAccessEntries',
    'DescribeAccessEntry',
    'ListPodIdentityAssociations',
    'DescribePodIdentityAssociation',
    'UpdateClusterVersion',
    'UpdateClusterConfig',
    'DescribeUpdate',
    'ListUpdates',
    'UpdateNodegroupVersion',
    'UpdateNodegroupConfig',
    'DescribeAddonVersions',
    'UpdateAddon',
    'ListInsights',
    'DescribeInsight',
  ],
  // JSON protocols: the sandbox decodes their bodies without a model; these are for request validation.
  events: ['PutEvents', 'CreateEventBus', 'DescribeEventBus', 'ListEventBuses', 'DeleteEventBus'],
  stepfunctions: [
    'StartExecution',
    'DescribeExecution',
    'GetExecutionHistory',
    'ListExecutions',
    'StopExecution',
    'ListStateMachines',
    'DescribeStateMachine',
    'DescribeStateMachineForExecution',
  ],
};

// biome-ignore lint/suspicious/noExplicitAny: botocore's service-model JSON, walked by key
type Json = Record<string, any>;

function loadModel(dataDir: string, service: string): Json {
  const dir = join(dataDir, service);
  const version = readdirSync(dir)
    .filter((v) => /^\d{4}-\d{2}-\d{2}$/.test(v))
    .sort()
    .pop()!;
  const base = join(dir, version, 'service-2.json');
  const raw = existsSync(base) ? readFileSync(base) : gunzipSync(readFileSync(`${base}.gz`));
  return JSON.parse(raw.toString('utf8')) as Json;
}

function strip(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strip);
  if (node && typeof node === 'object') {
    const out: Json = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === 'documentation' || k === 'documentationUrl' || k === 'examples' || k === 'deprecatedMessage') continue;
      out[k] = strip(v);
    }
    return out;
  }
  return node;
}

function trim(model: Json, ops: string[]): Json {
  const shapes: Json = {};
  const visit = (name: string | undefined) => {
    if (!name || shapes[name]) return;
    const shape = model.shapes[name];
    shapes[name] = strip(shape);
    for (const m of Object.values<Json>(shape.members ?? {})) visit(m.shape);
    visit(shape.member?.shape);
    visit(shape.key?.shape);
    visit(shape.value?.shape);
  };
  const operations: Json = {};
  for (const op of ops) {
    const o = model.operations[op];
    if (!o) throw new Error(`operation ${op} not in model ${model.metadata.serviceId}`);
    operations[op] = strip(o);
    visit(o.input?.shape);
    visit(o.output?.shape);
    for (const e of o.errors ?? []) visit(e.shape);
  }
  return { version: model.version, metadata: model.metadata, operations, shapes };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dataDir = process.argv[2];
  if (!dataDir) throw new Error('usage: tsx local/sandbox/models/trim.ts <botocore data dir>');
  const here = dirname(fileURLToPath(import.meta.url));
  for (const [service, ops] of Object.entries(OPERATIONS)) {
    const out = trim(loadModel(dataDir, service), ops);
    writeFileSync(join(here, `${service}.json`), JSON.stringify(out));
    console.log(`${service}: ${ops.length} operations, ${Object.keys(out.shapes).length} shapes`);
  }
}
