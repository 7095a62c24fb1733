/**
 * Rolling node group updates: nodes replaced one at a time, each old node's pods evicted through the
 * Kubernetes eviction rules (`kubernetes/eviction.ts`, its drain mocked here to play a PodDisruptionBudget that
 * allows no disruption); EKS gives up after 15 minutes with PodEvictionFailure, also through CloudFormation.
 */
import { CreateStackCommand, DescribeStackEventsCommand, UpdateStackCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeNodegroupCommand,
  DescribeUpdateCommand,
  type Update,
  UpdateClusterVersionCommand,
  UpdateNodegroupVersionCommand,
} from '@aws-sdk/client-eks';
import { describe, expect, it, vi } from 'vitest';
import { nodesOf } from '../../local/sandbox/kubernetes/objects.js';
import type { Sandbox } from '../../local/sandbox/server.js';
import { eksParameters, eksTemplate } from './cloudformation-fixtures.js';
import { type SandboxClients, sandboxForFile, waitForStack } from './helpers.js';

const blocked = new Set<string>();
const evictions: { cluster: string; node: string }[] = [];
vi.mock('../../local/sandbox/kubernetes/eviction.js', async (importOriginal) => ({
  // The Kubernetes front still registers its worlds with the real module; only the drain is played.
  ...(await importOriginal<typeof import('../../local/sandbox/kubernetes/eviction.js')>()),
  evictPodsFromNode: (cluster: string, node: string) => {
    evictions.push({ cluster, node });
    return blocked.has(cluster)
      ? { ok: false, pdb: { name: 'web', namespace: 'default' }, pod: 'web-0' }
      : { ok: true };
  },
}));

let sb: Sandbox;
let c: SandboxClients;
sandboxForFile({ timeScale: 20_000 }, (s, cs) => {
  sb = s;
  c = cs;
});

async function settled(name: string, id: string, nodegroupName: string): Promise<Update> {
  const until = Date.now() + 10_000;
  for (;;) {
    const u = (await c.eks.send(new DescribeUpdateCommand({ name, updateId: id, nodegroupName }))).update!;
    if (u.status !== 'InProgress') return u;
    if (Date.now() > until) throw new Error(`update ${id} still InProgress`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A 1.32 stack whose control plane is then upgraded to 1.33 (node group left at 1.32). */
async function clusterBehind(name: string, template = eksTemplate()): Promise<string> {
  await c.cfn.send(
    new CreateStackCommand({
      StackName: name,
      TemplateBody: JSON.stringify(template),
      Parameters: eksParameters({ ClusterName: name, Version: '1.32', NodeCount: '3' }),
      Capabilities: ['CAPABILITY_IAM'],
    }),
  );
  const s = await waitForStack(c.cfn, name);
  expect(s.StackStatus).toBe('CREATE_COMPLETE');
  const { update } = await c.eks.send(new UpdateClusterVersionCommand({ name, version: '1.33' }));
  const until = Date.now() + 10_000;
  while (
    (await c.eks.send(new DescribeUpdateCommand({ name, updateId: update!.id! }))).update!.status === 'InProgress'
  ) {
    if (Date.now() > until) throw new Error('cluster upgrade did not finish');
    await new Promise((r) => setTimeout(r, 10));
  }
  return s.Outputs!.find((o) => o.OutputKey === 'NodegroupName')!.OutputValue!;
}

describe('node group rolling update', () => {
  it('drains every old node (by its Kubernetes node name), one at a time, then reports the new version', async () => {
    const ng = await clusterBehind('roll');
    const cluster = sb.world.data.eksClusters.find((x) => x.name === 'roll')!;
    const names = nodesOf(sb.world, cluster, 1).map((n) => n.metadata.name);
    expect(names).toHaveLength(3);
    evictions.length = 0;
    const { update } = await c.eks.send(new UpdateNodegroupVersionCommand({ clusterName: 'roll', nodegroupName: ng }));
    expect((await settled('roll', update!.id!, ng)).status).toBe('Successful');
    expect(evictions).toEqual(names.map((node) => ({ cluster: 'roll', node })));
    expect(
      (await c.eks.send(new DescribeNodegroupCommand({ clusterName: 'roll', nodegroupName: ng }))).nodegroup,
    ).toMatchObject({ version: '1.33', status: 'ACTIVE' });
  });

  it('a PodDisruptionBudget that allows no disruption fails the update after 15 minutes: PodEvictionFailure', async () => {
    const ng = await clusterBehind('pdb');
    const cluster = sb.world.data.eksClusters.find((x) => x.name === 'pdb')!;
    const registered = () => nodesOf(sb.world, cluster, 20_000).map((n) => n.metadata.resourceVersion);
    const before = registered();
    blocked.add('pdb');
    try {
      const { update } = await c.eks.send(new UpdateNodegroupVersionCommand({ clusterName: 'pdb', nodegroupName: ng }));
      const done = await settled('pdb', update!.id!, ng);
      expect(done.status).toBe('Failed');
      expect(done.errors).toEqual([
        {
          errorCode: 'PodEvictionFailure',
          errorMessage: `Reached max retries while trying to evict pods from nodes in node group ${ng}`,
          resourceIds: [expect.any(String)],
        },
      ]);
      // The nodes keep their version; the node group is usable again.
      expect(
        (await c.eks.send(new DescribeNodegroupCommand({ clusterName: 'pdb', nodegroupName: ng }))).nodegroup,
      ).toMatchObject({ version: '1.32', status: 'ACTIVE' });
      // A failed roll restarts no node: they keep their registration (and their pods stay Ready), so a
      // PodDisruptionBudget read right after still counts its pods healthy.
      expect(registered()).toEqual(before);
      // force skips the eviction rules, as EKS's --force does.
      const forced = await c.eks.send(
        new UpdateNodegroupVersionCommand({ clusterName: 'pdb', nodegroupName: ng, force: true }),
      );
      expect((await settled('pdb', forced.update!.id!, ng)).status).toBe('Successful');
    } finally {
      blocked.delete('pdb');
    }
  });

  it('through CloudFormation: the blocked roll fails the Nodegroup update and the stack rolls back', async () => {
    const template = eksTemplate() as {
      Parameters: Record<string, unknown>;
      Resources: Record<string, { Properties: Record<string, unknown> }>;
    };
    template.Parameters.NodeVersion = { Type: 'String', Default: '1.32' };
    template.Resources.Nodegroup!.Properties.Version = { Ref: 'NodeVersion' };
    const params = (nodeVersion: string) => [
      ...eksParameters({ ClusterName: 'cfnpdb', Version: '1.33', NodeCount: '3' }),
      { ParameterKey: 'NodeVersion', ParameterValue: nodeVersion },
    ];
    // Control plane at 1.33, nodes one minor behind (allowed skew).
    await c.cfn.send(
      new CreateStackCommand({
        StackName: 'cfnpdb',
        TemplateBody: JSON.stringify(template),
        Parameters: params('1.32'),
        Capabilities: ['CAPABILITY_IAM'],
      }),
    );
    expect((await waitForStack(c.cfn, 'cfnpdb')).StackStatus).toBe('CREATE_COMPLETE');
    blocked.add('cfnpdb');
    try {
      await c.cfn.send(
        new UpdateStackCommand({
          StackName: 'cfnpdb',
          TemplateBody: JSON.stringify(template),
          Parameters: params('1.33'),
          Capabilities: ['CAPABILITY_IAM'],
        }),
      );
      const s = await waitForStack(c.cfn, 'cfnpdb');
      expect(s.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
      const events = (await c.cfn.send(new DescribeStackEventsCommand({ StackName: 'cfnpdb' }))).StackEvents!;
      const failed = events.find((e) => e.LogicalResourceId === 'Nodegroup' && e.ResourceStatus === 'UPDATE_FAILED')!;
      expect(failed.ResourceStatusReason).toContain(
        'ErrorCode=PodEvictionFailure, ErrorMessage=Reached max retries while trying to evict pods from nodes in node group',
      );
      expect(failed.ResourceStatusReason).toContain('HandlerErrorCode: GeneralServiceException');
      expect(s.Parameters!.find((p) => p.ParameterKey === 'NodeVersion')!.ParameterValue).toBe('1.32');
    } finally {
      blocked.delete('cfnpdb');
    }
  });

  it('through CloudFormation: a version update with a scaling change is refused, as the EKS handler does', async () => {
    const template = eksTemplate() as {
      Parameters: Record<string, unknown>;
      Resources: Record<string, { Properties: Record<string, unknown> }>;
    };
    template.Parameters.NodeVersion = { Type: 'String', Default: '1.32' };
    template.Resources.Nodegroup!.Properties.Version = { Ref: 'NodeVersion' };
    const params = (nodeVersion: string, nodes: string) => [
      ...eksParameters({ ClusterName: 'cfnmix', Version: '1.33', NodeCount: nodes }),
      { ParameterKey: 'NodeVersion', ParameterValue: nodeVersion },
    ];
    const send = (nodeVersion: string, nodes: string, update = true) =>
      c.cfn.send(
        update
          ? new UpdateStackCommand({
              StackName: 'cfnmix',
              TemplateBody: JSON.stringify(template),
              Parameters: params(nodeVersion, nodes),
              Capabilities: ['CAPABILITY_IAM'],
            })
          : new CreateStackCommand({
              StackName: 'cfnmix',
              TemplateBody: JSON.stringify(template),
              Parameters: params(nodeVersion, nodes),
              Capabilities: ['CAPABILITY_IAM'],
            }),
      );
    await send('1.32', '2', false);
    expect((await waitForStack(c.cfn, 'cfnmix')).StackStatus).toBe('CREATE_COMPLETE');
    await send('1.33', '3');
    expect((await waitForStack(c.cfn, 'cfnmix')).StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    const events = (await c.cfn.send(new DescribeStackEventsCommand({ StackName: 'cfnmix' }))).StackEvents!;
    const failed = events.find((e) => e.LogicalResourceId === 'Nodegroup' && e.ResourceStatus === 'UPDATE_FAILED')!;
    expect(failed.ResourceStatusReason).toContain(
      'Version and ReleaseVersion updates cannot be combined with other updates',
    );
    // One at a time goes through.
    await send('1.33', '2');
    expect((await waitForStack(c.cfn, 'cfnmix')).StackStatus).toBe('UPDATE_COMPLETE');
  });
});
