/**
 * The console's "Update cluster" form (console/src/update/update-form.ts): the patch carries only what
 * changed, versions go one minor up at most, the API's schema checks the merged settings, and the
 * cost difference is shown only when the price table covers both sides.
 */
import { describe, expect, it } from 'vitest';
import type { ClusterRecord } from '../../../console/src/api/types.js';
import {
  day,
  SUPPORT_POLICY_TEXT,
  versionSupportText,
  versionTags,
} from '../../../console/src/support/support-text.js';
import {
  buildPatch,
  costChange,
  formFromRecord,
  offeredVersions,
  type UpdateForm,
  updateProblems,
} from '../../../console/src/update/update-form.js';

const PREFIX = 'eks-provisioner-';
const ADMIN = 'arn:aws:iam::222222222222:user/admin';
const CI = 'arn:aws:iam::222222222222:role/ci';

const RECORD: ClusterRecord = {
  id: 'c-1',
  name: 'demo',
  region: 'us-east-1',
  status: 'CREATED',
  outputs: { kubernetesVersion: '1.32' },
  settings: {
    name: 'demo',
    environmentScope: '*',
    region: 'us-east-1',
    provisionRoleArn: 'arn:aws:iam::222222222222:role/eks-provisioner-provision',
    serviceRoleArn: 'arn:aws:iam::222222222222:role/eks-cluster-role',
    kubernetesVersion: '1.32',
    upgradePolicy: 'STANDARD',
    vpcId: 'vpc-0a1b2c3d4e5f60001',
    subnetIds: ['subnet-0a1b2c3d4e5f60011', 'subnet-0a1b2c3d4e5f60012'],
    securityGroupIds: [],
    instanceType: 't3.medium',
    nodeCount: 2,
    managed: true,
    onFailure: 'KEEP',
    adminPrincipalArns: [ADMIN],
  },
};

const edit = (patch: Partial<UpdateForm>): UpdateForm => ({ ...formFromRecord(RECORD), ...patch });

describe('update form → merge patch', () => {
  it('an untouched form is an empty patch (nothing to change)', () => {
    expect(buildPatch(RECORD, formFromRecord(RECORD))).toEqual({});
    expect(updateProblems(RECORD, formFromRecord(RECORD), PREFIX)).toEqual([]);
  });

  it('only the changed fields are sent, numbers as numbers, lists split', () => {
    const f = edit({ kubernetesVersion: '1.33', nodeCount: '3', deployPrincipalArns: `${CI}, ` });
    expect(buildPatch(RECORD, f)).toEqual({ kubernetesVersion: '1.33', nodeCount: 3, deployPrincipalArns: [CI] });
  });

  it('an emptied list removes the setting (null), the same list in another spelling is no change', () => {
    expect(buildPatch(RECORD, edit({ adminPrincipalArns: '' }))).toEqual({ adminPrincipalArns: null });
    expect(buildPatch(RECORD, edit({ adminPrincipalArns: ` ${ADMIN}\n` }))).toEqual({});
  });

  it('a record without a support policy counts as EXTENDED (what its stack left EKS with)', () => {
    const old = { ...RECORD, settings: { ...RECORD.settings, upgradePolicy: undefined } } as ClusterRecord;
    expect(formFromRecord(old).upgradePolicy).toBe('EXTENDED');
    expect(buildPatch(old, formFromRecord(old))).toEqual({});
    expect(buildPatch(old, { ...formFromRecord(old), upgradePolicy: 'STANDARD' })).toEqual({
      upgradePolicy: 'STANDARD',
    });
  });
});

describe('update form checks (the API schema, in the words of the form)', () => {
  it('bad node count and a bad ARN are refused on their fields', () => {
    const byField = Object.fromEntries(
      updateProblems(RECORD, edit({ nodeCount: 'two', adminPrincipalArns: 'not-an-arn' }), PREFIX).map((p) => [
        p.path.split(/[.[]/)[0],
        p.message,
      ]),
    );
    expect(byField['nodeCount']).toBe('Enter a whole number of nodes from 1 to 450.');
    expect(byField['adminPrincipalArns']).toMatch(/ARN/);
    expect(Object.keys(byField).sort()).toEqual(['adminPrincipalArns', 'nodeCount']);
  });

  it("too many nodes: the schema's limit", () => {
    expect(updateProblems(RECORD, edit({ nodeCount: '451' }), PREFIX)[0]?.message).toMatch(/at most 450/);
  });

  it('versions: one minor up, never down, never two', () => {
    expect(updateProblems(RECORD, edit({ kubernetesVersion: '1.33' }), PREFIX)).toEqual([]);
    for (const v of ['1.31', '1.34']) {
      expect(updateProblems(RECORD, edit({ kubernetesVersion: v }), PREFIX)).toEqual([
        {
          path: 'kubernetesVersion',
          message: 'Choose 1.32 (no change) or 1.33: EKS upgrades one minor version at a time and never downgrades.',
        },
      ]);
    }
  });

  it('the picker offers the current version and the next minor, only when EKS offers it', () => {
    const all = ['1.34', '1.33', '1.32', '1.31'].map((id) => ({ id }));
    expect(offeredVersions('1.32', all).map((v) => v.id)).toEqual(['1.32', '1.33']);
    expect(offeredVersions('1.34', all).map((v) => v.id)).toEqual(['1.34']);
    expect(offeredVersions('1.30', all).map((v) => v.id)).toEqual(['1.30', '1.31']);
    expect(offeredVersions('1.28', all).map((v) => v.id)).toEqual(['1.28']);
  });
});

describe('cost difference', () => {
  const status = (v: string) => (v === '1.29' ? 'EXTENDED_SUPPORT' : 'STANDARD_SUPPORT');

  it("more nodes: the nodes' price difference", () => {
    const c = costChange(RECORD, edit({ nodeCount: '3' }), status)!;
    expect(c.before.total).toBe(0.1832);
    expect(c.after.total).toBe(0.2248);
    expect(c.delta).toBe(0.0416);
  });

  it('an instance type the table does not price: no figure is guessed', () => {
    expect(costChange(RECORD, edit({ instanceType: 'x2iedn.32xlarge' }), status)).toBeUndefined();
  });

  it('a version in extended support costs the extended control-plane price', () => {
    const old = {
      ...RECORD,
      outputs: { kubernetesVersion: '1.29' },
      settings: { ...RECORD.settings, kubernetesVersion: '1.29' },
    } as ClusterRecord;
    const c = costChange(old, { ...formFromRecord(old), kubernetesVersion: '1.30' }, status)!;
    expect(c.before.controlPlane).toBe(0.6);
    expect(c.after.controlPlane).toBe(0.1);
    expect(c.delta).toBe(-0.5);
  });
});

describe('support dates in words', () => {
  it('a version in standard support: both ends', () => {
    const v = {
      id: '1.33',
      status: 'STANDARD_SUPPORT',
      endOfStandardSupportDate: '2026-07-29T00:00:00.000Z',
      endOfExtendedSupportDate: '2027-07-29T00:00:00.000Z',
    };
    expect(versionSupportText(v)).toBe('Standard support until 2026-07-29 · extended support until 2027-07-29');
    expect(versionTags({ ...v, defaultVersion: true })).toEqual(['standard support', 'default']);
  });

  it('a version already in extended support says so, with its price', () => {
    const v = {
      id: '1.29',
      status: 'EXTENDED_SUPPORT',
      endOfStandardSupportDate: '2025-03-23T00:00:00Z',
      endOfExtendedSupportDate: '2026-03-23T00:00:00Z',
    };
    expect(versionSupportText(v)).toBe(
      'In extended support since 2025-03-23 ($0.60 per cluster hour) · extended support until 2026-03-23',
    );
    expect(versionTags(v)).toEqual(['extended support']);
  });

  it('no dates: says so rather than inventing any', () => {
    expect(versionSupportText({ id: '1.35' })).toBe('Support dates not published');
    expect(day('not a date')).toBeUndefined();
  });

  it('each policy says what happens at the end of standard support and what it costs', () => {
    expect(SUPPORT_POLICY_TEXT.STANDARD).toMatch(/upgrades the control plane .* No extra charge/);
    expect(SUPPORT_POLICY_TEXT.EXTENDED).toMatch(/12 more months .* \$0\.60 per cluster hour/);
  });
});
