/** The update's merge patch (what may change, one minor version up) and its plan (order, disruption). */
import { describe, expect, it } from 'vitest';
import { type ClusterSettings, parseClusterSettings } from '../../../functions/lib/schema/cluster-settings.js';
import { applyClusterPatch, versionStepProblem } from '../../../functions/lib/update/patch.js';
import { buildUpdatePlan } from '../../../functions/lib/update/plan.js';
import { validSettings } from '../api/helpers.js';

const opts = { roleNamePrefix: 'eks-provisioner-' };
function current(over: Record<string, unknown> = {}): ClusterSettings {
  const r = parseClusterSettings(validSettings({ kubernetesVersion: '1.32', ...over }), opts);
  if (!r.ok) throw new Error(JSON.stringify(r.diagnosis.fields));
  return r.settings;
}
const fields = (r: ReturnType<typeof applyClusterPatch>) => (r.ok ? [] : (r.diagnosis.fields ?? []));

describe('applyClusterPatch', () => {
  it('changes the changeable settings and lists each change before → after', () => {
    const r = applyClusterPatch(current(), '1.32', { kubernetesVersion: '1.33', upgradePolicy: 'EXTENDED' }, opts);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.settings).toMatchObject({ kubernetesVersion: '1.33', upgradePolicy: 'EXTENDED', name: 'demo' });
    expect(r.changes).toEqual([
      { field: 'kubernetesVersion', from: '1.32', to: '1.33' },
      { field: 'upgradePolicy', from: 'STANDARD', to: 'EXTENDED' },
    ]);
    const nodes = applyClusterPatch(current(), '1.32', { nodeCount: 3 }, opts);
    expect(nodes.ok && nodes.changes).toEqual([{ field: 'nodeCount', from: 2, to: 3 }]);
  });

  it('a version upgrade and a node count change are two updates (CloudFormation refuses them combined)', () => {
    const r = applyClusterPatch(current(), '1.32', { kubernetesVersion: '1.33', nodeCount: 3 }, opts);
    expect(fields(r)).toEqual([
      { path: 'nodeCount', message: expect.stringMatching(/same update as kubernetesVersion.*version upgrade first/) },
    ]);
    // A new instance type is a new node group: it may go with the upgrade.
    expect(applyClusterPatch(current(), '1.32', { kubernetesVersion: '1.33', instanceType: 'm5.large' }, opts).ok).toBe(
      true,
    );
  });

  it('refuses settings that cannot change in place, naming each field and the way out', () => {
    const r = applyClusterPatch(
      current(),
      '1.32',
      { name: 'other', vpcId: 'vpc-0a1b2c3d4e5f60001', subnetIds: ['subnet-0a1b2c3d4e5f60711'], colour: 'red' },
      opts,
    );
    expect(fields(r).map((f) => f.path)).toEqual(['name', 'vpcId', 'subnetIds', 'colour']);
    expect(fields(r)[0]!.message).toMatch(/cannot change in place.*create a new cluster/);
    expect(fields(r)[3]!.message).toMatch(/not a cluster setting/);
  });

  it('accepts the unchanged value of a fixed setting (a whole settings object sent back)', () => {
    const r = applyClusterPatch(current(), '1.32', { ...validSettings(), nodeCount: 4 }, opts);
    expect(r.ok && r.changes).toEqual([{ field: 'nodeCount', from: 2, to: 4 }]);
  });

  it('goes up one minor version at a time and never down', () => {
    expect(fields(applyClusterPatch(current(), '1.32', { kubernetesVersion: '1.34' }, opts))[0]!.message).toMatch(
      /one minor version at a time.*1\.33 first/,
    );
    expect(fields(applyClusterPatch(current(), '1.32', { kubernetesVersion: '1.31' }, opts))[0]!.message).toMatch(
      /cannot go down.*never downgrades/,
    );
    expect(versionStepProblem('1.32', '2.0')).toMatch(/one minor version/);
    expect(versionStepProblem('1.32', '1.33')).toBeUndefined();
  });

  it('reads the running version from the record when the settings left it to the default', () => {
    const c = current();
    delete (c as { kubernetesVersion?: string }).kubernetesVersion;
    const r = applyClusterPatch(c, '1.33', { kubernetesVersion: '1.34' }, opts);
    expect(r.ok && r.changes).toEqual([{ field: 'kubernetesVersion', from: '1.33', to: '1.34' }]);
    expect(fields(applyClusterPatch(c, '1.33', { kubernetesVersion: '1.35' }, opts))).toHaveLength(1);
  });

  it('validates the merged settings with the one schema (same messages as create)', () => {
    const r = applyClusterPatch(current(), '1.32', { nodeCount: 0, upgradePolicy: 'CHEAP' }, opts);
    expect(
      fields(r)
        .map((f) => f.path)
        .sort(),
    ).toEqual(['nodeCount', 'upgradePolicy']);
  });

  it('null removes an optional setting (merge patch) but not a required one', () => {
    const c = current({ namespaces: ['team-a'] });
    const r = applyClusterPatch(c, '1.32', { namespaces: null }, opts);
    expect(r.ok && r.changes).toEqual([{ field: 'namespaces', from: ['team-a'], to: null }]);
    expect(fields(applyClusterPatch(c, '1.32', { nodeCount: null }, opts))[0]).toMatchObject({
      path: 'nodeCount',
      message: expect.stringMatching(/cannot be removed/),
    });
  });

  it('a patch equal to the settings changes nothing', () => {
    const r = applyClusterPatch(current(), '1.32', { nodeCount: 2, kubernetesVersion: '1.32' }, opts);
    expect(r.ok && r.changes).toEqual([]);
  });

  it('refuses a body that is not an object', () => {
    expect(fields(applyClusterPatch(current(), '1.32', [1], opts))[0]!.path).toBe('settings');
  });
});

describe('buildUpdatePlan', () => {
  const plan = (patch: Record<string, unknown>) => {
    const before = current();
    const r = applyClusterPatch(before, '1.32', patch, opts);
    if (!r.ok) throw new Error('bad patch');
    return buildUpdatePlan(before, r.settings, r.changes);
  };

  it('orders a version upgrade control plane → node group → add-ons, with what each disrupts', () => {
    const p = plan({ kubernetesVersion: '1.33' });
    expect(p.steps.map((s) => s.component)).toEqual(['control-plane', 'node-group', 'add-ons']);
    expect(p.steps[0]!.action).toMatch(/1\.32 to 1\.33/);
    expect(p.steps[1]!.disruption).toMatch(/PodDisruptionBudget/);
    expect(p.nodesReplaced).toBe(false);
    expect(p.disruptive).toBe(true);
  });

  it('says an instance-type change replaces every node without dropping capacity to zero', () => {
    const p = plan({ instanceType: 'm7g.large' });
    expect(p.nodesReplaced).toBe(true);
    expect(p.steps).toHaveLength(1);
    expect(p.steps[0]!.action).toMatch(/new group.*starts first.*never drops to zero/);
    expect(p.steps[0]!.action).toMatch(/AL2023_ARM_64_STANDARD/);
  });

  it('scaling up disrupts nothing; scaling down drains nodes', () => {
    expect(plan({ nodeCount: 5 }).disruptive).toBe(false);
    expect(plan({ nodeCount: 1 }).steps[0]!.disruption).toMatch(/1 node\(s\) are drained/);
  });

  it('names principals that gain or lose access, and namespaces that stay behind', () => {
    const p = plan({ adminPrincipalArns: ['arn:aws:iam::222222222222:role/ops'], namespaces: ['team-b'] });
    expect(p.steps.map((s) => s.component)).toEqual(['access-entries', 'kubernetes']);
    expect(p.steps[0]!.action).toMatch(/cluster-admin to arn:aws:iam::222222222222:role\/ops/);
    expect(p.steps[1]!.action).toMatch(
      /Create the managed namespace\(s\) team-b.*apps are no longer managed but are not deleted/,
    );
  });
});
