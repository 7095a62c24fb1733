import { DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, describe, expect, it } from 'vitest';
import { productWorld } from '../../local/runner/product-world.js';
import type { Sandbox } from '../../local/sandbox/server.js';
import { DEMO, defaultWorld } from '../../local/sandbox/world/default-world.js';
import { parseWorld, WorldValidationError } from '../../local/sandbox/world/schema.js';
import { World } from '../../local/sandbox/world/world.js';
import { clients, start } from './helpers.js';

function problems(json: unknown): string[] {
  try {
    parseWorld(json);
  } catch (e) {
    if (e instanceof WorldValidationError) return e.problems;
    throw e;
  }
  throw new Error('world was accepted');
}

describe('world files', () => {
  it('accepts the default world unchanged', () => {
    const w = parseWorld(JSON.parse(JSON.stringify(defaultWorld())));
    expect(w).toEqual(defaultWorld());
  });

  it('the default world knows no product: its first account has no users', () => {
    const w = defaultWorld();
    expect(w.accounts.map((a) => a.id)).toEqual(['111111111111', '222222222222']);
    expect(w.users.filter((u) => u.accountId === '111111111111')).toEqual([]);
    expect(JSON.stringify(w)).not.toMatch(/provisioner/i);
  });

  it('the product world is the default world plus the service user, and parses unchanged', () => {
    const product = productWorld();
    expect(parseWorld(JSON.parse(JSON.stringify(product)))).toEqual(product);
    const { accounts, users, ...rest } = product;
    const { accounts: baseAccounts, users: baseUsers, ...baseRest } = defaultWorld();
    expect(rest).toEqual(baseRest);
    expect(accounts.map((a) => a.id)).toEqual(baseAccounts.map((a) => a.id));
    expect(users.slice(1)).toEqual(baseUsers);
    expect(users[0]!.inlinePolicies['assume-provision-roles']!.Statement).toEqual([
      {
        Sid: 'AssumeProvisionRoles',
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: 'arn:aws:iam::*:role/eks-provisioner-*',
      },
    ]);
  });

  it("product world matches the README's default-world table", () => {
    const w = new World(productWorld());
    expect(w.findAccessKey('AKIAIOSFODNN7EXAMPLE')).toMatchObject({
      kind: 'user',
      user: { arn: 'arn:aws:iam::111111111111:user/eks-provisioner', userId: 'AIDAEKSPROVISIONER01' },
    });
    expect(w.findAccessKey('AKIAI44QH8DHBEXAMPLE')).toMatchObject({
      kind: 'user',
      user: { arn: 'arn:aws:iam::222222222222:user/admin' },
    });
    expect(
      w
        .region('us-east-1')!
        .availabilityZones.map((z) => z.zoneId)
        .sort(),
    ).toEqual(['use1-az1', 'use1-az2', 'use1-az3', 'use1-az4', 'use1-az5', 'use1-az6']);
    expect(
      w
        .region('us-east-1')!
        .availabilityZones.filter((z) => !z.eksSupported)
        .map((z) => z.zoneId),
    ).toEqual(['use1-az3']);
    expect(w.isRegionEnabled('222222222222', 'ap-east-1')).toBe(false);
    expect(w.isRegionEnabled('222222222222', 'us-west-2')).toBe(true);
    expect(w.data.subnets.map((s) => w.zoneIdOf('us-east-1', s.availabilityZone))).toEqual([
      'use1-az1',
      'use1-az2',
      'use1-az4',
      'use1-az3',
    ]);
    expect(w.role('222222222222', 'eks-cluster-role')!.attachedPolicyArns).toEqual([
      'arn:aws:iam::aws:policy/AmazonEKSClusterPolicy',
    ]);
    expect(w.role('222222222222', 'eks-cluster-role-no-policy')!.attachedPolicyArns).toEqual([]);
    expect(w.roleByArn('arn:aws:iam::222222222222:role/eks-provisioner-provision')).toBeUndefined();
    expect(w.data.keyPairs.map((k) => [k.keyName, k.region])).toEqual([[DEMO.keyName, 'us-east-1']]);
  });

  it('fills defaults and derived fields for a minimal hand-written world', () => {
    const w = parseWorld({
      accounts: [{ id: '333333333333', enabledRegions: ['us-west-2'] }],
      users: [
        {
          accountId: '333333333333',
          name: 'ops',
          accessKeys: [{ accessKeyId: 'AKIAOPSOPSOPSOPS0001', secretAccessKey: 's' }],
          attachedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'],
        },
      ],
      vpcs: [
        { accountId: '333333333333', region: 'us-west-2', vpcId: 'vpc-0123456789abcdef0', cidrBlock: '10.1.0.0/16' },
      ],
      subnets: [
        {
          accountId: '333333333333',
          region: 'us-west-2',
          subnetId: 'subnet-0123456789abcdef0',
          vpcId: 'vpc-0123456789abcdef0',
          cidrBlock: '10.1.0.0/24',
          availabilityZone: 'us-west-2a',
        },
      ],
    });
    expect(w.users[0]).toMatchObject({ arn: 'arn:aws:iam::333333333333:user/ops', path: '/', inlinePolicies: {} });
    expect(w.users[0]!.userId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    expect(w.regions.map((r) => r.name)).toContain('us-west-2');
    expect(w.accounts[0]!.quotas).toEqual({ vpcsPerRegion: 5, clustersPerRegion: 100 });
    expect(w.flags.nodesFailToJoin).toBe(false);
  });

  it('names every problem with its field and the fix', () => {
    expect(problems({ accounts: [] })).toEqual(['accounts: a world needs at least one account']);
    expect(problems({ accounts: [{ id: '12', enabledRegions: ['us-east-1'] }] })).toEqual([
      'accounts.0.id: must be a 12-digit AWS account id',
    ]);
    const p = problems({
      accounts: [{ id: '333333333333', enabledRegions: ['mars-1'] }],
      vpcs: [
        { accountId: '444444444444', region: 'us-east-1', vpcId: 'vpc-0123456789abcdef0', cidrBlock: '10.0.0.0/16' },
      ],
      subnets: [
        {
          accountId: '333333333333',
          region: 'us-east-1',
          subnetId: 'subnet-0123456789abcdef0',
          vpcId: 'vpc-0000000000000000f',
          cidrBlock: '10.0.0.0/24',
          availabilityZone: 'us-east-1z',
        },
      ],
      roles: [
        {
          accountId: '333333333333',
          name: 'r',
          assumeRolePolicyDocument: { Statement: { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' } },
          attachedPolicyArns: ['arn:aws:iam::aws:policy/Nope'],
        },
      ],
    });
    expect(p).toContain(
      "accounts[0].enabledRegions: 'mars-1' is not in regions (known: us-east-1, us-west-2, ap-east-1)",
    );
    expect(p).toContain("vpcs[0].accountId: '444444444444' is not in accounts (add it to accounts or fix the id)");
    expect(p).toContain(
      "subnets[0].vpcId: 'vpc-0000000000000000f' is not a VPC of account 333333333333 in us-east-1 (add it to vpcs)",
    );
    expect(p).toContain(
      "subnets[0].availabilityZone: 'us-east-1z' is not an AZ of us-east-1 (known: us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1e, us-east-1f)",
    );
    expect(p).toContain("roles[0].attachedPolicyArns[0]: 'arn:aws:iam::aws:policy/Nope' is not in managedPolicies");
    expect(problems({ accounts: [{ id: '333333333333', enabledRegions: ['us-east-1'] }], bogus: 1 })[0]).toMatch(
      /bogus/,
    );
    expect(
      problems({
        accounts: [{ id: '333333333333', enabledRegions: ['us-east-1'] }],
        vpcs: [{ accountId: '333333333333', region: 'us-east-1', cidrBlock: '10.0.0.0/16' }],
      }),
    ).toEqual(['vpcs.0.vpcId: is required (a string)']);
  });
});

describe('sandbox from world JSON', () => {
  let sb: Sandbox | undefined;
  afterAll(async () => {
    await sb?.stop();
  });

  it('serves a world variation built from JSON alone', async () => {
    sb = await start({
      world: {
        accounts: [{ id: '333333333333', enabledRegions: ['us-west-2'] }],
        users: [
          {
            accountId: '333333333333',
            name: 'ops',
            accessKeys: [{ accessKeyId: 'AKIAOPSOPSOPSOPS0001', secretAccessKey: 's' }],
            attachedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
          },
        ],
        vpcs: [
          { accountId: '333333333333', region: 'us-west-2', vpcId: 'vpc-0123456789abcdef0', cidrBlock: '10.1.0.0/16' },
        ],
        subnets: [
          {
            accountId: '333333333333',
            region: 'us-west-2',
            subnetId: 'subnet-0123456789abcdef0',
            vpcId: 'vpc-0123456789abcdef0',
            cidrBlock: '10.1.0.0/24',
            availabilityZone: 'us-west-2a',
          },
        ],
      },
    });
    const c = clients(sb, { accessKeyId: 'AKIAOPSOPSOPSOPS0001', secretAccessKey: 's' }, 'us-west-2');
    expect((await c.sts.send(new GetCallerIdentityCommand({}))).Arn).toBe('arn:aws:iam::333333333333:user/ops');
    const out = await c.ec2.send(new DescribeSubnetsCommand({}));
    expect(out.Subnets?.map((s) => [s.SubnetId, s.AvailabilityZoneId])).toEqual([
      ['subnet-0123456789abcdef0', 'usw2-az1'],
    ]);
  });

  it('refuses an invalid world at start', async () => {
    await expect(start({ world: { accounts: [{ id: 'x', enabledRegions: ['us-east-1'] }] } })).rejects.toThrow(
      /accounts\.0\.id: must be a 12-digit AWS account id/,
    );
  });
});
