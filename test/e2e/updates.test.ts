/**
 * Cluster updates end to end over HTTP: the API (PATCH), the update state machine (unchanged ASL) in
 * the local runner, the handlers and the AWS sandbox, default world.
 *
 * NEEDS THE SANDBOX'S CHANGE SETS (CreateChangeSet / DescribeChangeSet / ExecuteChangeSet, stack
 * updates, EKS version/config updates), built in parallel on another branch. Written against the
 * shapes AWS documents; until that lands every case skips with a message (the probe below), after it
 * they must pass.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeClusterCommand,
  DescribeClusterVersionsCommand,
  DescribeNodegroupCommand,
  EKSClient,
  UpdateNodegroupConfigCommand,
} from '@aws-sdk/client-eks';
import { AppsV1Api, KubeConfig, PolicyV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eksToken } from '../../functions/lib/kubernetes/eks-token.js';
import { DEFAULT_WORLD } from '../../local/runner/environment.js';
import { type ClusterRecord, E2E } from './harness.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'cli/eks-provisioner.mjs');

let e: E2E;
const admin = () => ({
  region: 'us-east-1',
  endpoint: e.sandboxUrl,
  credentials: {
    accessKeyId: DEFAULT_WORLD.customer.accessKeyId,
    secretAccessKey: DEFAULT_WORLD.customer.secretAccessKey,
  },
});

beforeAll(async () => {
  e = await E2E.start();
}, 120_000);

afterAll(async () => {
  await e?.stop();
});

type Updated = ClusterRecord & {
  version?: number;
  update?: { status: string; phase: string; diagnosis?: { code: string; message: string; remediation: string[] } };
  stackId?: string;
  settings?: Record<string, unknown>;
};

async function createdCluster(
  tenant: string,
  name: string,
  roleOpts: { withoutActions?: RegExp } = {},
  extra: Record<string, unknown> = {},
): Promise<Updated> {
  const roleArn = await e.createRoleB({ name: `eks-provisioner-${name}`, tenant, ...roleOpts });
  const reg = await e.api('POST', '/v1/roles', { roleArn, region: 'us-east-1' }, tenant);
  expect(reg.status, reg.text).toBe(200);
  const r = await e.api(
    'POST',
    '/v1/clusters',
    e.settings({ name, provisionRoleArn: roleArn, kubernetesVersion: '1.32', ...extra }),
    tenant,
  );
  expect(r.status, r.text).toBe(202);
  const c = await e.follow(r.body.id, tenant);
  expect(c.status).toBe('CREATED');
  return c as Updated;
}

/** Follows the record's update until it is no longer RUNNING. */
async function updated(id: string, tenant: string, timeoutMs = 90_000): Promise<Updated> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const r = await e.api('GET', `/v1/clusters/${id}`, undefined, tenant);
    expect(r.status, r.text).toBe(200);
    if (r.body.update && r.body.update.status !== 'RUNNING') return r.body;
    if (Date.now() > until) throw new Error(`update of ${id} still running: ${r.text}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

async function patch(id: string, tenant: string, body: unknown, version: number, query = '') {
  const res = await fetch(`${e.stack.apiUrl}/v1/clusters/${id}${query}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/merge-patch+json', 'x-tenant-id': tenant, 'if-match': `"${version}"` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

async function eks<T>(fn: (c: EKSClient) => Promise<T>): Promise<T> {
  const c = new EKSClient(admin());
  try {
    return await fn(c);
  } finally {
    c.destroy();
  }
}

const updateEvents = async (id: string, kind: string) =>
  (await e.events(id)).filter((x) => x.detailType === `EKS Cluster Update ${kind}`);

describe('cluster updates', { timeout: 240_000 }, () => {
  it('1.32 → 1.33 through the API: plan first, then CREATED on 1.33 with one stack and one Succeeded event', async () => {
    const tenant = 'e2e-upd-version';
    const c = await createdCluster(tenant, 'upd-version');
    const plan = await e.api('PATCH', `/v1/clusters/${c.id}?dryRun=true`, { kubernetesVersion: '1.33' }, tenant);
    expect(plan.status, plan.text).toBe(200);
    expect(plan.body.plan.steps.map((s: { component: string }) => s.component)).toEqual([
      'control-plane',
      'node-group',
      'add-ons',
    ]);
    // The pre-flight ran on role B narrowed to its reads (the dry run's session policy), and passed.
    expect(plan.body.preflight, JSON.stringify(plan.body.preflight)).toMatchObject({ checked: true, ok: true });
    const started = await patch(c.id, tenant, { kubernetesVersion: '1.33' }, c.version ?? 1);
    expect(started.status).toBe(202);
    const end = await updated(c.id, tenant);
    expect(end.update?.status, JSON.stringify(end.update)).toBe('SUCCEEDED');
    expect(end.status).toBe('CREATED');
    const live = await eks((x) => x.send(new DescribeClusterCommand({ name: 'upd-version' })));
    expect(live.cluster?.version).toBe('1.33');
    const cfn = new CloudFormationClient(admin());
    const stacks = await cfn.send(new DescribeStacksCommand({ StackName: 'eks-provisioner-upd-version' }));
    cfn.destroy();
    expect(stacks.Stacks).toHaveLength(1);
    expect(stacks.Stacks?.[0]?.StackStatus).toBe('UPDATE_COMPLETE');
    expect(await updateEvents(c.id, 'Succeeded')).toHaveLength(1);
    // The support view is 1.33's at once (read by the update from DescribeClusterVersions), never 1.32's.
    const v133 = await eks((x) =>
      x.send(new DescribeClusterVersionsCommand({ clusterVersions: ['1.33'], includeAll: true })),
    );
    const std = v133.clusterVersions?.[0]?.endOfStandardSupportDate;
    expect(std).toBeDefined();
    expect((end as { support?: unknown }).support).toMatchObject({
      kubernetesVersion: '1.33',
      standardSupportEndsAt: new Date(std!).toISOString(),
    });
  });

  it('node count and support policy: the new values in EKS, one Succeeded event each', async () => {
    const tenant = 'e2e-upd-nodes';
    const c = await createdCluster(tenant, 'upd-nodes');
    expect((await patch(c.id, tenant, { nodeCount: 3 }, c.version ?? 1)).status).toBe(202);
    const afterNodes = await updated(c.id, tenant);
    expect(afterNodes.update?.status).toBe('SUCCEEDED');
    const ng = await eks((x) =>
      x.send(
        new DescribeNodegroupCommand({
          clusterName: 'upd-nodes',
          nodegroupName: String((afterNodes as { outputs?: { nodegroupName?: string } }).outputs?.nodegroupName),
        }),
      ),
    );
    expect(ng.nodegroup?.scalingConfig?.desiredSize).toBe(3);
    expect((await patch(c.id, tenant, { upgradePolicy: 'EXTENDED' }, afterNodes.version ?? 2)).status).toBe(202);
    expect((await updated(c.id, tenant)).update?.status).toBe('SUCCEEDED');
    const live = await eks((x) => x.send(new DescribeClusterCommand({ name: 'upd-nodes' })));
    expect(live.cluster?.upgradePolicy?.supportType).toBe('EXTENDED');
    expect(await updateEvents(c.id, 'Succeeded')).toHaveLength(2);
  });

  it('the CLI: update --version 1.33 --approve exits 0', async () => {
    const tenant = 'e2e-upd-cli';
    const c = await createdCluster(tenant, 'upd-cli');
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        [BIN, 'update', c.id, '--version', '1.33', '--approve', '--api', e.stack.apiUrl!, '--tenant', tenant],
        { cwd: ROOT, timeout: 180_000, env: { ...process.env, NO_COLOR: '1' } },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      ),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/UPDATED upd-cli/);
  });

  it('a node group resized outside the stack: CLUSTER_DRIFTED, nothing changed', async () => {
    const tenant = 'e2e-upd-drift';
    const c = await createdCluster(tenant, 'upd-drift');
    const nodegroupName = String((c as { outputs?: { nodegroupName?: string } }).outputs?.nodegroupName);
    await eks((x) =>
      x.send(
        new UpdateNodegroupConfigCommand({
          clusterName: 'upd-drift',
          nodegroupName,
          scalingConfig: { minSize: 2, maxSize: 4, desiredSize: 4 },
        }),
      ),
    );
    // EKS applies a scaling change asynchronously (the node group is UPDATING meanwhile): wait until it shows.
    await expect
      .poll(
        async () => {
          const ng = (
            await eks((x) => x.send(new DescribeNodegroupCommand({ clusterName: 'upd-drift', nodegroupName })))
          ).nodegroup;
          return `${ng?.status} ${ng?.scalingConfig?.desiredSize}`;
        },
        { timeout: 30_000, interval: 100 },
      )
      .toBe('ACTIVE 4');
    expect((await patch(c.id, tenant, { kubernetesVersion: '1.33' }, c.version ?? 1)).status).toBe(202);
    const end = await updated(c.id, tenant);
    expect(end.update?.diagnosis?.code).toBe('CLUSTER_DRIFTED');
    const live = await eks((x) => x.send(new DescribeClusterCommand({ name: 'upd-drift' })));
    expect(live.cluster?.version).toBe('1.32');
  });

  it('role B without the update statements: UPDATE_NOT_PERMITTED, nothing changed', async () => {
    const tenant = 'e2e-upd-denied';
    const c = await createdCluster(tenant, 'upd-denied', { withoutActions: /ChangeSet/ });
    expect((await patch(c.id, tenant, { nodeCount: 3 }, c.version ?? 1)).status).toBe(202);
    const end = await updated(c.id, tenant);
    expect(end.update?.diagnosis?.code).toBe('UPDATE_NOT_PERMITTED');
    expect(end.update?.diagnosis?.remediation.join(' ')).toMatch(/UpdateClusterStack/);
    expect(await updateEvents(c.id, 'Failed')).toHaveLength(1);
  });

  it('an ERROR upgrade insight: UPGRADE_BLOCKED_BY_INSIGHT with the insight, nothing changed; with force=true it goes through', async () => {
    const tenant = 'e2e-upd-insight';
    const c = await createdCluster(tenant, 'upd-insight');
    await e.setFlags({ upgradeInsightError: true });
    try {
      const started = await patch(c.id, tenant, { kubernetesVersion: '1.33' }, c.version ?? 1);
      expect(started.status).toBe(202);
      const end = await updated(c.id, tenant);
      expect(end.update?.status).toBe('FAILED');
      expect(end.update?.diagnosis?.code).toBe('UPGRADE_BLOCKED_BY_INSIGHT');
      // The insight itself, as EKS names it, and how to read it.
      expect(end.update?.diagnosis?.message).toMatch(/Deprecated APIs removed in Kubernetes v1\.33/);
      expect(end.update?.diagnosis?.message).toMatch(/Deprecated API usage detected/);
      expect(end.update?.diagnosis?.remediation.join(' ')).toMatch(
        /aws eks describe-insight --cluster-name upd-insight --id \S+/,
      );
      // Nothing changed: the record, EKS, the stack (no change set executed).
      expect(end.status).toBe('CREATED');
      expect((end.settings as { kubernetesVersion?: string }).kubernetesVersion).toBe('1.32');
      const live = await eks((x) => x.send(new DescribeClusterCommand({ name: 'upd-insight' })));
      expect(live.cluster?.version).toBe('1.32');
      const cfn = new CloudFormationClient(admin());
      const stacks = await cfn.send(new DescribeStacksCommand({ StackName: 'eks-provisioner-upd-insight' }));
      cfn.destroy();
      expect(stacks.Stacks?.[0]?.StackStatus).toBe('CREATE_COMPLETE');
      expect(await updateEvents(c.id, 'Failed')).toHaveLength(1);
      expect(await updateEvents(c.id, 'Succeeded')).toHaveLength(0);

      // The person read the insight and goes on anyway.
      const forced = await patch(c.id, tenant, { kubernetesVersion: '1.33' }, end.version ?? 2, '?force=true');
      expect(forced.status).toBe(202);
      const after = await updated(c.id, tenant);
      expect(after.update?.status, JSON.stringify(after.update)).toBe('SUCCEEDED');
      const upgraded = await eks((x) => x.send(new DescribeClusterCommand({ name: 'upd-insight' })));
      expect(upgraded.cluster?.version).toBe('1.33');
      expect(await updateEvents(c.id, 'Succeeded')).toHaveLength(1);
    } finally {
      await e.setFlags({ upgradeInsightError: false });
    }
  });

  it('a PodDisruptionBudget allowing no disruption blocks the node stage of 1.32 → 1.33: UPDATE_ROLLBACK_COMPLETE, control plane 1.33 / nodes 1.32, NODEGROUP_UPDATE_BLOCKED_BY_PDB; relaxed, the same PATCH finishes the nodes', async () => {
    const tenant = 'e2e-upd-pdb';
    const name = 'upd-pdb';
    // The customer's admin gets cluster-admin (an access entry), to put a workload on the nodes.
    const c = await createdCluster(
      tenant,
      name,
      {},
      {
        adminPrincipalArns: [
          `arn:aws:iam::${DEFAULT_WORLD.customer.accountId}:user/${DEFAULT_WORLD.customer.userName}`,
        ],
      },
    );
    const nodegroupName = String((c as { outputs?: { nodegroupName?: string } }).outputs?.nodegroupName);
    const kube = await kubeAsAdmin(name);
    const labels = { app: 'checkout' };
    await kube.apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'checkout', labels },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: { containers: [{ name: 'app', image: 'public.ecr.aws/nginx/nginx:1.27' }] },
          },
        },
      },
    });
    await kube.policy.createNamespacedPodDisruptionBudget({
      namespace: 'default',
      body: { metadata: { name: 'checkout-pdb' }, spec: { minAvailable: 1, selector: { matchLabels: labels } } },
    });
    // Wait for the state the roll will meet: the pod scheduled on a node, the budget at 0 disruptions allowed.
    await until(async () => {
      const pdb = await kube.policy.readNamespacedPodDisruptionBudget({ namespace: 'default', name: 'checkout-pdb' });
      return pdb.status?.currentHealthy === 1 && pdb.status?.disruptionsAllowed === 0;
    }, 'the PDB to count its pod healthy with no disruption allowed');

    const first = await patch(c.id, tenant, { kubernetesVersion: '1.33' }, c.version ?? 1);
    expect(first.status).toBe(202);
    expect(first.body.plan.stages.map((s: { name: string }) => s.name)).toEqual(['control-plane', 'nodes']);
    const end = (await updated(c.id, tenant, 180_000)) as Updated & {
      update?: {
        versions?: { controlPlane: string; nodegroup: string };
        stages?: Array<{ name: string; status: string }>;
        diagnosis?: { failedResource?: { logicalId: string; reason: string } };
      };
    };
    expect(end.update?.status).toBe('FAILED');
    // Stage 2 (nodes + add-ons) is rolled back on its own; stage 1 (the control plane) stays.
    expect(end.update?.diagnosis?.code, JSON.stringify(end.update?.diagnosis)).toBe('NODEGROUP_UPDATE_BLOCKED_BY_PDB');
    expect(end.update?.diagnosis?.failedResource).toMatchObject({
      logicalId: 'Nodegroup',
      reason: expect.stringContaining('PodEvictionFailure'),
    });
    expect(end.update?.stages?.map((s) => `${s.name} ${s.status}`)).toEqual([
      'control-plane SUCCEEDED',
      'nodes FAILED',
    ]);
    expect(end.update?.versions).toEqual({ controlPlane: '1.33', nodegroup: '1.32' });
    expect(end.update?.diagnosis?.message).toMatch(/control plane runs Kubernetes 1\.33 and the nodes 1\.32/);
    // EKS's words do not name the budget; the diagnosis does, read through the cluster's API as role B.
    expect(end.update?.diagnosis?.failedResource?.reason).not.toMatch(/checkout-pdb/);
    expect(end.update?.diagnosis?.message).toMatch(
      /select pods on its nodes and allow no disruption: default\/checkout-pdb \(minAvailable 1; 1 healthy of 1 expected, 1 needed; 0 disruptions allowed\)/,
    );
    expect(end.update?.diagnosis?.message).not.toMatch(/kube-system\/coredns/);
    expect(end.update?.diagnosis?.remediation.join(' ')).toMatch(/kubectl get pdb checkout-pdb -n default -o yaml/);
    expect(end.update?.diagnosis?.remediation.join(' ')).not.toMatch(/delete/i);
    const stackStatus = async () => {
      const cfn = new CloudFormationClient(admin());
      try {
        return (await cfn.send(new DescribeStacksCommand({ StackName: `eks-provisioner-${name}` }))).Stacks?.[0]
          ?.StackStatus;
      } finally {
        cfn.destroy();
      }
    };
    expect(await stackStatus()).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect((await eks((x) => x.send(new DescribeClusterCommand({ name })))).cluster?.version).toBe('1.33');
    expect(
      (await eks((x) => x.send(new DescribeNodegroupCommand({ clusterName: name, nodegroupName })))).nodegroup?.version,
    ).toBe('1.32');
    // The record stays CREATED on its old settings (so the same PATCH is not a no-op); one Failed event.
    expect(end.status).toBe('CREATED');
    expect((end.settings as { kubernetesVersion?: string }).kubernetesVersion).toBe('1.32');
    expect(await updateEvents(c.id, 'Failed')).toHaveLength(1);
    expect(await updateEvents(c.id, 'Succeeded')).toHaveLength(0);

    // Relax the budget, then the same PATCH: it plans and runs the node stage only.
    await kube.policy.patchNamespacedPodDisruptionBudget({
      namespace: 'default',
      name: 'checkout-pdb',
      body: [{ op: 'replace', path: '/spec/minAvailable', value: 0 }],
    });
    await until(
      async () =>
        (await kube.policy.readNamespacedPodDisruptionBudget({ namespace: 'default', name: 'checkout-pdb' })).status
          ?.disruptionsAllowed === 1,
      'the relaxed PDB to allow a disruption',
    );
    const plan = await e.api('PATCH', `/v1/clusters/${c.id}?dryRun=true`, { kubernetesVersion: '1.33' }, tenant);
    expect(plan.status, plan.text).toBe(200);
    expect(plan.body.plan.stages.map((s: { name: string }) => s.name)).toEqual(['nodes']);
    expect(plan.body.plan.steps.map((s: { component: string }) => s.component)).toEqual(['node-group', 'add-ons']);
    const again = await patch(c.id, tenant, { kubernetesVersion: '1.33' }, end.version ?? 2);
    expect(again.status, JSON.stringify(again.body)).toBe(202);
    expect(again.body.plan.stages.map((s: { name: string }) => s.name)).toEqual(['nodes']);
    const done = await updated(c.id, tenant, 180_000);
    expect(done.update?.status, JSON.stringify(done.update)).toBe('SUCCEEDED');
    expect(done.status).toBe('CREATED');
    expect((done.settings as { kubernetesVersion?: string }).kubernetesVersion).toBe('1.33');
    expect(await stackStatus()).toBe('UPDATE_COMPLETE');
    expect((await eks((x) => x.send(new DescribeClusterCommand({ name })))).cluster?.version).toBe('1.33');
    expect(
      (await eks((x) => x.send(new DescribeNodegroupCommand({ clusterName: name, nodegroupName })))).nodegroup?.version,
    ).toBe('1.33');
    expect(await updateEvents(c.id, 'Succeeded')).toHaveLength(1);
    expect(await updateEvents(c.id, 'Failed')).toHaveLength(1);
  });
});

/** Polls `check` until it holds (no fixed wait: the state is what is waited for). */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The official Kubernetes client as the customer's admin, with a token made like `aws eks get-token`. */
async function kubeAsAdmin(clusterName: string) {
  const live = await eks((x) => x.send(new DescribeClusterCommand({ name: clusterName })));
  const { token } = await eksToken({
    clusterName,
    region: 'us-east-1',
    credentials: admin().credentials,
    endpoint: new URL(e.sandboxUrl),
  });
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: clusterName,
        server: live.cluster!.endpoint!,
        caData: live.cluster!.certificateAuthority!.data!,
        skipTLSVerify: false,
      },
    ],
    users: [{ name: 'admin', token }],
    contexts: [{ name: 'ctx', cluster: clusterName, user: 'admin' }],
    currentContext: 'ctx',
  });
  return { apps: kc.makeApiClient(AppsV1Api), policy: kc.makeApiClient(PolicyV1Api) };
}
