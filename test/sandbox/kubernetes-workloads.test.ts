/**
 * The sandbox's Kubernetes API past the control plane: the system pods EKS runs, Deployments and
 * PodDisruptionBudgets, eviction against budgets (over HTTP and through evictPodsFromNode, what a node
 * group's rolling update calls), PATCH of nodes, the self-review APIs, and the request encodings kubectl
 * uses (protobuf for reviews, 415 for what is not decoded). Over the wire, with EKS tokens.
 */

import { request } from 'node:https';
import { CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eksToken } from '../../functions/lib/kubernetes/eks-token.js';
import { evictPodsFromNode } from '../../local/sandbox/kubernetes/eviction.js';
import { decodeProtobufReview } from '../../local/sandbox/kubernetes/protobuf.js';
import type { Sandbox } from '../../local/sandbox/server.js';
import { addNamespaceUser } from '../support/eks-access.js';
import { CUSTOMER_ACCOUNT_ID, eksParameters, eksTemplate } from './cloudformation-fixtures.js';
import { clients, customerCreds, start, waitForStack } from './helpers.js';

let sb: Sandbox;
let endpoint: string;
let ca: string;
const developer: AwsCredentialIdentity = {
  accessKeyId: 'AKIADEVELOPER0000002',
  secretAccessKey: 'developer/secret/key/EXAMPLEKEY0000000002',
};
const viewer: AwsCredentialIdentity = {
  accessKeyId: 'AKIAVIEWER0000000002',
  secretAccessKey: 'viewer/secret/key/EXAMPLEKEY00000000002',
};

type Res = { status: number; body: any };

async function call(
  creds: AwsCredentialIdentity,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
  accept = 'application/json',
): Promise<Res> {
  const token = (
    await eksToken({ clusterName: 'wl', region: 'us-east-1', credentials: creds, endpoint: new URL(sb.url) })
  ).token;
  const u = new URL(path, endpoint);
  const payload =
    body === undefined
      ? undefined
      : Buffer.isBuffer(body)
        ? body
        : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        method,
        host: u.hostname,
        port: u.port,
        path: `${u.pathname}${u.search}`,
        ca: Buffer.from(ca, 'base64'),
        headers: { accept, authorization: `Bearer ${token}`, ...(payload ? { 'content-type': contentType } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const admin = (method: string, path: string, body?: unknown, contentType?: string, accept?: string) =>
  call(customerCreds, method, path, body, contentType, accept);

const addUser = (name: string, credentials: AwsCredentialIdentity, policy: string, namespaces: string[]) =>
  addNamespaceUser(sb.world, { clusterName: 'wl', name, credentials, policy, namespaces });

/** Poll until the check passes (nodes turn Ready after the modelled, time-scaled delay). */
async function until<T>(what: () => Promise<T>, ok: (v: T) => boolean, label: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const v = await what();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}: ${JSON.stringify(v).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const deployment = (name: string, replicas: number) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
  },
});

const podsOf = async (ns: string, selector: string) =>
  (await admin('GET', `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(selector)}`)).body
    .items as any[];
let nodeNames: string[];

beforeAll(async () => {
  sb = await start({ timeScale: 20_000 });
  const c = clients(sb, customerCreds);
  await c.cfn.send(
    new CreateStackCommand({
      StackName: 'wl-stack',
      TemplateBody: JSON.stringify(eksTemplate()),
      Parameters: eksParameters({ ClusterName: 'wl' }),
      Capabilities: ['CAPABILITY_IAM'],
    }),
  );
  expect((await waitForStack(c.cfn, 'wl-stack')).StackStatus).toBe('CREATE_COMPLETE');
  const cluster = (await c.eks.send(new DescribeClusterCommand({ name: 'wl' }))).cluster!;
  endpoint = cluster.endpoint!;
  ca = cluster.certificateAuthority!.data!;
  addUser('dev', developer, 'AmazonEKSEditPolicy', ['team-a']);
  addUser('viewer', viewer, 'AmazonEKSViewPolicy', ['team-a']);
  const nodes = await until(
    () => admin('GET', '/api/v1/nodes'),
    (r) => r.body.items.length === 2 && r.body.items.every((n: any) => n.status.conditions[0].status === 'True'),
    'Ready nodes',
  );
  nodeNames = nodes.body.items.map((n: any) => n.metadata.name);
  expect((await admin('POST', '/api/v1/namespaces', { metadata: { name: 'team-a' } })).status).toBe(201);
}, 30_000);

afterAll(async () => {
  await sb?.stop();
});

describe('system pods', () => {
  it('coredns (2 replicas), aws-node and kube-proxy per node, EBS CSI controller and node pods: Running on Ready nodes', async () => {
    const pods = (await admin('GET', '/api/v1/pods')).body.items as any[];
    const count = (prefix: string) => pods.filter((p) => p.metadata.name.startsWith(prefix)).length;
    expect([
      count('coredns-'),
      count('aws-node-'),
      count('kube-proxy-'),
      count('ebs-csi-controller-'),
      count('ebs-csi-node-'),
    ]).toEqual([2, 2, 2, 2, 2]);
    for (const p of pods) {
      expect(p.metadata.namespace).toBe('kube-system');
      expect(p.status.phase).toBe('Running');
      expect(nodeNames).toContain(p.spec.nodeName);
    }
    // One DaemonSet pod per node; the CoreDNS pods spread over both nodes.
    expect(new Set(pods.filter((p) => p.metadata.name.startsWith('aws-node-')).map((p) => p.spec.nodeName)).size).toBe(
      2,
    );
    expect(new Set(pods.filter((p) => p.metadata.name.startsWith('coredns-')).map((p) => p.spec.nodeName)).size).toBe(
      2,
    );
    expect(pods.find((p) => p.metadata.name.startsWith('coredns-')).metadata.ownerReferences[0]).toMatchObject({
      kind: 'ReplicaSet',
      controller: true,
    });
  });

  it('the pods table has kubectl get pods columns; field selectors filter by node, unknown fields are a 400', async () => {
    const t = await admin(
      'GET',
      '/api/v1/pods',
      undefined,
      undefined,
      'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    );
    expect(t.body.columnDefinitions.map((c: any) => [c.name, c.priority])).toEqual([
      ['Name', 0],
      ['Ready', 0],
      ['Status', 0],
      ['Restarts', 0],
      ['Age', 0],
      ['IP', 1],
      ['Node', 1],
      ['Nominated Node', 1],
      ['Readiness Gates', 1],
    ]);
    const aws = t.body.rows.find((r: any) => String(r.cells[0]).startsWith('aws-node-'));
    expect(aws.cells.slice(1, 4)).toEqual(['2/2', 'Running', '0']);
    const onNode = await admin(
      'GET',
      `/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${nodeNames[0]},status.phase!=Failed`)}`,
    );
    expect(onNode.body.items.length).toBeGreaterThan(0);
    expect(onNode.body.items.every((p: any) => p.spec.nodeName === nodeNames[0])).toBe(true);
    const bad = await admin('GET', '/api/v1/pods?fieldSelector=spec.foo%3Dx');
    expect(bad).toMatchObject({
      status: 400,
      body: { reason: 'BadRequest', message: 'field label not supported: spec.foo' },
    });
  });
});

describe('Deployments and PodDisruptionBudgets', () => {
  it('a Deployment becomes pods on Ready nodes, spread, with status; invalid ones are refused naming the field', async () => {
    const created = await admin(
      'POST',
      '/apis/apps/v1/namespaces/default/deployments?fieldValidation=Strict',
      deployment('web', 3),
    );
    expect(created.status).toBe(201);
    expect(created.body.metadata).toMatchObject({ generation: 1, namespace: 'default' });
    const pods = await podsOf('default', 'app=web');
    expect(pods).toHaveLength(3);
    expect(new Set(pods.map((p) => p.spec.nodeName)).size).toBe(2);
    expect((await admin('GET', '/apis/apps/v1/namespaces/default/deployments/web')).body.status).toMatchObject({
      replicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      updatedReplicas: 3,
    });
    const mismatch = deployment('bad', 1);
    mismatch.spec.template.metadata.labels = { app: 'other' };
    const r = await admin('POST', '/apis/apps/v1/namespaces/default/deployments', mismatch);
    expect(r.status).toBe(422);
    expect(r.body.message).toMatch(
      /^Deployment.apps "bad" is invalid: spec.template.metadata.labels: Invalid value: .*`selector` does not match template `labels`/,
    );
    const unknown = await admin('POST', '/apis/apps/v1/namespaces/default/deployments?fieldValidation=Strict', {
      ...deployment('strict', 1),
      spec: { ...deployment('strict', 1).spec, replica: 2 },
    });
    expect(unknown).toMatchObject({
      status: 400,
      body: {
        message:
          'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replica"',
      },
    });
    expect((await admin('GET', '/apis/apps/v1/namespaces/default/deployments/strict')).status).toBe(404);
  });

  it('access policies: Edit creates Deployments in its namespace only, View does not; can-i answers the same', async () => {
    expect(
      (await call(developer, 'POST', '/apis/apps/v1/namespaces/team-a/deployments', deployment('api', 1))).status,
    ).toBe(201);
    const elsewhere = await call(
      developer,
      'POST',
      '/apis/apps/v1/namespaces/default/deployments',
      deployment('api', 1),
    );
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body.message).toBe(
      `deployments.apps is forbidden: User "arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:user/dev" cannot create resource "deployments" in API group "apps" in the namespace "default"`.replace(
        'deployments.apps is',
        'deployments is',
      ),
    );
    expect(
      (await call(viewer, 'POST', '/apis/apps/v1/namespaces/team-a/deployments', deployment('api2', 1))).status,
    ).toBe(403);
    expect((await call(viewer, 'GET', '/apis/apps/v1/namespaces/team-a/deployments')).status).toBe(200);
    const ssar = (creds: AwsCredentialIdentity, ns: string) =>
      call(creds, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { namespace: ns, verb: 'create', group: 'apps', resource: 'deployments' } },
      });
    expect((await ssar(developer, 'team-a')).body.status).toEqual({ allowed: true });
    expect((await ssar(developer, 'default')).body.status).toEqual({ allowed: false });
    expect((await ssar(viewer, 'team-a')).body.status).toEqual({ allowed: false });
    expect((await ssar(customerCreds, 'anywhere')).body.status).toEqual({ allowed: true });
  });

  it('PDB status follows matching pods; eviction is refused with 429 at 0 allowed disruptions, and allowed after', async () => {
    const pdb = await admin('POST', '/apis/policy/v1/namespaces/default/poddisruptionbudgets', {
      metadata: { name: 'web' },
      spec: { minAvailable: 3, selector: { matchLabels: { app: 'web' } } },
    });
    expect(pdb.status).toBe(201);
    expect(
      (await admin('GET', '/apis/policy/v1/namespaces/default/poddisruptionbudgets/web')).body.status,
    ).toMatchObject({ currentHealthy: 3, desiredHealthy: 3, expectedPods: 3, disruptionsAllowed: 0 });
    const victim = (await podsOf('default', 'app=web'))[0];
    const evict = () =>
      admin('POST', `/api/v1/namespaces/default/pods/${victim.metadata.name}/eviction`, {
        apiVersion: 'policy/v1',
        kind: 'Eviction',
        metadata: { name: victim.metadata.name, namespace: 'default' },
      });
    const refused = await evict();
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({
      kind: 'Status',
      reason: 'TooManyRequests',
      message: "Cannot evict pod as it would violate the pod's disruption budget.",
      details: {
        causes: [
          { reason: 'DisruptionBudget', message: 'The disruption budget web needs 3 healthy pods and has 3 currently' },
        ],
      },
    });
    expect((await podsOf('default', 'app=web')).map((p) => p.metadata.name)).toContain(victim.metadata.name);
    // Loosen the budget (merge patch): one disruption allowed.
    const patched = await admin(
      'PATCH',
      '/apis/policy/v1/namespaces/default/poddisruptionbudgets/web',
      { spec: { minAvailable: 2 } },
      'application/merge-patch+json',
    );
    expect(patched.status).toBe(200);
    expect(patched.body.metadata.generation).toBe(2);
    expect(patched.body.status.disruptionsAllowed).toBe(1);
    const before = (await podsOf('default', 'app=web')).map((p) => p.metadata.name);
    expect((await evict()).status).toBe(201);
    const after = await podsOf('default', 'app=web');
    expect(after).toHaveLength(3);
    expect(after.map((p) => p.metadata.name)).not.toContain(victim.metadata.name);
    // The replacement is Running on another Ready node.
    expect(after.every((p) => p.status.phase === 'Running')).toBe(true);
    const replacement = after.find((p) => !before.includes(p.metadata.name))!;
    expect(replacement.spec.nodeName).not.toBe(victim.spec.nodeName);
    expect(
      (
        await admin('POST', '/api/v1/namespaces/default/pods/nope/eviction', {
          apiVersion: 'policy/v1',
          kind: 'Eviction',
          metadata: { name: 'nope' },
        })
      ).status,
    ).toBe(404);
  });

  it('evictPodsFromNode (node group update): DaemonSet pods stay, others move to the other node; a budget at 0 stops it', async () => {
    const [a, b] = nodeNames as [string, string];
    // web: minAvailable 3 of 3 → no disruption allowed; coredns / EBS CSI controller (maxUnavailable 1) may move.
    await admin(
      'PATCH',
      '/apis/policy/v1/namespaces/default/poddisruptionbudgets/web',
      { spec: { minAvailable: 3 } },
      'application/strategic-merge-patch+json',
    );
    const onA = async () =>
      (await admin('GET', `/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${a}`)}`)).body
        .items as any[];
    const webOnA = (await onA())
      .filter((p) => p.metadata.labels.app === 'web')
      .map((p) => p.metadata.name)
      .sort();
    expect(webOnA.length).toBeGreaterThan(0); // three replicas spread over two nodes
    const r = evictPodsFromNode('wl', a);
    expect(r).toEqual({ ok: false, pdb: { name: 'web', namespace: 'default' }, pod: webOnA[0] });
    const left = await onA();
    const daemons = left
      .filter((p) => p.metadata.ownerReferences[0].kind === 'DaemonSet')
      .map((p) => p.metadata.name.replace(/-[a-z0-9]+$/, ''))
      .sort();
    expect(daemons).toEqual(['aws-node', 'ebs-csi-node', 'kube-proxy']);
    expect(
      left
        .filter((p) => p.metadata.labels.app === 'web')
        .map((p) => p.metadata.name)
        .sort(),
    ).toEqual(webOnA);
    expect(left.filter((p) => /^(coredns|ebs-csi-controller)-/.test(p.metadata.name))).toEqual([]);
    const dns = (await admin('GET', '/api/v1/namespaces/kube-system/pods?labelSelector=k8s-app%3Dkube-dns')).body
      .items as any[];
    expect(dns.map((p) => p.spec.nodeName)).toEqual([b, b]);
    // Without the budget the node empties of everything but DaemonSet pods.
    expect((await admin('DELETE', '/apis/policy/v1/namespaces/default/poddisruptionbudgets/web')).status).toBe(200);
    expect(evictPodsFromNode('wl', a)).toEqual({ ok: true });
    expect((await onA()).filter((p) => p.metadata.ownerReferences[0].kind !== 'DaemonSet')).toEqual([]);
    expect(evictPodsFromNode('no-such-cluster', a)).toEqual({ ok: true });
  });
});

describe('PATCH, reviews and encodings', () => {
  it('kubectl label: strategic merge and merge patches change node labels; a stale resourceVersion is a 409', async () => {
    const node = nodeNames[1]!;
    const r1 = await admin(
      'PATCH',
      `/api/v1/nodes/${node}`,
      { metadata: { labels: { team: 'blue' } } },
      'application/strategic-merge-patch+json',
    );
    expect(r1.status).toBe(200);
    expect(r1.body.metadata.labels).toMatchObject({ team: 'blue', 'kubernetes.io/os': 'linux' });
    const got = await admin('GET', `/api/v1/nodes/${node}`);
    expect(got.body.metadata.labels.team).toBe('blue');
    const stale = await admin(
      'PATCH',
      `/api/v1/nodes/${node}`,
      { metadata: { labels: { team: 'red' }, resourceVersion: '1' } },
      'application/merge-patch+json',
    );
    expect(stale).toMatchObject({ status: 409, body: { reason: 'Conflict' } });
    const removed = await admin(
      'PATCH',
      `/api/v1/nodes/${node}`,
      { metadata: { labels: { team: null }, resourceVersion: got.body.metadata.resourceVersion } },
      'application/merge-patch+json',
    );
    expect(removed.status).toBe(200);
    expect(removed.body.metadata.labels.team).toBeUndefined();
    expect((await admin('PATCH', `/api/v1/nodes/${node}`, '{}', 'text/plain')).status).toBe(415);
    expect(
      (
        await call(
          developer,
          'PATCH',
          `/api/v1/nodes/${node}`,
          { metadata: { labels: { x: 'y' } } },
          'application/merge-patch+json',
        )
      ).status,
    ).toBe(403);
  });

  it("a pod no node fits stays Pending with the scheduler's reason, and is bound once a label makes a node fit", async () => {
    const d = deployment('picky', 1);
    (d.spec.template.spec as Record<string, unknown>)['nodeSelector'] = { disk: 'ssd' };
    expect((await admin('POST', '/apis/apps/v1/namespaces/default/deployments', d)).status).toBe(201);
    const [pending] = await podsOf('default', 'app=picky');
    expect(pending.status.phase).toBe('Pending');
    expect(pending.spec.nodeName).toBeUndefined();
    expect(pending.status.conditions[0]).toMatchObject({
      type: 'PodScheduled',
      status: 'False',
      reason: 'Unschedulable',
      message: expect.stringMatching(
        /^0\/2 nodes are available: 2 node\(s\) didn't match Pod's node affinity\/selector\./,
      ),
    });
    const node = nodeNames[1]!;
    expect(
      (
        await admin(
          'PATCH',
          `/api/v1/nodes/${node}`,
          { metadata: { labels: { disk: 'ssd' } } },
          'application/strategic-merge-patch+json',
        )
      ).status,
    ).toBe(200);
    const [bound] = await podsOf('default', 'app=picky');
    expect([bound.metadata.name, bound.spec.nodeName, bound.status.phase]).toEqual([
      pending.metadata.name,
      node,
      'Running',
    ]);
  });

  it('kubectl scale: the Scale subresource (autoscaling/v1) changes replicas; bad counts, stale versions and View are refused', async () => {
    expect((await admin('POST', '/apis/apps/v1/namespaces/team-a/deployments', deployment('scaled', 2))).status).toBe(
      201,
    );
    const path = '/apis/apps/v1/namespaces/team-a/deployments/scaled/scale';
    const scale = await admin('GET', path);
    expect(scale.body).toMatchObject({
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      spec: { replicas: 2 },
      status: { replicas: 2, selector: 'app=scaled' },
    });
    const down = await call(developer, 'PATCH', path, { spec: { replicas: 1 } }, 'application/merge-patch+json');
    expect([down.status, down.body.spec]).toEqual([200, { replicas: 1 }]);
    expect(await podsOf('team-a', 'app=scaled')).toHaveLength(1);
    expect((await admin('PATCH', path, { spec: { replicas: -1 } }, 'application/merge-patch+json')).body.message).toBe(
      'Scale.autoscaling "scaled" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    );
    expect(
      (
        await admin(
          'PATCH',
          path,
          { metadata: { resourceVersion: '1' }, spec: { replicas: 3 } },
          'application/merge-patch+json',
        )
      ).status,
    ).toBe(409);
    expect((await call(viewer, 'PATCH', path, { spec: { replicas: 3 } }, 'application/merge-patch+json')).status).toBe(
      403,
    );
    expect(await podsOf('team-a', 'app=scaled')).toHaveLength(1);
  });

  it('whoami and can-i --list answer as on EKS; reviews sent as protobuf are decoded, other protobuf bodies are a 415', async () => {
    const me = await call(developer, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
    });
    expect(me.status).toBe(201);
    expect(me.body.status.userInfo).toEqual({
      username: `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:user/dev`,
      uid: `aws-iam-authenticator:${CUSTOMER_ACCOUNT_ID}:AIDADEV0000000000000`,
      groups: ['system:authenticated'],
      extra: {
        accessKeyId: [developer.accessKeyId],
        arn: [`arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:user/dev`],
        canonicalArn: [`arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:user/dev`],
        principalId: ['AIDADEV0000000000000'],
        sessionName: [''],
      },
    });
    expect(JSON.stringify(me.body)).not.toContain(developer.secretAccessKey);
    const rules = await call(viewer, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', {
      spec: { namespace: 'team-a' },
    });
    expect(rules.body.status).toMatchObject({
      incomplete: true,
      evaluationError: 'webhook authorizer does not support user rule resolution',
    });

    // A protobuf SelfSubjectAccessReview, encoded as kubectl's typed client does.
    const field = (n: number, v: Buffer | string) => {
      const b = Buffer.isBuffer(v) ? v : Buffer.from(v);
      return Buffer.concat([Buffer.from([(n << 3) | 2, b.length]), b]);
    };
    const ra = Buffer.concat([field(1, 'team-a'), field(2, 'create'), field(3, 'apps'), field(5, 'deployments')]);
    const ssar = Buffer.concat([field(1, Buffer.alloc(0)), field(2, field(1, ra))]);
    const envelope = (kind: string, raw: Buffer) =>
      Buffer.concat([
        Buffer.from('k8s\0'),
        field(1, Buffer.concat([field(1, 'authorization.k8s.io/v1'), field(2, kind)])),
        field(2, raw),
      ]);
    expect(decodeProtobufReview(envelope('SelfSubjectAccessReview', ssar))).toMatchObject({
      spec: { resourceAttributes: { namespace: 'team-a', verb: 'create', group: 'apps', resource: 'deployments' } },
    });
    const viaProto = await call(
      developer,
      'POST',
      '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
      envelope('SelfSubjectAccessReview', ssar),
      'application/vnd.kubernetes.protobuf',
    );
    expect(viaProto.status).toBe(201);
    expect(viaProto.body.status).toEqual({ allowed: true });
    const proto = await admin(
      'POST',
      '/apis/apps/v1/namespaces/default/deployments',
      envelope('Deployment', Buffer.alloc(0)),
      'application/vnd.kubernetes.protobuf',
    );
    expect(proto).toMatchObject({
      status: 415,
      body: {
        reason: 'UnsupportedMediaType',
        message:
          'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml',
      },
    });
  });

  it('discovery lists the eviction subresource under policy/v1 and OpenAPI v3 advertises server-side field validation', async () => {
    const core = (await admin('GET', '/api/v1')).body.resources as any[];
    expect(core.find((r) => r.name === 'pods/eviction')).toMatchObject({
      group: 'policy',
      version: 'v1',
      kind: 'Eviction',
      verbs: ['create'],
    });
    const index = (await admin('GET', '/openapi/v3')).body.paths;
    expect(Object.keys(index)).toContain('apis/apps/v1');
    const doc = (await admin('GET', index['apis/apps/v1'].serverRelativeURL)).body;
    const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
    expect(patch['x-kubernetes-group-version-kind']).toEqual({ group: 'apps', version: 'v1', kind: 'Deployment' });
    expect(patch.parameters.map((p: any) => p.name)).toContain('fieldValidation');
    expect(JSON.stringify(await admin('GET', '/api/v1'))).not.toContain('protobuf');
  });
});
