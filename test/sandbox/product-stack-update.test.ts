/**
 * The product's own cluster template through the sandbox's stack updates, as issue 22's update machine
 * drives them: a change set with new parameters and the current template — Kubernetes version +1 (in
 * place), node count (in place), instance type (node group replaced, new one first), an admin principal
 * added (access entry added).
 */
import {
  CreateChangeSetCommand,
  DescribeChangeSetCommand,
  type DescribeChangeSetCommandOutput,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  type Parameter,
} from '@aws-sdk/client-cloudformation';
import {
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  ListAccessEntriesCommand,
  ListNodegroupsCommand,
} from '@aws-sdk/client-eks';
import { describe, expect, it } from 'vitest';
import {
  type CreateClusterStackInput,
  createClusterStack,
} from '../../functions/create-cluster-stack/create-cluster-stack.js';
import { DEMO } from '../../local/sandbox/world/default-world.js';
import { demoSettings } from '../support/demo-settings.js';
import { type SandboxClients, sandboxForFile, waitForStack } from './helpers.js';

let c: SandboxClients;
sandboxForFile({ timeScale: 20_000 }, (_s, cs) => {
  c = cs;
});

function input(): CreateClusterStackInput {
  const cluster = demoSettings({
    name: 'upd',
    vpcId: DEMO.vpcId,
    subnetIds: DEMO.subnetIds.slice(0, 2),
    securityGroupIds: [DEMO.securityGroupId],
    keyName: undefined,
    adminPrincipalArns: [],
    nodeCount: 2,
  });
  return {
    tenantId: 'tenant-a',
    clusterId: 'c-updateupdate1',
    accountId: '222222222222',
    region: 'us-east-1',
    stackName: 'eks-provisioner-upd',
    executionArn: 'arn:aws:states:us-east-1:111111111111:execution:sm:c-updateupdate1',
    startedAt: new Date().toISOString(),
    cluster,
    preflight: {
      kubernetesVersion: '1.32',
      vpcId: DEMO.vpcId,
      subnets: [
        { subnetId: DEMO.subnetIds[0]!, availabilityZone: 'us-east-1a', availabilityZoneId: 'use1-az1' },
        { subnetId: DEMO.subnetIds[1]!, availabilityZone: 'us-east-1b', availabilityZoneId: 'use1-az2' },
      ],
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      securityGroupIds: cluster.securityGroupIds,
      serviceRoleArn: DEMO.serviceRoleArn,
    },
  };
}

async function changeSet(
  stack: string,
  name: string,
  changed: Record<string, string>,
): Promise<DescribeChangeSetCommandOutput> {
  const current = (await c.cfn.send(new DescribeStacksCommand({ StackName: stack }))).Stacks![0]!.Parameters!;
  const params: Parameter[] = current.map((p) =>
    p.ParameterKey! in changed
      ? { ParameterKey: p.ParameterKey, ParameterValue: changed[p.ParameterKey!] }
      : { ParameterKey: p.ParameterKey, UsePreviousValue: true },
  );
  await c.cfn.send(
    new CreateChangeSetCommand({
      StackName: stack,
      ChangeSetName: name,
      UsePreviousTemplate: true,
      Parameters: params,
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
    }),
  );
  const until = Date.now() + 10_000;
  for (;;) {
    const cs = await c.cfn.send(new DescribeChangeSetCommand({ StackName: stack, ChangeSetName: name }));
    if (cs.Status !== 'CREATE_PENDING' && cs.Status !== 'CREATE_IN_PROGRESS') return cs;
    if (Date.now() > until) throw new Error(`change set ${name} still ${cs.Status}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const summary = (cs: DescribeChangeSetCommandOutput) =>
  cs
    .Changes!.map(
      (x) =>
        `${x.ResourceChange!.Action} ${x.ResourceChange!.LogicalResourceId}${x.ResourceChange!.Replacement ? ` ${x.ResourceChange!.Replacement}` : ''}`,
    )
    .sort();

describe('the cluster template through change sets', () => {
  it('version +1, node count, instance type, an admin added: each planned and applied as AWS would', async () => {
    const req = input();
    const ref = await createClusterStack(req, { cloudformation: c.cfn, now: () => new Date() });
    expect((await waitForStack(c.cfn, ref.stackName, 20_000)).StackStatus).toBe('CREATE_COMPLETE');

    const upgrade = await changeSet(ref.stackName, 'upgrade', { KubernetesVersion: '1.33', NodeCount: '3' });
    expect(summary(upgrade)).toEqual(['Modify Cluster False', 'Modify Nodegroup False']);
    await c.cfn.send(new ExecuteChangeSetCommand({ StackName: ref.stackName, ChangeSetName: 'upgrade' }));
    expect((await waitForStack(c.cfn, ref.stackName, 20_000)).StackStatus).toBe('UPDATE_COMPLETE');
    expect((await c.eks.send(new DescribeClusterCommand({ name: 'upd' }))).cluster!.version).toBe('1.33');
    const [ng1] = (await c.eks.send(new ListNodegroupsCommand({ clusterName: 'upd' }))).nodegroups!;
    expect(
      (await c.eks.send(new DescribeNodegroupCommand({ clusterName: 'upd', nodegroupName: ng1! }))).nodegroup!
        .scalingConfig!.desiredSize,
    ).toBe(3);

    const bigger = await changeSet(ref.stackName, 'bigger', { NodeInstanceType: 'm5.large' });
    expect(summary(bigger)).toEqual(['Modify Nodegroup True']);
    await c.cfn.send(new ExecuteChangeSetCommand({ StackName: ref.stackName, ChangeSetName: 'bigger' }));
    const s = await waitForStack(c.cfn, ref.stackName, 20_000);
    expect(s.StackStatus).toBe('UPDATE_COMPLETE');
    const groups = (await c.eks.send(new ListNodegroupsCommand({ clusterName: 'upd' }))).nodegroups!;
    expect(groups).toHaveLength(1);
    expect(groups[0]).not.toBe(ng1);
    expect(s.Outputs!.find((o) => o.OutputKey === 'NodegroupName')!.OutputValue).toBe(groups[0]);

    const admin = await changeSet(ref.stackName, 'admin', { AdminPrincipalArn1: DEMO.serviceRoleArn });
    expect(summary(admin)).toEqual(['Add AdminAccessEntry1']);
    await c.cfn.send(new ExecuteChangeSetCommand({ StackName: ref.stackName, ChangeSetName: 'admin' }));
    expect((await waitForStack(c.cfn, ref.stackName, 20_000)).StackStatus).toBe('UPDATE_COMPLETE');
    expect((await c.eks.send(new ListAccessEntriesCommand({ clusterName: 'upd' }))).accessEntries).toContain(
      DEMO.serviceRoleArn,
    );
  });
});
