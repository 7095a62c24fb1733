/** The stage planner (lib/update/stages.ts) and the plan's stages (lib/update/plan.ts). */
import { describe, expect, it } from 'vitest';
import { parseClusterSettings } from '../../../functions/lib/schema/cluster-settings.js';
import { clusterStackParameters } from '../../../functions/lib/template/index.js';
import { applyClusterPatch } from '../../../functions/lib/update/patch.js';
import { buildUpdatePlan } from '../../../functions/lib/update/plan.js';
import { planUpdateStages, stageParameters } from '../../../functions/lib/update/stages.js';

const opts = { roleNamePrefix: 'eks-provisioner-' };
const settings = (over: Record<string, unknown> = {}) => {
  const r = parseClusterSettings(
    {
      name: 'demo',
      region: 'us-east-1',
      provisionRoleArn: 'arn:aws:iam::222222222222:role/eks-provisioner-provision',
      serviceRoleArn: 'arn:aws:iam::222222222222:role/eks-cluster-role',
      kubernetesVersion: '1.32',
      vpcId: 'vpc-0a1b2c3d4e5f60718',
      subnetIds: ['subnet-0a1b2c3d4e5f60711', 'subnet-0a1b2c3d4e5f60712'],
      instanceType: 'm5.large',
      nodeCount: 2,
      ...over,
    },
    opts,
  );
  if (!r.ok) throw new Error(JSON.stringify(r.diagnosis));
  return r.settings;
};
const patched = (patch: Record<string, unknown>) => {
  const p = applyClusterPatch(settings(), '1.32', patch, opts);
  if (!p.ok) throw new Error(JSON.stringify(p.diagnosis));
  return p;
};
const names = (s: Array<{ name: string }>) => s.map((x) => x.name);

describe('planUpdateStages', () => {
  it('a version upgrade: the control plane first, then the nodes with add-ons and the rest', () => {
    const stages = planUpdateStages(
      { controlPlaneVersion: '1.32', nodegroupVersion: '1.32' },
      patched({ kubernetesVersion: '1.33', instanceType: 't3.large' }).changes,
    );
    expect(stages).toEqual([
      {
        name: 'control-plane',
        title: 'Control plane to Kubernetes 1.33',
        controlPlaneVersion: '1.33',
        nodegroupVersion: '1.32',
        rest: 'current',
      },
      {
        name: 'nodes',
        title: 'Node group to Kubernetes 1.33, add-ons and the other changes',
        controlPlaneVersion: '1.33',
        nodegroupVersion: '1.33',
        rest: 'target',
      },
    ]);
  });

  it('the control plane already on the target (an earlier node stage rolled back): the node stage only', () => {
    expect(
      names(
        planUpdateStages(
          { controlPlaneVersion: '1.33', nodegroupVersion: '1.32' },
          patched({ kubernetesVersion: '1.33' }).changes,
        ),
      ),
    ).toEqual(['nodes']);
  });

  it('no version change: one stage that keeps the versions the cluster runs, even a skew left by a failed upgrade', () => {
    const [only, ...rest] = planUpdateStages(
      { controlPlaneVersion: '1.33', nodegroupVersion: '1.32' },
      patched({ nodeCount: 3 }).changes,
    );
    expect(rest).toEqual([]);
    expect(only).toMatchObject({ name: 'all', controlPlaneVersion: '1.33', nodegroupVersion: '1.32', rest: 'target' });
  });

  it('a node group the pre-flight did not see runs the control plane version', () => {
    expect(
      planUpdateStages({ controlPlaneVersion: '1.32' }, patched({ kubernetesVersion: '1.33' }).changes)[0],
    ).toMatchObject({ nodegroupVersion: '1.32' });
  });
});

describe('stageParameters', () => {
  const target = clusterStackParameters({
    clusterId: 'c-1',
    tenantId: 't',
    name: 'demo',
    kubernetesVersion: '1.33',
    serviceRoleArn: 'arn:aws:iam::222222222222:role/eks-cluster-role',
    subnetIds: ['subnet-1', 'subnet-2'],
    securityGroupIds: [],
    instanceType: 'm5.xlarge',
    nodeCount: 3,
    upgradePolicy: 'EXTENDED',
    adminPrincipalArns: ['arn:aws:iam::222222222222:role/admin'],
    addonVersions: { coredns: 'v1.12.1-eksbuild.2' },
  });
  const asMap = (p: Array<{ ParameterKey: string; ParameterValue: string }>) =>
    Object.fromEntries(p.map((x) => [x.ParameterKey, x.ParameterValue]));
  const [controlPlane, nodes] = planUpdateStages({ controlPlaneVersion: '1.32', nodegroupVersion: '1.32' }, [
    { field: 'kubernetesVersion', to: '1.33' },
    { field: 'nodeCount', to: 3 },
  ]);

  it('the control-plane stage moves the version and support policy only: the rest keeps the stack values', () => {
    const sent = asMap(
      stageParameters(target, controlPlane!, {
        NodeCount: '2',
        NodeInstanceType: 'm5.large',
        NodeAmiType: 'AL2023_x86_64_STANDARD',
        CoreDnsAddonVersion: '',
        AdminPrincipalArn1: '',
      }),
    );
    expect(sent).toMatchObject({
      KubernetesVersion: '1.33',
      NodegroupVersion: '1.32',
      UpgradePolicy: 'EXTENDED',
      NodeCount: '2',
      NodeInstanceType: 'm5.large',
      CoreDnsAddonVersion: '',
      AdminPrincipalArn1: '',
    });
  });

  it('a stack from an older template: absent add-on and access slots keep what absence meant ("")', () => {
    const sent = asMap(stageParameters(target, controlPlane!, { NodeCount: '2', NodeInstanceType: 'm5.large' }));
    expect(sent).toMatchObject({
      NodeCount: '2',
      CoreDnsAddonVersion: '',
      AdminPrincipalArn1: '',
      DeployNamespaces: '',
    });
    // Never an invalid value: an absent AMI type takes the target's.
    expect(sent.NodeAmiType).toBe('AL2023_x86_64_STANDARD');
  });

  it('the node stage sends the target everywhere', () => {
    expect(asMap(stageParameters(target, nodes!, { NodeCount: '2' }))).toMatchObject({
      KubernetesVersion: '1.33',
      NodegroupVersion: '1.33',
      NodeCount: '3',
      NodeInstanceType: 'm5.xlarge',
      CoreDnsAddonVersion: 'v1.12.1-eksbuild.2',
      AdminPrincipalArn1: 'arn:aws:iam::222222222222:role/admin',
    });
  });
});

describe('the plan by stage', () => {
  it('1.32 → 1.33 with a new instance type: stage 1 the control plane, stage 2 the new node group and add-ons', () => {
    const p = patched({ kubernetesVersion: '1.33', instanceType: 't3.large' });
    const plan = buildUpdatePlan(settings(), p.settings, p.changes);
    expect(plan.stages.map((s) => [s.name, s.steps.map((x) => x.component)])).toEqual([
      ['control-plane', ['control-plane']],
      ['nodes', ['node-group', 'add-ons']],
    ]);
  });

  it('the control plane already on 1.33: no control-plane step, the node roll says from where', () => {
    const p = patched({ kubernetesVersion: '1.33' });
    const plan = buildUpdatePlan(settings(), p.settings, p.changes, {
      controlPlaneVersion: '1.33',
      nodegroupVersion: '1.32',
    });
    expect(plan.steps.map((s) => s.component)).toEqual(['node-group', 'add-ons']);
    expect(plan.steps[0]!.action).toMatch(
      /^Roll the nodes from Kubernetes 1\.32 to Kubernetes 1\.33 \(the control plane runs it already\)/,
    );
    expect(names(plan.stages)).toEqual(['nodes']);
  });

  it('no version change: one stage with every step', () => {
    const p = patched({ nodeCount: 1, upgradePolicy: 'EXTENDED' });
    const plan = buildUpdatePlan(settings(), p.settings, p.changes);
    expect(plan.stages).toEqual([{ name: 'all', title: 'The changes', steps: plan.steps }]);
  });
});
