/**
 * EKS updates over the wire (SDK v3): version upgrades one minor at a time, one update at a time, node
 * group version skew, upgrade policy, DescribeClusterVersions support dates, add-on versions, insights.
 */
import { CreateStackCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeAddonVersionsCommand,
  DescribeClusterCommand,
  DescribeClusterVersionsCommand,
  DescribeInsightCommand,
  DescribeNodegroupCommand,
  DescribeUpdateCommand,
  ListInsightsCommand,
  ListUpdatesCommand,
  type Update,
  UpdateAddonCommand,
  UpdateClusterConfigCommand,
  UpdateClusterVersionCommand,
  UpdateNodegroupConfigCommand,
  UpdateNodegroupVersionCommand,
} from '@aws-sdk/client-eks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../local/sandbox/server.js';
import { eksParameters, eksTemplate } from './cloudformation-fixtures.js';
import { clients, customerCreds, failure, start, waitForStack } from './helpers.js';

let sb: Sandbox;
let c: ReturnType<typeof clients>;
let ngName: string;

beforeAll(async () => {
  sb = await start({ timeScale: 20_000 });
  c = clients(sb, customerCreds);
  await c.cfn.send(
    new CreateStackCommand({
      StackName: 'upd',
      TemplateBody: JSON.stringify(eksTemplate()),
      Parameters: eksParameters({ ClusterName: 'upd', Version: '1.32' }),
      Capabilities: ['CAPABILITY_IAM'],
    }),
  );
  const s = await waitForStack(c.cfn, 'upd');
  expect(s.StackStatus).toBe('CREATE_COMPLETE');
  ngName = s.Outputs!.find((o) => o.OutputKey === 'NodegroupName')!.OutputValue!;
});

afterAll(async () => {
  await sb?.stop();
});

async function settled(
  name: string,
  id: string,
  extra: { nodegroupName?: string; addonName?: string } = {},
): Promise<Update> {
  const until = Date.now() + 10_000;
  for (;;) {
    const u = (await c.eks.send(new DescribeUpdateCommand({ name, updateId: id, ...extra }))).update!;
    if (u.status !== 'InProgress') return u;
    if (Date.now() > until) throw new Error(`update ${id} still InProgress`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('EKS updates', () => {
  it('DescribeClusterVersions gives support dates and status per version', async () => {
    const versions = (await c.eks.send(new DescribeClusterVersionsCommand({}))).clusterVersions!;
    const v132 = versions.find((v) => v.clusterVersion === '1.32')!;
    expect(v132.versionStatus).toBe('STANDARD_SUPPORT');
    expect(v132.endOfStandardSupportDate).toBeInstanceOf(Date);
    expect(v132.endOfExtendedSupportDate!.getTime()).toBeGreaterThan(v132.endOfStandardSupportDate!.getTime());
  });

  it('a cluster without UpgradePolicy is EXTENDED (AWS default); UpdateClusterConfig sets STANDARD', async () => {
    expect((await c.eks.send(new DescribeClusterCommand({ name: 'upd' }))).cluster!.upgradePolicy).toEqual({
      supportType: 'EXTENDED',
    });
    const { update } = await c.eks.send(
      new UpdateClusterConfigCommand({ name: 'upd', upgradePolicy: { supportType: 'STANDARD' } }),
    );
    expect(update).toMatchObject({
      type: 'UpgradePolicyUpdate',
      status: 'InProgress',
      params: [{ type: 'UpgradePolicy', value: 'STANDARD' }],
    });
    expect((await settled('upd', update!.id!)).status).toBe('Successful');
    expect((await c.eks.send(new DescribeClusterCommand({ name: 'upd' }))).cluster!.upgradePolicy).toEqual({
      supportType: 'STANDARD',
    });
    const twice = await failure(
      c.eks.send(
        new UpdateClusterConfigCommand({
          name: 'upd',
          upgradePolicy: { supportType: 'STANDARD' },
          accessConfig: { authenticationMode: 'API' },
        }),
      ),
    );
    expect(twice.name).toBe('InvalidParameterException');
  });

  it('upgrades one minor at a time, one update at a time; the cluster is UPDATING meanwhile', async () => {
    const skip = await failure(c.eks.send(new UpdateClusterVersionCommand({ name: 'upd', version: '1.34' })));
    expect(skip.name).toBe('InvalidParameterException');
    expect(skip.message).toBe('Unsupported Kubernetes minor version update from 1.32 to 1.34');
    const down = await failure(c.eks.send(new UpdateClusterVersionCommand({ name: 'upd', version: '1.31' })));
    expect(down.message).toBe('Unsupported Kubernetes minor version update from 1.32 to 1.31');

    // Hold the update (100 h of AWS time ≈ 18 s here) so a loaded machine still sees it running.
    sb.world.data.flags.extraProvisioningDelayMs = 360_000_000;
    let id: string;
    try {
      const { update } = await c.eks.send(
        new UpdateClusterVersionCommand({ name: 'upd', version: '1.33', clientRequestToken: 'up-1' }),
      );
      id = update!.id!;
      expect(update).toMatchObject({ type: 'VersionUpdate', status: 'InProgress' });
      expect(update!.params).toContainEqual({ type: 'Version', value: '1.33' });
      expect((await c.eks.send(new DescribeClusterCommand({ name: 'upd' }))).cluster!.status).toBe('UPDATING');
      const busy = await failure(c.eks.send(new UpdateClusterVersionCommand({ name: 'upd', version: '1.33' })));
      expect(busy.name).toBe('ResourceInUseException');
      // Same token: the same update.
      expect(
        (
          await c.eks.send(
            new UpdateClusterVersionCommand({ name: 'upd', version: '1.33', clientRequestToken: 'up-1' }),
          )
        ).update!.id,
      ).toBe(id);
    } finally {
      sb.world.data.flags.extraProvisioningDelayMs = 0;
    }
    sb.world.advanceClock(20_000);
    expect((await settled('upd', id)).status).toBe('Successful');
    const cluster = (await c.eks.send(new DescribeClusterCommand({ name: 'upd' }))).cluster!;
    expect(cluster).toMatchObject({ version: '1.33', status: 'ACTIVE' });
    expect((await c.eks.send(new ListUpdatesCommand({ name: 'upd' }))).updateIds).toContain(id);
  });

  it('node groups must catch up before the next upgrade; never above the control plane', async () => {
    sb.world.data.regions[0]!.eksVersions.push({
      ...sb.world.data.regions[0]!.eksVersions.at(-1)!,
      version: '1.34',
      defaultVersion: false,
    });
    const behind = await failure(c.eks.send(new UpdateClusterVersionCommand({ name: 'upd', version: '1.34' })));
    expect(behind.name).toBe('InvalidParameterException');
    expect(behind.message).toBe(
      `Nodegroups ${ngName} must be updated to match cluster version 1.33 before updating cluster version`,
    );
    const above = await failure(
      c.eks.send(new UpdateNodegroupVersionCommand({ clusterName: 'upd', nodegroupName: ngName, version: '1.34' })),
    );
    expect(above.message).toBe('Requested Nodegroup Kubernetes version 1.34 is greater than cluster version 1.33');

    sb.world.data.flags.extraProvisioningDelayMs = 360_000_000;
    let update: Update | undefined;
    try {
      update = (await c.eks.send(new UpdateNodegroupVersionCommand({ clusterName: 'upd', nodegroupName: ngName })))
        .update;
      expect(
        (await c.eks.send(new DescribeNodegroupCommand({ clusterName: 'upd', nodegroupName: ngName }))).nodegroup!
          .status,
      ).toBe('UPDATING');
    } finally {
      sb.world.data.flags.extraProvisioningDelayMs = 0;
    }
    sb.world.advanceClock(20_000);
    expect((await settled('upd', update!.id!, { nodegroupName: ngName })).status).toBe('Successful');
    expect(
      (await c.eks.send(new DescribeNodegroupCommand({ clusterName: 'upd', nodegroupName: ngName }))).nodegroup,
    ).toMatchObject({ version: '1.33', status: 'ACTIVE' });
  });

  it('scales a node group within its limits', async () => {
    const bad = await failure(
      c.eks.send(
        new UpdateNodegroupConfigCommand({
          clusterName: 'upd',
          nodegroupName: ngName,
          scalingConfig: { desiredSize: 5 },
        }),
      ),
    );
    expect(bad.message).toBe("Desired capacity 5 can't be greater than max size 2");
    const { update } = await c.eks.send(
      new UpdateNodegroupConfigCommand({
        clusterName: 'upd',
        nodegroupName: ngName,
        scalingConfig: { maxSize: 5, desiredSize: 4 },
      }),
    );
    expect(update!.type).toBe('ConfigUpdate');
    expect((await settled('upd', update!.id!, { nodegroupName: ngName })).status).toBe('Successful');
    expect(
      (await c.eks.send(new DescribeNodegroupCommand({ clusterName: 'upd', nodegroupName: ngName }))).nodegroup!
        .scalingConfig,
    ).toEqual({ minSize: 2, maxSize: 5, desiredSize: 4 });
  });

  it('DescribeAddonVersions: kube-proxy per Kubernetes minor, one default each; UpdateAddon checks compatibility', async () => {
    const addons = (
      await c.eks.send(new DescribeAddonVersionsCommand({ addonName: 'kube-proxy', kubernetesVersion: '1.33' }))
    ).addons!;
    expect(addons[0]!.addonVersions!.map((v) => v.addonVersion)).toEqual(['v1.33.0-eksbuild.2']);
    expect(addons[0]!.addonVersions![0]!.compatibilities).toEqual([
      { clusterVersion: '1.33', platformVersions: ['*'], defaultVersion: true },
    ]);
    const wrong = await failure(
      c.eks.send(
        new UpdateAddonCommand({ clusterName: 'upd', addonName: 'kube-proxy', addonVersion: 'v1.31.0-eksbuild.2' }),
      ),
    );
    expect(wrong.name).toBe('InvalidParameterException');
    const { update } = await c.eks.send(
      new UpdateAddonCommand({ clusterName: 'upd', addonName: 'kube-proxy', addonVersion: 'v1.33.0-eksbuild.2' }),
    );
    expect((await settled('upd', update!.id!, { addonName: 'kube-proxy' })).status).toBe('Successful');
  });

  it('upgrade insights: PASSING by default; the world flag makes deprecated APIs an ERROR with details', async () => {
    const passing = (
      await c.eks.send(new ListInsightsCommand({ clusterName: 'upd', filter: { categories: ['UPGRADE_READINESS'] } }))
    ).insights!;
    expect(passing.map((i) => i.insightStatus!.status)).not.toContain('ERROR');
    sb.world.data.flags.upgradeInsightError = true;
    try {
      const errors = (
        await c.eks.send(new ListInsightsCommand({ clusterName: 'upd', filter: { statuses: ['ERROR'] } }))
      ).insights!;
      expect(errors.map((i) => i.name)).toEqual(['Deprecated APIs removed in Kubernetes v1.34']);
      const detail = (await c.eks.send(new DescribeInsightCommand({ clusterName: 'upd', id: errors[0]!.id! })))
        .insight!;
      expect(detail.categorySpecificSummary!.deprecationDetails![0]).toMatchObject({ stopServingVersion: '1.34' });
      // An ERROR insight blocks the upgrade unless forced, as EKS's readiness checks do.
      const blocked = await failure(c.eks.send(new UpdateClusterVersionCommand({ name: 'upd', version: '1.34' })));
      expect(blocked.name).toBe('InvalidStateException');
      expect(blocked.message).toContain('Amazon EKS detected upgrade readiness issues');
      const { update } = await c.eks.send(
        new UpdateClusterVersionCommand({ name: 'upd', version: '1.34', force: true }),
      );
      expect((await settled('upd', update!.id!)).status).toBe('Successful');
    } finally {
      sb.world.data.flags.upgradeInsightError = false;
    }
  });
});
