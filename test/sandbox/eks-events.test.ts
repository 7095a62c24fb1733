import {
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribeClusterVersionsCommand,
  DescribeNodegroupCommand,
  ListClustersCommand,
  ListNodegroupsCommand,
} from '@aws-sdk/client-eks';
import { CreateEventBusCommand, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { productWorld } from '../../local/runner/product-world.js';
import type { Sandbox } from '../../local/sandbox/server.js';
import { DEMO } from '../../local/sandbox/world/default-world.js';
import type { WorldData } from '../../local/sandbox/world/types.js';
import { clients, customerCreds, failure, serviceCreds, start } from './helpers.js';

/** A world with one ACTIVE cluster, a degraded node group and an add-on, as the CloudFormation engine leaves them. */
function worldWithCluster(): WorldData {
  const w = productWorld();
  const base = { accountId: '222222222222', region: 'us-east-1' };
  const t = '2026-01-01T00:00:00.000Z';
  w.eksClusters.push({
    ...base,
    name: 'demo',
    arn: 'arn:aws:eks:us-east-1:222222222222:cluster/demo',
    version: '1.33',
    platformVersion: 'eks.12',
    roleArn: DEMO.serviceRoleArn,
    status: 'ACTIVE',
    endpoint: 'https://0123456789ABCDEF0123456789ABCDEF.gr7.us-east-1.eks.amazonaws.com',
    certificateAuthorityData: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t',
    oidcIssuer: 'https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF',
    resourcesVpcConfig: {
      subnetIds: [...DEMO.subnetIds],
      securityGroupIds: [DEMO.securityGroupId],
      vpcId: DEMO.vpcId,
      endpointPublicAccess: true,
      endpointPrivateAccess: false,
    },
    accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' },
    tags: { 'eks-provisioner:cluster-id': 'c-1' },
    createdAt: t,
  });
  w.eksNodegroups.push({
    ...base,
    clusterName: 'demo',
    nodegroupName: 'demo-nodes',
    nodegroupArn: 'arn:aws:eks:us-east-1:222222222222:nodegroup/demo/demo-nodes/abcd',
    version: '1.33',
    status: 'CREATE_FAILED',
    capacityType: 'ON_DEMAND',
    scalingConfig: { minSize: 2, maxSize: 2, desiredSize: 2 },
    instanceTypes: ['t3.medium'],
    subnets: [...DEMO.subnetIds],
    amiType: 'AL2023_x86_64_STANDARD',
    nodeRole: 'arn:aws:iam::222222222222:role/demo-node-role',
    health: {
      issues: [
        {
          code: 'NodeCreationFailure',
          message: 'Instances failed to join the kubernetes cluster',
          resourceIds: ['i-0123456789abcdef0'],
        },
      ],
    },
    tags: {},
    createdAt: t,
    modifiedAt: t,
  });
  w.eksAddons.push({
    ...base,
    clusterName: 'demo',
    addonName: 'vpc-cni',
    addonArn: 'arn:aws:eks:us-east-1:222222222222:addon/demo/vpc-cni/abcd',
    addonVersion: 'v1.19.2-eksbuild.1',
    status: 'ACTIVE',
    health: { issues: [] },
    tags: {},
    createdAt: t,
    modifiedAt: t,
  });
  return w;
}

let sb: Sandbox;
beforeAll(async () => {
  sb = await start({ world: worldWithCluster() });
});
afterAll(async () => {
  await sb.stop();
});
beforeEach(() => sb.world.reset());

describe('EKS', () => {
  it('DescribeCluster returns endpoint, CA data, OIDC issuer and ACTIVE status', async () => {
    const { eks } = clients(sb, customerCreds);
    const out = await eks.send(new DescribeClusterCommand({ name: 'demo' }));
    expect(out.cluster).toMatchObject({
      name: 'demo',
      status: 'ACTIVE',
      version: '1.33',
      roleArn: DEMO.serviceRoleArn,
      certificateAuthority: { data: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t' },
      identity: { oidc: { issuer: 'https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF' } },
      resourcesVpcConfig: { vpcId: DEMO.vpcId, subnetIds: DEMO.subnetIds },
      accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' },
    });
    expect(out.cluster?.createdAt).toEqual(new Date('2026-01-01T00:00:00.000Z'));
    const err = await failure(eks.send(new DescribeClusterCommand({ name: 'nope' })));
    expect(err.name).toBe('ResourceNotFoundException');
    expect(err.message).toBe('No cluster found for name: nope.');
    expect(err.$metadata?.httpStatusCode).toBe(404);
  });

  it('ListClusters paginates; other regions are empty', async () => {
    const { eks } = clients(sb, customerCreds);
    expect((await eks.send(new ListClustersCommand({}))).clusters).toEqual(['demo']);
    sb.world.data.eksClusters.push({
      ...sb.world.data.eksClusters[0]!,
      name: 'demo-2',
      arn: 'arn:aws:eks:us-east-1:222222222222:cluster/demo-2',
    });
    const p1 = await eks.send(new ListClustersCommand({ maxResults: 1 }));
    expect(p1.clusters).toEqual(['demo']);
    const p2 = await eks.send(new ListClustersCommand({ maxResults: 1, nextToken: p1.nextToken }));
    expect(p2).toMatchObject({ clusters: ['demo-2'] });
    expect(p2.nextToken).toBeUndefined();
    expect((await clients(sb, customerCreds, 'us-west-2').eks.send(new ListClustersCommand({}))).clusters).toEqual([]);
  });

  it('DescribeNodegroup shows NodeCreationFailure health issues; ListNodegroups', async () => {
    const { eks } = clients(sb, customerCreds);
    const out = await eks.send(new DescribeNodegroupCommand({ clusterName: 'demo', nodegroupName: 'demo-nodes' }));
    expect(out.nodegroup).toMatchObject({
      status: 'CREATE_FAILED',
      scalingConfig: { desiredSize: 2 },
      instanceTypes: ['t3.medium'],
    });
    expect(out.nodegroup?.health?.issues?.[0]).toMatchObject({
      code: 'NodeCreationFailure',
      resourceIds: ['i-0123456789abcdef0'],
    });
    expect((await eks.send(new ListNodegroupsCommand({ clusterName: 'demo' }))).nodegroups).toEqual(['demo-nodes']);
    const err = await failure(eks.send(new DescribeNodegroupCommand({ clusterName: 'demo', nodegroupName: 'x' })));
    expect(err).toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'No node group found for name: x.',
      nodegroupName: 'x',
    });
    expect((await failure(eks.send(new ListNodegroupsCommand({ clusterName: 'nope' })))).name).toBe(
      'ResourceNotFoundException',
    );
  });

  it('DescribeAddon', async () => {
    const { eks } = clients(sb, customerCreds);
    const out = await eks.send(new DescribeAddonCommand({ clusterName: 'demo', addonName: 'vpc-cni' }));
    expect(out.addon).toMatchObject({ addonName: 'vpc-cni', status: 'ACTIVE', addonVersion: 'v1.19.2-eksbuild.1' });
    const err = await failure(eks.send(new DescribeAddonCommand({ clusterName: 'demo', addonName: 'coredns' })));
    expect(err.message).toBe('No addon: coredns found in cluster: demo');
  });

  it('DescribeClusterVersions: supported versions newest first, default flag, status filter, includeAll', async () => {
    const { eks } = clients(sb, customerCreds);
    const out = await eks.send(new DescribeClusterVersionsCommand({}));
    expect(out.clusterVersions?.map((v) => [v.clusterVersion, v.versionStatus, v.defaultVersion])).toEqual([
      ['1.33', 'STANDARD_SUPPORT', true],
      ['1.32', 'STANDARD_SUPPORT', false],
      ['1.31', 'EXTENDED_SUPPORT', false],
    ]);
    expect(out.clusterVersions?.[0]?.endOfStandardSupportDate).toBeInstanceOf(Date);
    const extended = await eks.send(new DescribeClusterVersionsCommand({ versionStatus: 'EXTENDED_SUPPORT' }));
    expect(extended.clusterVersions?.map((v) => v.clusterVersion)).toEqual(['1.31']);
    const all = await eks.send(new DescribeClusterVersionsCommand({ includeAll: true }));
    expect(all.clusterVersions?.map((v) => v.clusterVersion)).toContain('1.30');
    const def = await eks.send(new DescribeClusterVersionsCommand({ defaultOnly: true }));
    expect(def.clusterVersions?.map((v) => v.clusterVersion)).toEqual(['1.33']);
  });

  it('denies callers without eks permissions (AccessDeniedException) and unknown keys (UnrecognizedClientException)', async () => {
    const err = await failure(clients(sb, serviceCreds).eks.send(new DescribeClusterCommand({ name: 'demo' })));
    expect(err.name).toBe('AccessDeniedException');
    expect(err.message).toContain(
      'is not authorized to perform: eks:DescribeCluster on resource: arn:aws:eks:us-east-1:111111111111:cluster/demo',
    );
    const unknown = await failure(
      clients(sb, { accessKeyId: 'AKIANOBODYNOBODY0000', secretAccessKey: 'x' }).eks.send(new ListClustersCommand({})),
    );
    expect(unknown.name).toBe('UnrecognizedClientException');
  });
});

describe('EventBridge', () => {
  it('PutEvents to an existing bus is captured; to a missing bus fails per entry', async () => {
    const { events } = clients(sb, serviceCreds);
    const created = await events.send(new CreateEventBusCommand({ Name: 'eks-provisioner' }));
    expect(created.EventBusArn).toBe('arn:aws:events:us-east-1:111111111111:event-bus/eks-provisioner');
    const dup = await failure(events.send(new CreateEventBusCommand({ Name: 'eks-provisioner' })));
    expect(dup.name).toBe('ResourceAlreadyExistsException');

    const out = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'eks-provisioner',
            Source: 'eks-provisioner',
            DetailType: 'EKS Cluster Provisioning Started',
            Detail: JSON.stringify({ clusterId: 'c-1' }),
          },
          { EventBusName: 'missing-bus', Source: 'eks-provisioner', DetailType: 'x', Detail: '{}' },
          { EventBusName: created.EventBusArn, Source: 'eks-provisioner', DetailType: 'x', Detail: 'not json' },
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(1);
    expect(out.Entries?.[0]?.EventId).toBeTruthy();
    // As AWS: an entry for a bus that does not exist is accepted (an id, no error) and goes nowhere.
    expect(out.Entries?.[1]?.EventId).toBeTruthy();
    expect(out.Entries?.[1]?.ErrorCode).toBeUndefined();
    expect(out.Entries?.[2]).toMatchObject({ ErrorCode: 'MalformedDetail' });

    const inspected = (await (await fetch(`${sb.url}/_sandbox/events?source=eks-provisioner`)).json()) as {
      events: { detailType: string; detail: unknown; eventBusName: string; accountId: string }[];
    };
    expect(inspected.events).toEqual([
      expect.objectContaining({
        detailType: 'EKS Cluster Provisioning Started',
        detail: { clusterId: 'c-1' },
        eventBusName: 'eks-provisioner',
        accountId: '111111111111',
      }),
    ]);
  });

  it('denies PutEvents on a bus the caller may not use', async () => {
    const { events } = clients(sb, serviceCreds);
    // The service user may use its own account's buses only; the customer admin's default bus is not its own.
    sb.world.user('111111111111', 'eks-provisioner')!.inlinePolicies = {};
    const err = await failure(
      events.send(new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 'd', Detail: '{}' }] })),
    );
    expect(err.name).toBe('AccessDeniedException');
    expect(err.$metadata?.httpStatusCode).toBe(400);
  });
});
