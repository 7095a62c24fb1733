import {
  type _InstanceType,
  DescribeAvailabilityZonesCommand,
  DescribeInstanceTypeOfferingsCommand,
  DescribeInstanceTypesCommand,
  DescribeKeyPairsCommand,
  DescribeRegionsCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  paginateDescribeSubnets,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../local/sandbox/server.js';
import { DEMO } from '../../local/sandbox/world/default-world.js';
import { clients, customerCreds, failure, start } from './helpers.js';

let sb: Sandbox;
let ec2: ReturnType<typeof clients>['ec2'];
beforeAll(async () => {
  sb = await start();
  ec2 = clients(sb, customerCreds).ec2;
});
afterAll(async () => {
  await sb.stop();
});

describe('EC2 describes over the default world', () => {
  it('DescribeVpcs by id, by tag filter, and unknown ids', async () => {
    const byId = await ec2.send(new DescribeVpcsCommand({ VpcIds: [DEMO.vpcId] }));
    expect(byId.Vpcs).toHaveLength(1);
    expect(byId.Vpcs![0]).toMatchObject({
      VpcId: DEMO.vpcId,
      CidrBlock: '10.0.0.0/16',
      State: 'available',
      IsDefault: false,
      Tags: [{ Key: 'Name', Value: 'demo' }],
    });
    const byTag = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: ['dem*'] }] }));
    expect(byTag.Vpcs?.map((v) => v.VpcId)).toEqual([DEMO.vpcId]);
    const none = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: ['prod'] }] }));
    expect(none.Vpcs).toEqual([]);
    const err = await failure(ec2.send(new DescribeVpcsCommand({ VpcIds: ['vpc-0000000000000dead'] })));
    expect(err.name).toBe('InvalidVpcID.NotFound');
    expect(err.message).toBe("The vpc ID 'vpc-0000000000000dead' does not exist");
    expect(err.$metadata?.httpStatusCode).toBe(400);
  });

  it('DescribeSubnets reports AZ names and ids, filters by vpc and AZ, and paginates', async () => {
    const all = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [DEMO.vpcId] }] }));
    expect(all.Subnets?.map((s) => [s.SubnetId, s.AvailabilityZone, s.AvailabilityZoneId])).toEqual([
      ['subnet-0a1b2c3d4e5f60011', 'us-east-1a', 'use1-az1'],
      ['subnet-0a1b2c3d4e5f60012', 'us-east-1b', 'use1-az2'],
      ['subnet-0a1b2c3d4e5f60013', 'us-east-1c', 'use1-az4'],
      ['subnet-0a1b2c3d4e5f60014', 'us-east-1d', 'use1-az3'],
    ]);
    const az = await ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: 'availability-zone-id', Values: ['use1-az3'] }] }),
    );
    expect(az.Subnets?.map((s) => s.SubnetId)).toEqual([DEMO.rejectedSubnetId]);

    const pages: string[][] = [];
    for await (const page of paginateDescribeSubnets({ client: ec2, pageSize: 5 }, { MaxResults: 5 }))
      pages.push((page.Subnets ?? []).map((s) => s.SubnetId!));
    expect(pages.flat()).toHaveLength(4);
    const first = await ec2.send(new DescribeSubnetsCommand({ MaxResults: 5 }));
    expect(first.NextToken).toBeUndefined();

    const err = await failure(
      ec2.send(new DescribeSubnetsCommand({ SubnetIds: ['subnet-0a1b2c3d4e5f60011', 'subnet-00000000000000bad'] })),
    );
    expect(err.name).toBe('InvalidSubnetID.NotFound');
    expect(err.message).toBe("The subnet ID 'subnet-00000000000000bad' does not exist");
    const combo = await failure(
      ec2.send(new DescribeSubnetsCommand({ SubnetIds: ['subnet-0a1b2c3d4e5f60011'], MaxResults: 5 })),
    );
    expect(combo.name).toBe('InvalidParameterCombination');
    const badMax = await failure(ec2.send(new DescribeSubnetsCommand({ MaxResults: 2 })));
    expect(badMax.name).toBe('InvalidParameterValue');
    const badFilter = await failure(
      ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'colour', Values: ['red'] }] })),
    );
    expect(badFilter.name).toBe('InvalidParameterValue');
    expect(badFilter.message).toBe("The filter 'colour' is invalid");
  });

  it('paginates with NextToken when there are more results than MaxResults', async () => {
    const w = sb.world;
    for (let i = 0; i < 7; i++) {
      w.data.subnets.push({ ...w.data.subnets[0]!, subnetId: `subnet-0a1b2c3d4e5f6f${String(i).padStart(3, '0')}` });
    }
    try {
      const p1 = await ec2.send(new DescribeSubnetsCommand({ MaxResults: 5 }));
      expect(p1.Subnets).toHaveLength(5);
      expect(p1.NextToken).toBeTruthy();
      const p2 = await ec2.send(new DescribeSubnetsCommand({ MaxResults: 5, NextToken: p1.NextToken }));
      expect(p2.Subnets).toHaveLength(5);
      const p3 = await ec2.send(new DescribeSubnetsCommand({ MaxResults: 5, NextToken: p2.NextToken }));
      expect(p3.Subnets).toHaveLength(1);
      expect(p3.NextToken).toBeUndefined();
    } finally {
      w.reset();
    }
  });

  it('DryRun answers DryRunOperation when allowed and UnauthorizedOperation when not', async () => {
    const dry = await failure(ec2.send(new DescribeSecurityGroupsCommand({ DryRun: true })));
    expect(dry.name).toBe('DryRunOperation');
    expect(dry.message).toBe('Request would have succeeded, but DryRun flag is set.');
    const { serviceCreds } = await import('./helpers.js');
    const denied = await failure(
      clients(sb, serviceCreds).ec2.send(new DescribeSecurityGroupsCommand({ DryRun: true })),
    );
    expect(denied.name).toBe('UnauthorizedOperation');
  });

  it('DescribeSecurityGroups by id and vpc filter; malformed and unknown ids', async () => {
    const out = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [DEMO.securityGroupId] }));
    expect(out.SecurityGroups?.[0]).toMatchObject({
      GroupId: DEMO.securityGroupId,
      VpcId: DEMO.vpcId,
      GroupName: 'demo-eks',
    });
    expect(out.SecurityGroups?.[0]?.IpPermissions?.[0]).toMatchObject({
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      IpRanges: [{ CidrIp: '10.0.0.0/16' }],
    });
    const byVpc = await ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [DEMO.vpcId] }] }),
    );
    expect(byVpc.SecurityGroups).toHaveLength(2);
    expect(
      (await failure(ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ['sg-0000000000000beef'] })))).name,
    ).toBe('InvalidGroup.NotFound');
    const malformed = await failure(ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ['not-a-group'] })));
    expect(malformed.name).toBe('InvalidGroupId.Malformed');
  });

  it('DescribeKeyPairs: demo-key exists in us-east-1 only (key pairs are regional)', async () => {
    const out = await ec2.send(new DescribeKeyPairsCommand({ KeyNames: ['demo-key'] }));
    expect(out.KeyPairs?.[0]).toMatchObject({
      KeyName: 'demo-key',
      KeyPairId: 'key-0a1b2c3d4e5f60031',
      KeyType: 'rsa',
    });
    const west = await failure(
      clients(sb, customerCreds, 'us-west-2').ec2.send(new DescribeKeyPairsCommand({ KeyNames: ['demo-key'] })),
    );
    expect(west.name).toBe('InvalidKeyPair.NotFound');
    expect(west.message).toBe("The key pair 'demo-key' does not exist");
  });

  it('DescribeRegions lists enabled regions, or all with opt-in status', async () => {
    const enabled = await ec2.send(new DescribeRegionsCommand({}));
    expect(enabled.Regions?.map((r) => r.RegionName)).toEqual(['us-east-1', 'us-west-2']);
    const all = await ec2.send(new DescribeRegionsCommand({ AllRegions: true }));
    expect(all.Regions?.find((r) => r.RegionName === 'ap-east-1')?.OptInStatus).toBe('not-opted-in');
    const err = await failure(clients(sb, customerCreds, 'ap-east-1').ec2.send(new DescribeVpcsCommand({})));
    expect(err.name).toBe('AuthFailure');
  });

  it('DescribeAvailabilityZones maps names to zone ids', async () => {
    const out = await ec2.send(
      new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'zone-id', Values: ['use1-az3'] }] }),
    );
    expect(out.AvailabilityZones?.map((z) => [z.ZoneName, z.ZoneId, z.State])).toEqual([
      ['us-east-1d', 'use1-az3', 'available'],
    ]);
    const all = await ec2.send(new DescribeAvailabilityZonesCommand({}));
    expect(all.AvailabilityZones).toHaveLength(6);
    expect((await failure(ec2.send(new DescribeAvailabilityZonesCommand({ ZoneNames: ['us-east-1z'] })))).name).toBe(
      'InvalidParameterValue',
    );
  });

  it('DescribeInstanceTypes and DescribeInstanceTypeOfferings per AZ', async () => {
    const types = await ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ['t3.medium', 'm5.large'] }));
    expect(
      types.InstanceTypes?.map((t) => [t.InstanceType, t.VCpuInfo?.DefaultVCpus, t.MemoryInfo?.SizeInMiB]),
    ).toEqual([
      ['t3.medium', 2, 4096],
      ['m5.large', 2, 8192],
    ]);
    const bad = await failure(
      ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ['t9.huge' as _InstanceType] })),
    );
    expect(bad.name).toBe('InvalidInstanceType');
    const offers = await ec2.send(
      new DescribeInstanceTypeOfferingsCommand({
        LocationType: 'availability-zone',
        Filters: [{ Name: 'instance-type', Values: ['t3.medium'] }],
      }),
    );
    expect(offers.InstanceTypeOfferings?.map((o) => o.Location).sort()).toEqual([
      'us-east-1a',
      'us-east-1b',
      'us-east-1c',
      'us-east-1d',
      'us-east-1f',
    ]);
    const byId = await ec2.send(
      new DescribeInstanceTypeOfferingsCommand({
        LocationType: 'availability-zone-id',
        Filters: [{ Name: 'location', Values: ['use1-az5'] }],
      }),
    );
    expect(byId.InstanceTypeOfferings?.map((o) => o.InstanceType).sort()).toEqual([
      'c5.large',
      'm5.large',
      'm5.xlarge',
    ]);
  });
});
