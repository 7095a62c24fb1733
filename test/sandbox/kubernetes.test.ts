/**
 * The sandbox's Kubernetes API, over the wire: an EKS stack goes ACTIVE, DescribeCluster returns a loopback
 * endpoint and a per-cluster CA, and the official client (@kubernetes/client-node) talks to it with EKS
 * tokens made like `aws eks get-token` — TLS verified against that CA, tokens checked like EKS does,
 * principals mapped through access entries.
 */

import { request } from 'node:https';
import { CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { CoreV1Api, KubeConfig, StorageV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureCluster } from '../../functions/configure-cluster/configure-cluster.js';
import { DiagnosedError } from '../../functions/lib/errors.js';
import { kubeApi } from '../../functions/lib/kubernetes/client.js';
import { eksToken } from '../../functions/lib/kubernetes/eks-token.js';
import type { Sandbox } from '../../local/sandbox/server.js';
import { addNamespaceUser } from '../support/eks-access.js';
import { CUSTOMER_ACCOUNT_ID, eksParameters, eksTemplate } from './cloudformation-fixtures.js';
import { clients, customerCreds, serviceCreds, start } from './helpers.js';

let sb: Sandbox;
let c: ReturnType<typeof clients>;
let endpoint: string;
let ca: string;
let developer: AwsCredentialIdentity;

async function waitForStack(name: string): Promise<string> {
  const until = Date.now() + 20_000;
  for (;;) {
    const s = (await c.cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks![0]!;
    if (!s.StackStatus!.endsWith('_IN_PROGRESS')) return s.StackStatus!;
    if (Date.now() > until) throw new Error(`stack ${name} still ${s.StackStatus}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function tokenFor(credentials: AwsCredentialIdentity, clusterName = 'kube', now?: Date): Promise<string> {
  return (
    await eksToken({
      clusterName,
      region: 'us-east-1',
      credentials,
      endpoint: new URL(sb.url),
      ...(now ? { now } : {}),
    })
  ).token;
}

function kubeConfig(token: string, caData = ca): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'kube', server: endpoint, caData, skipTLSVerify: false }],
    users: [{ name: 'u', token }],
    contexts: [{ name: 'ctx', cluster: 'kube', user: 'u' }],
    currentContext: 'ctx',
  });
  return kc;
}

/** Raw HTTPS GET (status + JSON body), trusting the cluster CA. */
function get(path: string, token?: string, accept = 'application/json'): Promise<{ status: number; body: any }> {
  const u = new URL(path, endpoint);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: `${u.pathname}${u.search}`,
        ca: Buffer.from(ca, 'base64'),
        headers: { accept, ...(token ? { authorization: `Bearer ${token}` } : {}) },
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
    req.end();
  });
}

beforeAll(async () => {
  sb = await start({ timeScale: 20_000 });
  c = clients(sb, customerCreds);
  await c.cfn.send(
    new CreateStackCommand({
      StackName: 'kube-stack',
      TemplateBody: JSON.stringify(eksTemplate()),
      Parameters: eksParameters({ ClusterName: 'kube' }),
      Capabilities: ['CAPABILITY_IAM'],
    }),
  );
  expect(await waitForStack('kube-stack')).toBe('CREATE_COMPLETE');
  const cluster = (await c.eks.send(new DescribeClusterCommand({ name: 'kube' }))).cluster!;
  endpoint = cluster.endpoint!;
  ca = cluster.certificateAuthority!.data!;
  // A developer with an access entry limited to editing namespace "team-a".
  developer = { accessKeyId: 'AKIADEVELOPER0000001', secretAccessKey: 'developer/secret/key/EXAMPLEKEY0000000000' };
  addNamespaceUser(sb.world, {
    clusterName: 'kube',
    name: 'developer',
    userId: 'AIDADEVELOPER0000001',
    credentials: developer,
    policy: 'AmazonEKSEditPolicy',
    namespaces: ['team-a'],
  });
}, 30_000);

afterAll(async () => {
  await sb?.stop();
});

describe('sandbox Kubernetes API', () => {
  it('DescribeCluster returns a loopback HTTPS endpoint and a real per-cluster CA', () => {
    expect(endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(Buffer.from(ca, 'base64').toString()).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
  });

  it('the creator (cluster admin) lists Ready nodes, namespaces and the EBS CSI default class with client-node', async () => {
    const kc = kubeConfig(await tokenFor(customerCreds));
    const core = kc.makeApiClient(CoreV1Api);
    // Nodes register when the node group is ACTIVE and turn Ready after the modelled delay.
    let nodes = await core.listNode();
    for (
      let i = 0;
      i < 100 && !nodes.items.every((n) => n.status?.conditions?.find((x) => x.type === 'Ready')?.status === 'True');
      i++
    ) {
      await new Promise((r) => setTimeout(r, 20));
      nodes = await core.listNode();
    }
    expect(nodes.items).toHaveLength(2);
    expect(nodes.items.every((n) => n.status?.conditions?.find((x) => x.type === 'Ready')?.status === 'True')).toBe(
      true,
    );
    expect(nodes.items[0]!.metadata?.labels?.['eks.amazonaws.com/nodegroup']).toBeTruthy();
    const ns = await core.listNamespace();
    expect(ns.items.map((n) => n.metadata?.name).sort()).toEqual([
      'default',
      'kube-node-lease',
      'kube-public',
      'kube-system',
    ]);
    const classes = await kc.makeApiClient(StorageV1Api).listStorageClass();
    const defaults = classes.items.filter(
      (s) => s.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true',
    );
    expect(defaults.map((s) => [s.metadata?.name, s.provisioner, s.volumeBindingMode])).toEqual([
      ['ebs-csi-default-sc', 'ebs.csi.aws.com', 'WaitForFirstConsumer'],
    ]);
  });

  it('creates namespaces and service accounts; conflicts and missing namespaces answer as the API server does', async () => {
    const core = kubeConfig(await tokenFor(customerCreds)).makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'team-a' } } });
    const dup = await core
      .createNamespace({ body: { metadata: { name: 'team-a' } } })
      .catch((e: { code: number; body: string }) => e);
    expect((dup as { code: number }).code).toBe(409);
    expect(JSON.parse((dup as { body: string }).body)).toMatchObject({
      kind: 'Status',
      reason: 'AlreadyExists',
      message: 'namespaces "team-a" already exists',
    });
    const sa = await core.createNamespacedServiceAccount({
      namespace: 'team-a',
      body: { metadata: { name: 'deployer' } },
    });
    expect(sa.metadata?.namespace).toBe('team-a');
    const missing = await core
      .createNamespacedServiceAccount({ namespace: 'nope', body: { metadata: { name: 'x' } } })
      .catch((e: { code: number }) => e);
    expect((missing as { code: number }).code).toBe(404);
    const bad = await core
      .createNamespace({ body: { metadata: { name: 'Bad_Name' } } })
      .catch((e: { code: number; body: string }) => e);
    expect((bad as { code: number }).code).toBe(422);
    expect(JSON.parse((bad as { body: string }).body).message).toMatch(
      /^Namespace "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 label/,
    );
  });

  it('401 for a principal without an access entry, a token for another cluster, a forged or expired token', async () => {
    const unauthorized = {
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      message: 'Unauthorized',
      reason: 'Unauthorized',
      code: 401,
    };
    expect(await get('/api/v1/nodes', await tokenFor(serviceCreds))).toMatchObject({ status: 401, body: unauthorized });
    expect(await get('/api/v1/nodes', await tokenFor(customerCreds, 'another-cluster'))).toMatchObject({
      status: 401,
      body: unauthorized,
    });
    expect(await get('/api/v1/nodes', await tokenFor({ ...customerCreds, secretAccessKey: 'wrong' }))).toMatchObject({
      status: 401,
    });
    expect(
      await get('/api/v1/nodes', await tokenFor(customerCreds, 'kube', new Date(Date.now() - 16 * 60_000))),
    ).toMatchObject({ status: 401 });
    expect(await get('/api/v1/nodes', 'not-a-token')).toMatchObject({ status: 401 });
    expect(await get('/api/v1/nodes')).toMatchObject({ status: 401 });
    // Dated in the future beyond SigV4's 5 minutes of skew: STS refuses the signature.
    expect(
      await get('/api/v1/nodes', await tokenFor(customerCreds, 'kube', new Date(sb.world.now() + 6 * 60_000))),
    ).toMatchObject({ status: 401 });
    expect(
      (await get('/api/v1/nodes', await tokenFor(customerCreds, 'kube', new Date(sb.world.now() + 4 * 60_000)))).status,
    ).toBe(200);
    // A token from 14 minutes ago (kubectl's cache) still works.
    expect(
      (await get('/api/v1/nodes', await tokenFor(customerCreds, 'kube', new Date(Date.now() - 14 * 60_000)))).status,
    ).toBe(200);
  });

  it('403 with the API server wording outside the access policy scope; allowed inside it', async () => {
    const token = await tokenFor(developer);
    const nodes = await get('/api/v1/nodes', token);
    expect(nodes.status).toBe(403);
    expect(nodes.body).toMatchObject({
      kind: 'Status',
      reason: 'Forbidden',
      code: 403,
      message: `nodes is forbidden: User "arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:user/developer" cannot list resource "nodes" in API group "" at the cluster scope`,
    });
    const other = await get('/api/v1/namespaces/default/serviceaccounts', token);
    expect(other.status).toBe(403);
    expect(other.body.message).toContain('in the namespace "default"');
    const mine = await get('/api/v1/namespaces/team-a/serviceaccounts', token);
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((s: { metadata: { name: string } }) => s.metadata.name).sort()).toEqual([
      'default',
      'deployer',
    ]);
    const rb = await get('/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/rolebindings', token);
    expect(rb.status).toBe(403); // edit does not cover RBAC
  });

  it('serves discovery, /version and server-side tables (what kubectl get asks for)', async () => {
    const token = await tokenFor(customerCreds);
    expect((await get('/version')).body).toMatchObject({ major: '1' });
    expect((await get('/api', token)).body.versions).toEqual(['v1']);
    expect((await get('/apis', token)).body.groups.map((g: { name: string }) => g.name)).toEqual([
      'apps',
      'authentication.k8s.io',
      'authorization.k8s.io',
      'coordination.k8s.io',
      'rbac.authorization.k8s.io',
      'storage.k8s.io',
      'policy',
    ]);
    const t = await get(
      '/apis/storage.k8s.io/v1/storageclasses',
      token,
      'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    );
    expect(t.body.kind).toBe('Table');
    expect(t.body.rows.map((r: { cells: unknown[] }) => r.cells[0])).toEqual(['ebs-csi-default-sc (default)', 'gp2']);
  });

  it('stays up while the control plane is UPDATING (EKS upgrades keep the API server available)', async () => {
    const cluster = sb.world.data.eksClusters.find((k) => k.name === 'kube')!;
    cluster.status = 'UPDATING';
    try {
      expect((await get('/version')).status).toBe(200);
    } finally {
      cluster.status = 'ACTIVE';
    }
    expect((await get('/version')).status).toBe(200);
  });

  it('many clusters turning ACTIVE at once each get a live loopback endpoint (listeners opened while they create)', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `burst-${i}`);
    await Promise.all(
      names.map((name) =>
        c.cfn.send(
          new CreateStackCommand({
            StackName: `${name}-stack`,
            TemplateBody: JSON.stringify(eksTemplate()),
            Parameters: eksParameters({ ClusterName: name }),
            Capabilities: ['CAPABILITY_IAM'],
          }),
        ),
      ),
    );
    for (const name of names) expect(await waitForStack(`${name}-stack`)).toBe('CREATE_COMPLETE');
    for (const name of names) {
      const cl = (await c.eks.send(new DescribeClusterCommand({ name }))).cluster!;
      expect(cl.endpoint, name).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    }
  });

  it('a client given another CA fails TLS verification', async () => {
    const other = Buffer.from(
      (await import('../../local/sandbox/kubernetes/pki.js')).makeClusterPki(new Date()).caCertPem,
    ).toString('base64');
    const core = kubeConfig(await tokenFor(customerCreds), other).makeApiClient(CoreV1Api);
    await expect(core.listNode()).rejects.toThrow(/certificate|self.signed|verify/i);
  });

  it('nodes never register while instances fail to join', async () => {
    const core = kubeConfig(await tokenFor(customerCreds)).makeApiClient(CoreV1Api);
    sb.world.data.flags.nodesFailToJoin = true;
    try {
      expect((await core.listNode()).items).toEqual([]);
    } finally {
      sb.world.data.flags.nodesFailToJoin = false;
    }
  });
});

describe('ConfigureCluster against the sandbox cluster (real client-node, real token)', () => {
  const input = (over: Record<string, unknown> = {}) =>
    ({
      tenantId: 't',
      clusterId: 'c-kube',
      region: 'us-east-1',
      accountId: CUSTOMER_ACCOUNT_ID,
      stackName: 'kube-stack',
      executionArn: 'arn:aws:states:us-east-1:111111111111:execution:x:y',
      startedAt: new Date().toISOString(),
      stack: { stackId: 'id', stackName: 'kube-stack', createdAt: new Date().toISOString(), adopted: false },
      cluster: {
        name: 'kube',
        environmentScope: 'review/*',
        region: 'us-east-1',
        provisionRoleArn: `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:role/eks-provisioner-provision`,
        serviceRoleArn: `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:role/eks-cluster-role`,
        vpcId: 'vpc-0a1b2c3d4e5f60001',
        subnetIds: [],
        securityGroupIds: [],
        instanceType: 't3.medium',
        nodeCount: 2,
        managed: true,
        onFailure: 'KEEP',
        adminPrincipalArns: [],
        deployPrincipalArns: [],
        tags: {},
      },
      ...over,
    }) as never;
  const deps = (credentials: AwsCredentialIdentity = customerCreds, kube = kubeApi) => ({
    eks: c.eks,
    credentials,
    kube,
    now: () => new Date(sb.world.now()),
    stsEndpoint: new URL(sb.url),
  });
  const diagnosisOf = async (p: Promise<unknown>) => {
    const err = await p.then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(err).toBeInstanceOf(DiagnosedError);
    return (err as DiagnosedError).diagnosis;
  };

  it('DONE: nodes Ready, the EBS CSI default class kept, namespace + deployer + edit binding made; a second run converges', async () => {
    const first = await configureCluster(input(), deps());
    expect(first).toMatchObject({
      outcome: 'DONE',
      nodes: { ready: 2, registered: 2, expected: 2 },
      configuration: {
        storageClass: { name: 'ebs-csi-default-sc', created: false, undefaulted: [] },
        namespaces: [{ name: 'review', created: true, serviceAccount: 'deployer', clusterRole: 'edit' }],
      },
    });
    const again = await configureCluster(input(), deps());
    expect(again.configuration?.namespaces).toEqual([
      { name: 'review', created: false, serviceAccount: 'deployer', clusterRole: 'edit' },
    ]);
    const rb = await get(
      '/apis/rbac.authorization.k8s.io/v1/namespaces/review/rolebindings/deployer-edit',
      await tokenFor(customerCreds),
    );
    expect(rb.body).toMatchObject({
      roleRef: { kind: 'ClusterRole', name: 'edit' },
      subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace: 'review' }],
    });
  });

  it('exactly one default StorageClass: creates gp3 (ebs.csi.aws.com, WaitForFirstConsumer) when none; un-defaults extras', async () => {
    const storage = kubeConfig(await tokenFor(customerCreds)).makeApiClient(StorageV1Api);
    await storage.deleteStorageClass({ name: 'ebs-csi-default-sc' });
    const made = await configureCluster(input({ cluster: { ...(input() as any).cluster, managed: false } }), deps());
    expect(made.configuration?.storageClass).toEqual({
      name: 'gp3',
      provisioner: 'ebs.csi.aws.com',
      created: true,
      undefaulted: [],
    });
    const gp3 = await storage.readStorageClass({ name: 'gp3' });
    expect(gp3).toMatchObject({
      provisioner: 'ebs.csi.aws.com',
      volumeBindingMode: 'WaitForFirstConsumer',
      metadata: { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    });
    // A second default (say, someone else's): the EBS CSI one stays, the other is turned off.
    await storage.createStorageClass({
      body: {
        metadata: { name: 'other', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
        provisioner: 'example.com/nfs',
      },
    });
    const fixed = await configureCluster(input({ cluster: { ...(input() as any).cluster, managed: false } }), deps());
    expect(fixed.configuration?.storageClass).toMatchObject({ name: 'gp3', undefaulted: ['other'] });
    expect(
      (await storage.readStorageClass({ name: 'other' })).metadata?.annotations?.[
        'storageclass.kubernetes.io/is-default-class'
      ],
    ).toBe('false');
  });

  it('NODES_NOT_READY: while nodes cannot join it waits (adaptive), then gives up at the cap with the evidence', async () => {
    sb.world.data.flags.nodesFailToJoin = true;
    try {
      const waiting = await configureCluster(input(), deps());
      expect(waiting).toMatchObject({
        outcome: 'WAITING',
        nextWaitSeconds: 10,
        nodes: { ready: 0, registered: 0, expected: 2 },
      });
      const later = await configureCluster(input({ configure: waiting }), deps());
      expect(later.nextWaitSeconds).toBe(15);
      const d = await diagnosisOf(configureCluster(input({ configure: { ...later, elapsedSeconds: 900 } }), deps()));
      expect(d.code).toBe('NODES_NOT_READY');
      expect(d.message).toContain('only 0 of 2 nodes were Ready after 915 seconds');
      expect(d.message).toContain('no node has registered with the API server');
    } finally {
      sb.world.data.flags.nodesFailToJoin = false;
    }
  });

  it('KUBERNETES_FORBIDDEN: 401 without an access entry, 403 when the entry does not allow it', async () => {
    const unauth = await diagnosisOf(configureCluster(input(), deps(serviceCreds)));
    expect(unauth).toMatchObject({ code: 'KUBERNETES_FORBIDDEN', evidence: { status: '401' } });
    expect(unauth.message).toContain('has no access entry');
    const forbidden = await diagnosisOf(configureCluster(input(), deps(developer)));
    expect(forbidden).toMatchObject({ code: 'KUBERNETES_FORBIDDEN', evidence: { status: '403' } });
    expect(forbidden.message).toContain('nodes is forbidden');
    expect(forbidden.remediation[0]).toContain('aws eks create-access-entry --cluster-name kube');
  });

  it('role B credentials that expired mid-invocation (401): assumes role B again once and goes on; without renewal it is a 401 diagnosis', async () => {
    const roleName = 'eks-provisioner-kube-expiring'; // the service user may assume eks-provisioner-* roles only
    const roleArn = `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:role/${roleName}`;
    const trust = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::111111111111:root' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': 'ext-kube' } },
        },
      ],
    };
    await c.iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(trust) }));
    const now = sb.world.nowIso();
    sb.world.data.eksAccessEntries.push({
      accountId: CUSTOMER_ACCOUNT_ID,
      region: 'us-east-1',
      clusterName: 'kube',
      principalArn: roleArn,
      accessEntryArn: `arn:aws:eks:us-east-1:${CUSTOMER_ACCOUNT_ID}:access-entry/kube/role/${CUSTOMER_ACCOUNT_ID}/${roleName}/x`,
      kubernetesGroups: [],
      type: 'STANDARD',
      accessPolicies: [
        {
          policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
          accessScope: { type: 'cluster', namespaces: [] },
        },
      ],
      tags: {},
      createdAt: now,
      modifiedAt: now,
    });
    const sts = clients(sb, serviceCreds).sts;
    const assume = async (): Promise<AwsCredentialIdentity> => {
      const out = (
        await sts.send(
          new AssumeRoleCommand({
            RoleArn: roleArn,
            RoleSessionName: 'c-kube',
            ExternalId: 'ext-kube',
            DurationSeconds: 900,
          }),
        )
      ).Credentials!;
      return {
        accessKeyId: out.AccessKeyId!,
        secretAccessKey: out.SecretAccessKey!,
        sessionToken: out.SessionToken!,
        expiration: out.Expiration!,
      };
    };
    let current = await assume();
    sb.world.advanceClock(901_000); // the session ends while the step runs
    let renewals = 0;
    const renewing = {
      ...deps(),
      credentials: async () => current,
      renewCredentials: async () => {
        renewals++;
        current = await assume();
      },
    };
    const done = await configureCluster(input(), renewing);
    expect(done.outcome).toBe('DONE');
    expect(renewals).toBe(1);

    current = await assume();
    sb.world.advanceClock(901_000);
    const d = await diagnosisOf(configureCluster(input(), { ...deps(), credentials: async () => current }));
    expect(d).toMatchObject({ code: 'KUBERNETES_FORBIDDEN', evidence: { status: '401' } });
    // A real 401 (no access entry) stays a 401 after one renewal: renewed once, not in a loop.
    renewals = 0;
    const unmapped = await diagnosisOf(
      configureCluster(input(), { ...deps(serviceCreds), renewCredentials: async () => void renewals++ }),
    );
    expect(unmapped).toMatchObject({ code: 'KUBERNETES_FORBIDDEN', evidence: { status: '401' } });
    expect(renewals).toBe(1);
  });

  it('KUBERNETES_API_UNREACHABLE: a private-only endpoint, and a server whose certificate is not from the cluster CA', async () => {
    const cluster = sb.world.data.eksClusters.find((x) => x.name === 'kube')!;
    cluster.resourcesVpcConfig.endpointPublicAccess = false;
    try {
      const d = await diagnosisOf(configureCluster(input(), deps()));
      expect(d.code).toBe('KUBERNETES_API_UNREACHABLE');
      expect(d.message).toContain('private only');
      expect(d.remediation[0]).toContain('Enable public access');
    } finally {
      cluster.resourcesVpcConfig.endpointPublicAccess = true;
    }
    const otherCa = Buffer.from(
      (await import('../../local/sandbox/kubernetes/pki.js')).makeClusterPki(new Date()).caCertPem,
    ).toString('base64');
    const tls = await diagnosisOf(
      configureCluster(
        input(),
        deps(customerCreds, (o) => kubeApi({ ...o, certificateAuthorityData: otherCa })),
      ),
    );
    expect(tls.code).toBe('KUBERNETES_API_UNREACHABLE');
    expect(tls.message).toContain('not signed by the cluster CA');
  });
});
