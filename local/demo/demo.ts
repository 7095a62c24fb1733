/**
 * The demo `npm start` runs: the seed's user journey, end to end, against the sandbox.
 *  1. read the service's Account ID, External ID and policies (GET /v1/setup)
 *  2. as the customer, create role B through the sandbox's IAM API with exactly those policies
 *  3. register it (POST /v1/roles — "Authenticate with AWS")
 *  4. load the form data through role B (/v1/aws/…)
 *  5. submit events/create-cluster.json (POST /v1/clusters) and follow it to the end
 *  6. show the completion event, the endpoint and where the kubeconfig went
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { ApiClient, type ClusterRecordView } from '../../cli/api-client.js';
import { diagnosisLines, elapsed, followCluster } from '../../cli/follow.js';
import { say, style } from '../../cli/terminal.js';
import type { SetupResponse } from '../../functions/api/setup/setup.js';
import { DEFAULT_WORLD } from '../runner/environment.js';

export const DEMO_ROLE_NAME = 'eks-provisioner-provision';
export const SAMPLE_CLUSTER_FILE = 'events/create-cluster.json';

export interface DemoOptions {
  apiUrl: string;
  sandboxUrl: string;
  /** Repository root (events/, .local/). */
  root: string;
  customer?: { accountId: string; accessKeyId: string; secretAccessKey: string };
  region?: string;
}

export interface DemoResult {
  record: ClusterRecordView;
  wallMs: number;
  kubeconfigPath?: string;
  /** The settings file to submit another cluster with (name changed). */
  nextClusterFile: string;
}

interface FormItem {
  id: string;
  name?: string;
  vpcId?: string;
  availabilityZone?: string;
  availabilityZoneId?: string;
  [k: string]: unknown;
}

/** Reads cluster settings from a sample file: plain settings, `{ cluster }` (state machine input) or an API Gateway event. */
export function settingsFromSample(doc: unknown): Record<string, unknown> {
  const o = (doc ?? {}) as Record<string, unknown>;
  if (typeof o['body'] === 'string') return settingsFromSample(JSON.parse(o['body']));
  if (o['cluster'] && typeof o['cluster'] === 'object') return { ...(o['cluster'] as Record<string, unknown>) };
  return { ...o };
}

const step = (n: number, text: string) => say(`${style.bold(`${n}.`)} ${text}`);
const detail = (text: string) => say(`   ${style.dim(text)}`);

/** EKS has no capacity in these AZ ids in the default world; only used when the sample file does not fit the world. */
const REJECTED_AZ_IDS = new Set(['use1-az3']);

export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const started = Date.now();
  const api = new ApiClient(o.apiUrl);
  const region = o.region ?? DEFAULT_WORLD.region;
  const customer = o.customer ?? DEFAULT_WORLD.customer;

  // 1. What the service tells a new customer.
  const setup = await api.get<SetupResponse>('/v1/setup');
  step(
    1,
    `Service set-up (GET /v1/setup): Account ID ${style.bold(setup.accountId)}, External ID ${style.bold(setup.externalId)}`,
  );

  // 2. The customer creates role B in their own account, with the policies as given.
  const iam = new IAMClient({
    region,
    endpoint: o.sandboxUrl,
    credentials: { accessKeyId: customer.accessKeyId, secretAccessKey: customer.secretAccessKey },
  });
  const trust = JSON.stringify(setup.provisionRoleTrustPolicy);
  let roleArn: string;
  try {
    const created = await iam.send(
      new CreateRoleCommand({
        RoleName: DEMO_ROLE_NAME,
        AssumeRolePolicyDocument: trust,
        Description: 'Lets eks-provisioner create EKS clusters in this account',
      }),
    );
    roleArn = created.Role?.Arn ?? `arn:aws:iam::${customer.accountId}:role/${DEMO_ROLE_NAME}`;
  } catch (e) {
    if ((e as Error).name !== 'EntityAlreadyExists') throw e;
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: DEMO_ROLE_NAME, PolicyDocument: trust }));
    roleArn = `arn:aws:iam::${customer.accountId}:role/${DEMO_ROLE_NAME}`;
  }
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: DEMO_ROLE_NAME,
      PolicyName: 'eks-provisioner-provision',
      PolicyDocument: JSON.stringify(setup.provisionRolePolicy),
    }),
  );
  iam.destroy();
  step(2, `As the customer (IAM user admin, account ${customer.accountId}): created role B ${roleArn}`);
  detail(
    'trust policy: the service account + External ID; permissions: the provision policy (iam:CreateRole, iam:PutRolePolicy)',
  );

  // 3. "Authenticate with AWS".
  const registered = await api.post<{ roleArn: string; region: string; accountId: string }>('/v1/roles', {
    roleArn,
    region,
  });
  step(
    3,
    `Registered role B (POST /v1/roles): the service assumed it in ${registered.body.region} (account ${registered.body.accountId})`,
  );

  // 4. Form data through role B, as the cluster form loads it.
  const q = (extra: Record<string, string> = {}) => `?${new URLSearchParams({ roleArn, region, ...extra }).toString()}`;
  const items = async (resource: string, extra?: Record<string, string>) =>
    (await api.get<{ items: FormItem[] }>(`/v1/aws/${resource}${q(extra)}`)).items;
  const sample = settingsFromSample(JSON.parse(await readFile(join(o.root, SAMPLE_CLUSTER_FILE), 'utf8')));
  const vpcs = await items('vpcs');
  const vpc = vpcs.find((v) => v.id === sample['vpcId']) ?? vpcs.find((v) => v.name === 'demo') ?? vpcs[0];
  if (!vpc) throw new Error(`Role B sees no VPC in ${region}; the demo needs one.`);
  const [regions, subnets, groups, keyPairs, versions, instanceTypes, roles] = await Promise.all([
    items('regions'),
    items('subnets', { vpcId: vpc.id }),
    items('security-groups', { vpcId: vpc.id }),
    items('key-pairs'),
    items('kubernetes-versions'),
    items('instance-types'),
    items('roles'),
  ]);
  step(
    4,
    `Form data through role B (GET /v1/aws/…): ${regions.length} regions; VPC ${vpc.id}${vpc.name ? ` (${vpc.name})` : ''}, ${subnets.length} subnets, ${groups.length} security group(s), key pairs [${keyPairs.map((k) => k.id).join(', ')}], ${instanceTypes.length} instance types, Kubernetes [${versions.map((v) => v.id).join(', ')}], ${roles.length} IAM roles`,
  );

  // 5. The settings: the sample file, checked against what the form offers.
  const settings: Record<string, unknown> = { ...sample, provisionRoleArn: roleArn, region, vpcId: vpc.id };
  const subnetIds = Array.isArray(sample['subnetIds']) ? (sample['subnetIds'] as string[]) : [];
  if (!subnetIds.length || !subnetIds.every((id) => subnets.some((s) => s.id === id))) {
    const usable = subnets.filter((s) => !REJECTED_AZ_IDS.has(String(s.availabilityZoneId)));
    const byAz = new Map<string, string>();
    for (const s of usable) if (!byAz.has(String(s.availabilityZone))) byAz.set(String(s.availabilityZone), s.id);
    settings['subnetIds'] = [...byAz.values()].slice(0, 3);
  }
  const sgIds = Array.isArray(sample['securityGroupIds']) ? (sample['securityGroupIds'] as string[]) : [];
  if (!sgIds.every((id) => groups.some((g) => g.id === id)) && groups[0]) settings['securityGroupIds'] = [groups[0].id];
  if (sample['keyName'] && !keyPairs.some((k) => k.id === sample['keyName'])) delete settings['keyName'];
  // Role A as the form offers it (the role list), by ARN or name.
  const serviceRoleArn = String(settings['serviceRoleArn'] ?? '');
  const roleA =
    roles.find((r) => r.id === serviceRoleArn || r['arn'] === serviceRoleArn) ??
    roles.find((r) => r.name === 'eks-cluster-role' || String(r.id).endsWith(':role/eks-cluster-role'));
  if (roleA && !serviceRoleArn.includes(`::${customer.accountId}:`))
    settings['serviceRoleArn'] = String(roleA['arn'] ?? roleA.id);

  const submitted = await api.post<{ id: string; status: string; executionArn: string }>('/v1/clusters', settings);
  const id = submitted.body.id;
  step(
    5,
    `Submitted ${SAMPLE_CLUSTER_FILE} (POST /v1/clusters → ${submitted.status}): cluster ${style.bold(String(settings['name']))} id ${id}`,
  );
  detail(`execution ${submitted.body.executionArn}`);

  const record = await followCluster(api, id);
  const wallMs = Date.now() - started;

  // Another cluster: same settings, another name.
  const nextClusterFile = join(o.root, '.local', 'next-cluster.json');
  await mkdir(join(o.root, '.local'), { recursive: true });
  await writeFile(
    nextClusterFile,
    `${JSON.stringify({ ...settings, name: `${String(settings['name'])}-2` }, null, 2)}\n`,
  );

  const event = await completionEvent(o.sandboxUrl, id);
  if (record.status !== 'CREATED') {
    step(6, style.red(`Cluster ${record.name} FAILED after ${elapsed(wallMs)}`));
    for (const line of diagnosisLines(record)) say(`   ${line}`);
    if (event) say(`   completion event: ${event.detailType}`);
    return { record, wallMs, nextClusterFile };
  }

  let kubeconfigPath: string | undefined;
  if (record.outputs?.kubeconfig) {
    kubeconfigPath = join(o.root, '.local', `kubeconfig-${record.name}`);
    await writeFile(kubeconfigPath, record.outputs.kubeconfig, { mode: 0o600 });
  }
  step(
    6,
    style.green(
      `Cluster ${record.name} CREATED in ${elapsed(wallMs)} (sandbox time runs faster; a real EKS cluster takes ~10–15 minutes)`,
    ),
  );
  if (event) {
    say(`   Completion event (EventBridge, bus ${event.eventBusName}):`);
    for (const line of JSON.stringify(eventForDisplay(event), null, 2).split('\n')) say(`     ${line}`);
  }
  say(`   Endpoint:   ${style.bold(String(record.outputs?.endpoint ?? '(none)'))}`);
  if (kubeconfigPath) say(`   Kubeconfig: ${relative(process.cwd(), kubeconfigPath) || kubeconfigPath}`);
  return { record, wallMs, nextClusterFile, ...(kubeconfigPath ? { kubeconfigPath } : {}) };
}

interface CapturedEvent {
  source: string;
  detailType: string;
  eventBusName: string;
  time: string;
  detail: Record<string, unknown>;
}

export async function completionEvent(
  sandboxUrl: string,
  clusterId: string,
  waitMs = 3000,
): Promise<CapturedEvent | undefined> {
  const until = Date.now() + waitMs;
  for (;;) {
    const res = await fetch(`${sandboxUrl}/_sandbox/events?source=eks-provisioner`);
    const { events } = (await res.json()) as { events: CapturedEvent[] };
    const hit = events.find((e) => e.detail?.['clusterId'] === clusterId && /(Succeeded|Failed)$/.test(e.detailType));
    if (hit || Date.now() > until) return hit;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The event as EventBridge delivers it, long values (kubeconfig, CA) shortened for the terminal. */
function eventForDisplay(e: CapturedEvent): unknown {
  const shorten = (v: unknown): unknown => {
    if (typeof v === 'string' && v.length > 100) return `${v.slice(0, 40)}… (${v.length} characters)`;
    if (Array.isArray(v)) return v.map(shorten);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shorten(x)]));
    return v;
  };
  return { source: e.source, 'detail-type': e.detailType, time: e.time, detail: shorten(e.detail) };
}
