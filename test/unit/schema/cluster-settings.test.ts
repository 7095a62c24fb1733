import { describe, expect, it } from 'vitest';
import demo from '../../../events/create-cluster.json' with { type: 'json' };
import {
  CLUSTER_SETTINGS_FIELDS,
  clusterSettingsSchema,
  clusterSettingsSchemaFor,
  type ParseResult,
  parseClusterSettings,
  partitionOfRegion,
  roleNameOf,
} from '../../../functions/lib/schema/cluster-settings.js';

const opts = { roleNamePrefix: 'eks-provisioner-' };
const valid = () => structuredClone(demo.cluster) as Record<string, unknown>;

function fieldsOf(r: ParseResult): Array<{ path: string; message: string }> {
  if (r.ok) throw new Error(`expected a failure, got ${JSON.stringify(r.settings)}`);
  expect(r.diagnosis.code).toBe('VALIDATION_FAILED');
  return r.diagnosis.fields ?? [];
}
const paths = (r: ParseResult) => fieldsOf(r).map((f) => f.path);
const bad = (patch: Record<string, unknown>) => parseClusterSettings({ ...valid(), ...patch }, opts);

describe('parseClusterSettings: the demo input', () => {
  it('accepts events/create-cluster.json and applies defaults', () => {
    const r = parseClusterSettings(demo.cluster, opts);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.settings.adminPrincipalArns).toEqual([]);
    expect(r.settings.kubernetesVersion).toBeUndefined();
    const minimal = valid();
    for (const k of ['environmentScope', 'managed', 'onFailure', 'tags', 'securityGroupIds', 'keyName'])
      delete minimal[k];
    const m = parseClusterSettings(minimal, opts);
    expect(m.ok && m.settings).toMatchObject({
      environmentScope: '*',
      managed: true,
      onFailure: 'KEEP',
      tags: {},
      securityGroupIds: [],
    });
  });

  it("upgradePolicy defaults to STANDARD (not EKS's billed EXTENDED) and accepts only STANDARD or EXTENDED", () => {
    const r = parseClusterSettings(valid(), opts);
    expect(r.ok && r.settings.upgradePolicy).toBe('STANDARD');
    const e = bad({ upgradePolicy: 'EXTENDED' });
    expect(e.ok && e.settings.upgradePolicy).toBe('EXTENDED');
    const wrong = bad({ upgradePolicy: 'extended' });
    expect(paths(wrong)).toEqual(['upgradePolicy']);
    expect(fieldsOf(wrong)[0]!.message).toMatch(/STANDARD.*EXTENDED.*six times/);
  });

  it('trims pasted values and treats an empty keyName / kubernetesVersion as absent', () => {
    const r = bad({ vpcId: '  vpc-0a1b2c3d4e5f60001 ', keyName: '', kubernetesVersion: '' });
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.settings.vpcId).toBe('vpc-0a1b2c3d4e5f60001');
      expect(r.settings.keyName).toBeUndefined();
      expect(r.settings.kubernetesVersion).toBeUndefined();
    }
  });

  it('ignores an External ID in the input (never trusted from callers)', () => {
    const r = bad({ externalId: 'attacker-chosen' });
    expect(r.ok).toBe(true);
    expect(JSON.stringify(r)).not.toContain('attacker-chosen');
  });
});

describe('name: valid as an EKS cluster name and inside a CloudFormation stack name', () => {
  it.each([['demo'], ['Demo-2'], ['1cluster'], ['a'.repeat(100)]])('accepts %s', (name) => {
    expect(bad({ name }).ok).toBe(true);
  });
  it.each([['-demo'], ['demo_1'], ['demo.prod'], ['a'.repeat(101)], [''], ['demo cluster'], ['démo']])(
    'refuses %j',
    (name) => {
      expect(paths(bad({ name }))).toEqual(['name']);
    },
  );
});

describe('role ARNs', () => {
  it.each([
    'arn:aws:iam::222222222222:role/eks-provisioner-provision',
    'arn:aws:iam::222222222222:role/team/a/eks-provisioner-provision',
  ])('accepts %s', (provisionRoleArn) => expect(bad({ provisionRoleArn }).ok).toBe(true));

  it('accepts every partition when the region is in it', () => {
    for (const [partition, region] of [
      ['aws-cn', 'cn-north-1'],
      ['aws-us-gov', 'us-gov-west-1'],
      ['aws-iso', 'us-iso-east-1'],
      ['aws-iso-b', 'us-isob-east-1'],
    ]) {
      const r = bad({
        region,
        provisionRoleArn: `arn:${partition}:iam::222222222222:role/eks-provisioner-provision`,
        serviceRoleArn: `arn:${partition}:iam::222222222222:role/eks-cluster-role`,
      });
      expect(r.ok, `${partition} ${region}`).toBe(true);
    }
  });

  it.each([
    ['not-an-arn'],
    ['arn:aws:iam::222222222222:user/eks-provisioner-provision'],
    ['arn:aws:iam::22222222222:role/eks-provisioner-provision'],
    ['arn:aws:sts::222222222222:assumed-role/eks-provisioner-provision/x'],
    ['arn:azure:iam::222222222222:role/eks-provisioner-provision'],
    [`arn:aws:iam::222222222222:role/eks-provisioner-${'x'.repeat(60)}`],
  ])("refuses %s with the seed's advice and INVALID_ROLE_ARN among the problems", (provisionRoleArn) => {
    const r = bad({ provisionRoleArn });
    const f = fieldsOf(r);
    expect(f.map((x) => x.path)).toEqual(['provisionRoleArn']);
    expect(f[0]?.message).toMatch(/arn:aws:iam::123456789012:role\//);
    expect(!r.ok && r.diagnosis.problems?.[0]?.code).toBe('INVALID_ROLE_ARN');
  });

  it('requires role B names to start with the configured prefix', () => {
    const r = bad({ provisionRoleArn: 'arn:aws:iam::222222222222:role/gitlab-eks-provision' });
    expect(fieldsOf(r)[0]?.message).toContain('"eks-provisioner-"');
    expect(
      parseClusterSettings(
        { ...valid(), provisionRoleArn: 'arn:aws:iam::222222222222:role/gitlab-eks-provision' },
        { roleNamePrefix: 'gitlab-eks-' },
      ).ok,
    ).toBe(true);
    // Role A has no prefix rule.
    expect(bad({ serviceRoleArn: 'arn:aws:iam::222222222222:role/anything' }).ok).toBe(true);
  });

  it('refuses a partition that does not match the region, and role A in another account', () => {
    expect(paths(bad({ region: 'cn-north-1' }))).toEqual(['provisionRoleArn', 'serviceRoleArn']);
    const f = fieldsOf(bad({ serviceRoleArn: 'arn:aws:iam::333333333333:role/eks-cluster-role' }));
    expect(f).toEqual([{ path: 'serviceRoleArn', message: expect.stringContaining('account 333333333333') }]);
  });
});

describe('network ids', () => {
  it('accepts 8- and 17-hex-digit ids', () => {
    expect(
      bad({
        vpcId: 'vpc-1a2b3c4d',
        subnetIds: ['subnet-1a2b3c4d', 'subnet-0a1b2c3d4e5f60012'],
        securityGroupIds: ['sg-1a2b3c4d'],
      }).ok,
    ).toBe(true);
  });
  it.each([
    [{ vpcId: 'vpc-123' }, 'vpcId'],
    [{ vpcId: 'subnet-0a1b2c3d4e5f60011' }, 'vpcId'],
    [{ subnetIds: ['subnet-0a1b2c3d4e5f60011', 'subnet-XYZ'] }, 'subnetIds[1]'],
    [{ securityGroupIds: ['sg-0a1b2c3d4e5f6002'] }, 'securityGroupIds[0]'],
  ])('refuses %j at %s', (patch, path) => {
    expect(paths(bad(patch))).toEqual([path]);
  });
  it('needs at least two unique subnets', () => {
    expect(fieldsOf(bad({ subnetIds: ['subnet-0a1b2c3d4e5f60011'] }))[0]?.message).toMatch(/at least two subnets/);
    expect(fieldsOf(bad({ subnetIds: ['subnet-0a1b2c3d4e5f60011', 'subnet-0a1b2c3d4e5f60011'] }))[0]?.message).toMatch(
      /twice/,
    );
  });
  it('allows at most five unique security groups', () => {
    const six = ['21', '22', '23', '24', '25', '26'].map((n) => `sg-0a1b2c3d4e5f600${n}`);
    expect(bad({ securityGroupIds: six.slice(0, 5) }).ok).toBe(true);
    expect(fieldsOf(bad({ securityGroupIds: six }))[0]?.message).toMatch(/at most 5/);
    expect(paths(bad({ securityGroupIds: [six[0], six[0]] }))).toEqual(['securityGroupIds']);
  });
});

describe('nodes, versions, region, tags', () => {
  it.each([[0], [451], [2.5], ['2'], [-1]])('refuses nodeCount %j', (nodeCount) =>
    expect(paths(bad({ nodeCount }))).toEqual(['nodeCount']),
  );
  it('accepts nodeCount 1 and 450 (the managed node group limit)', () => {
    expect(bad({ nodeCount: 1 }).ok && bad({ nodeCount: 450 }).ok).toBe(true);
  });
  it.each([['1.33'], ['1.9']])('accepts kubernetesVersion %s', (v) =>
    expect(bad({ kubernetesVersion: v }).ok).toBe(true),
  );
  it.each([['1.33.1'], ['v1.33'], ['latest'], ['1']])('refuses kubernetesVersion %s', (v) =>
    expect(paths(bad({ kubernetesVersion: v }))).toEqual(['kubernetesVersion']),
  );
  it.each([
    ['us-east-1', true],
    ['ap-southeast-5', true],
    ['US-EAST-1', false],
    ['useast1', false],
    ['us-east', false],
  ])('region %s → %s', (region, ok) => {
    const r = parseClusterSettings({ ...valid(), region }, opts);
    expect(r.ok).toBe(ok);
  });
  it.each([['t3.medium'], ['m7i-flex.large'], ['u-6tb1.112xlarge'], ['c7g.metal']])(
    'accepts instance type %s',
    (instanceType) => expect(bad({ instanceType }).ok).toBe(true),
  );
  it.each([['t3'], ['T3.MEDIUM'], ['t3 medium']])('refuses instance type %s', (instanceType) =>
    expect(paths(bad({ instanceType }))).toEqual(['instanceType']),
  );

  it('a key pair needs security groups: SSH is opened only to them (EKS opens port 22 to the internet otherwise)', () => {
    const r = bad({ keyName: 'demo-key', securityGroupIds: [] });
    expect(paths(r)).toEqual(['securityGroupIds']);
    expect(fieldsOf(r)[0]?.message).toMatch(/at least one security group when keyName is set/);
    expect(bad({ keyName: 'demo-key', securityGroupIds: ['sg-0a1b2c3d4e5f60021'] }).ok).toBe(true);
    expect(bad({ keyName: '', securityGroupIds: [] }).ok).toBe(true);
  });

  it('enforces AWS tag limits and reserved prefixes', () => {
    expect(bad({ tags: { 'cost-center': 'platform team', 'a/b:c=d+e@f': 'x' } }).ok).toBe(true);
    // CloudFormation's Tag.Value has a minimum length of 1: an empty value would fail CreateStack.
    expect(fieldsOf(bad({ tags: { k: '' } }))[0]?.message).toMatch(/must not be empty/);
    const tooMany = Object.fromEntries(Array.from({ length: 46 }, (_, i) => [`k${i}`, 'v']));
    expect(fieldsOf(bad({ tags: tooMany }))[0]?.message).toMatch(/at most 45 tags/);
    expect(fieldsOf(bad({ tags: { ['k'.repeat(129)]: 'v' } }))[0]?.message).toMatch(/128/);
    expect(fieldsOf(bad({ tags: { k: 'v'.repeat(257) } }))[0]?.message).toMatch(/256/);
    expect(fieldsOf(bad({ tags: { 'aws:owner': 'x' } }))[0]?.message).toMatch(/reserved/);
    expect(fieldsOf(bad({ tags: { 'eks-provisioner:cluster-id': 'x' } }))[0]?.message).toMatch(/reserved/);
    expect(paths(bad({ tags: { k: 'semi;colon' } }))[0]).toBe('tags.k');
  });

  it('accepts IAM role and user ARNs as admins, refuses others', () => {
    expect(
      bad({ adminPrincipalArns: ['arn:aws:iam::222222222222:role/Admin', 'arn:aws:iam::222222222222:user/alice'] }).ok,
    ).toBe(true);
    expect(paths(bad({ adminPrincipalArns: ['arn:aws:iam::222222222222:group/admins'] }))).toEqual([
      'adminPrincipalArns[0]',
    ]);
  });
});

describe('limits the template and IAM impose', () => {
  it('allows at most five admin principals (one access entry slot each)', () => {
    const admins = (n: number) => Array.from({ length: n }, (_, i) => `arn:aws:iam::222222222222:role/admin-${i}`);
    expect(bad({ adminPrincipalArns: admins(5) }).ok).toBe(true);
    const r = bad({ adminPrincipalArns: admins(6) });
    expect(fieldsOf(r)).toEqual([
      expect.objectContaining({ path: 'adminPrincipalArns', message: expect.stringContaining('at most 5') }),
    ]);
  });

  it('refuses role paths longer than IAM allows, quickly, even for hostile input', () => {
    const longPath = `arn:aws:iam::222222222222:role/${'p/'.repeat(257)}eks-provisioner-x`;
    expect(paths(bad({ provisionRoleArn: longPath }))).toEqual(['provisionRoleArn']);
    const okPath = `arn:aws:iam::222222222222:role/${'p/'.repeat(255)}eks-provisioner-x`;
    expect(bad({ provisionRoleArn: okPath }).ok).toBe(true);
    const hostile = `arn:aws:iam::222222222222:role/${'/'.repeat(60_000)}!`;
    const started = Date.now();
    expect(paths(bad({ provisionRoleArn: hostile, serviceRoleArn: hostile, adminPrincipalArns: [hostile] }))).toContain(
      'provisionRoleArn',
    );
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('every field error at once', () => {
  it('lists every problem, in form order, naming the field and the fix', () => {
    const r = parseClusterSettings(
      {
        name: 'bad_name',
        region: 'us-east-1',
        provisionRoleArn: 'arn:aws:iam::222222222222:role/other',
        serviceRoleArn: 'nope',
        vpcId: 'vpc-1',
        subnetIds: ['subnet-0a1b2c3d4e5f60011'],
        instanceType: 't3',
        nodeCount: 0,
        unknownSetting: true,
      },
      opts,
    );
    expect(paths(r)).toEqual([
      'name',
      'provisionRoleArn',
      'serviceRoleArn',
      'vpcId',
      'subnetIds',
      'instanceType',
      'nodeCount',
      'unknownSetting',
    ]);
    for (const f of fieldsOf(r)) expect(f.message.length).toBeGreaterThan(10);
    expect(!r.ok && r.diagnosis.message).toMatch(/^8 fields need fixing: name: /);
  });
  it('says which fields are missing', () => {
    const f = fieldsOf(parseClusterSettings({}, opts));
    expect(f.map((x) => x.path)).toEqual([
      'name',
      'region',
      'provisionRoleArn',
      'serviceRoleArn',
      'vpcId',
      'subnetIds',
      'instanceType',
      'nodeCount',
    ]);
    expect(f.every((x) => x.message.startsWith('is required'))).toBe(true);
  });
  it('refuses a non-object', () => {
    for (const v of [null, 'x', [], 3]) expect(paths(parseClusterSettings(v, opts))).toEqual(['cluster']);
  });
});

describe('helpers', () => {
  it('reads role names and partitions', () => {
    expect(roleNameOf('arn:aws:iam::222222222222:role/a/b/eks-cluster-role')).toBe('eks-cluster-role');
    expect(partitionOfRegion('cn-northwest-1')).toBe('aws-cn');
    expect(partitionOfRegion('eu-west-1')).toBe('aws');
  });
});

describe('schema wiring', () => {
  it("lists the fields in the schema's order (the static list is the sort order of problems)", () => {
    expect([...CLUSTER_SETTINGS_FIELDS]).toEqual(Object.keys(clusterSettingsSchema.shape));
  });

  it('builds one schema per role-name prefix, reused across parses', () => {
    expect(clusterSettingsSchemaFor({ roleNamePrefix: 'eks-provisioner-' })).toBe(clusterSettingsSchema);
    const team = clusterSettingsSchemaFor({ roleNamePrefix: 'team-' });
    expect(clusterSettingsSchemaFor({ roleNamePrefix: 'team-' })).toBe(team);
    expect(team).not.toBe(clusterSettingsSchema);
    // Each prefix keeps its own rule: the cache must not hand one prefix's schema to another.
    const arn = 'arn:aws:iam::222222222222:role/team-provision';
    expect(parseClusterSettings({ ...valid(), provisionRoleArn: arn }, { roleNamePrefix: 'team-' }).ok).toBe(true);
    expect(paths(parseClusterSettings({ ...valid(), provisionRoleArn: arn }, opts))).toContain('provisionRoleArn');
  });

  it("keeps zod's own English messages (zod/mini registers no locale by itself)", () => {
    expect(fieldsOf(bad({ vpcId: 5 }))).toEqual([
      { path: 'vpcId', message: 'Invalid input: expected string, received number' },
    ]);
  });
});

describe('SSH is never open to the world', () => {
  it.each([
    ['an empty list', { securityGroupIds: [] }],
    ['no list at all', { securityGroupIds: undefined }],
  ])('keyName with %s of security groups → a field error on securityGroupIds that says why', (_label, patch) => {
    const r = bad({ keyName: 'demo-key', ...patch });
    const fields = fieldsOf(r);
    expect(fields.map((f) => f.path)).toEqual(['securityGroupIds']);
    expect(fields[0]!.message).toMatch(/keyName is set/);
    expect(fields[0]!.message).toContain('0.0.0.0/0');
  });

  it('accepts an SSH key with source security groups, and no key without them', () => {
    expect(bad({ keyName: 'demo-key', securityGroupIds: ['sg-0a1b2c3d4e5f60021'] }).ok).toBe(true);
    expect(bad({ keyName: undefined, securityGroupIds: [] }).ok).toBe(true);
    expect(bad({ keyName: '', securityGroupIds: [] }).ok).toBe(true);
  });
});
