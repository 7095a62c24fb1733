/**
 * EC2 describe calls over the world's regional resources: ids, Filters (with `*`/`?` wildcards and `tag:`
 * keys), MaxResults/NextToken pagination, and EC2's own error codes and wording.
 */
import { wildcardMatch } from '../iam/evaluate.js';
import { type OperationInput, type RequestContext, SandboxAwsError, type ServiceModule } from '../protocol/types.js';
import type { Tags } from '../world/types.js';

type FilterValues = Record<string, (string | undefined)[]>;

interface Describable<T> {
  item: T;
  /** Filter name → the values this item has for it. */
  filters: FilterValues;
}

function tagsOut(tags: Tags) {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

function tagFilters(tags: Tags): FilterValues {
  const out: FilterValues = { 'tag-key': Object.keys(tags), 'tag-value': Object.values(tags) };
  for (const [k, v] of Object.entries(tags)) out[`tag:${k}`] = [v];
  return out;
}

function invalidParameterValue(message: string): SandboxAwsError {
  return new SandboxAwsError('InvalidParameterValue', message, 400);
}

/** Apply Filters to the candidates; unknown filter names fail as EC2 fails. */
function applyFilters<T>(
  items: Describable<T>[],
  filters: { Name?: string; Values?: string[] }[] | undefined,
  known: string[],
): Describable<T>[] {
  let out = items;
  for (const f of filters ?? []) {
    const name = f.Name ?? '';
    if (!name.startsWith('tag:') && !known.includes(name) && name !== 'tag-key' && name !== 'tag-value') {
      throw invalidParameterValue(`The filter '${name}' is invalid`);
    }
    const wanted = f.Values ?? [];
    out = out.filter((d) =>
      (d.filters[name] ?? []).some((v) => v !== undefined && wanted.some((w) => wildcardMatch(w, v))),
    );
  }
  return out;
}

/** MaxResults/NextToken over a filtered list (NextToken is an opaque offset). */
function paginate<T>(
  items: T[],
  input: OperationInput,
  min = 5,
  max = 1000,
  idsGiven = false,
  idParam = '',
): { page: T[]; NextToken?: string } {
  if (input.MaxResults !== undefined) {
    if (idsGiven) {
      throw new SandboxAwsError(
        'InvalidParameterCombination',
        `The parameter ${idParam} cannot be used with the parameter maxResults`,
        400,
      );
    }
    const n = Number(input.MaxResults);
    if (n < min || n > max) {
      throw invalidParameterValue(
        `Value ( ${n} ) for parameter maxResults is invalid. Expecting a value between ${min} and ${max}.`,
      );
    }
  }
  let start = 0;
  if (input.NextToken !== undefined) {
    const decoded = Number(Buffer.from(String(input.NextToken), 'base64url').toString('utf8').replace(/^o:/, ''));
    if (!Number.isInteger(decoded) || decoded < 0) throw invalidParameterValue('The token provided is not valid');
    start = decoded;
  }
  if (input.MaxResults === undefined) return { page: items.slice(start) };
  const n = Number(input.MaxResults);
  const page = items.slice(start, start + n);
  return {
    page,
    NextToken: start + n < items.length ? Buffer.from(`o:${start + n}`).toString('base64url') : undefined,
  };
}

/** Ids asked for but absent → `<code>` naming them the way EC2 does. */
function requireIds(
  found: string[],
  asked: string[] | undefined,
  notFound: (missing: string[]) => SandboxAwsError,
): void {
  const missing = (asked ?? []).filter((id) => !found.includes(id));
  if (missing.length) throw notFound(missing);
}

function quoted(ids: string[]): string {
  return ids.map((i) => `'${i}'`).join(', ');
}

function scoped<T extends { accountId: string; region: string }>(ctx: RequestContext, list: T[]): T[] {
  return list.filter((x) => x.accountId === ctx.accountId && x.region === ctx.region);
}

function describeVpcs(ctx: RequestContext, input: OperationInput) {
  ctx.authorize('ec2:DescribeVpcs');
  const ids = input.VpcIds as string[] | undefined;
  const all = scoped(ctx, ctx.world.data.vpcs);
  requireIds(
    all.map((v) => v.vpcId),
    ids,
    (m) =>
      new SandboxAwsError(
        'InvalidVpcID.NotFound',
        m.length === 1 ? `The vpc ID '${m[0]}' does not exist` : `The vpc IDs ${quoted(m)} do not exist`,
      ),
  );
  const items = all
    .filter((v) => !ids?.length || ids.includes(v.vpcId))
    .map((v) => ({
      item: v,
      filters: {
        'vpc-id': [v.vpcId],
        cidr: [v.cidrBlock],
        'cidr-block-association.cidr-block': [v.cidrBlock],
        'is-default': [String(v.isDefault)],
        state: [v.state],
        'owner-id': [v.accountId],
        ...tagFilters(v.tags),
      },
    }));
  const filtered = applyFilters(items, input.Filters, [
    'vpc-id',
    'cidr',
    'cidr-block-association.cidr-block',
    'is-default',
    'state',
    'owner-id',
  ]);
  const p = paginate(filtered, input, 5, 1000, !!ids?.length, 'vpcIds');
  return {
    Vpcs: p.page.map(({ item: v }) => ({
      VpcId: v.vpcId,
      CidrBlock: v.cidrBlock,
      State: v.state,
      IsDefault: v.isDefault,
      OwnerId: v.accountId,
      InstanceTenancy: 'default',
      DhcpOptionsId: 'dopt-0a1b2c3d4e5f60000',
      CidrBlockAssociationSet: [
        {
          AssociationId: `vpc-cidr-assoc-${v.vpcId.slice(4)}`,
          CidrBlock: v.cidrBlock,
          CidrBlockState: { State: 'associated' },
        },
      ],
      Tags: tagsOut(v.tags),
    })),
    NextToken: p.NextToken,
  };
}

function describeSubnets(ctx: RequestContext, input: OperationInput) {
  ctx.authorize('ec2:DescribeSubnets');
  const ids = input.SubnetIds as string[] | undefined;
  const all = scoped(ctx, ctx.world.data.subnets);
  requireIds(
    all.map((s) => s.subnetId),
    ids,
    (m) =>
      new SandboxAwsError(
        'InvalidSubnetID.NotFound',
        m.length === 1 ? `The subnet ID '${m[0]}' does not exist` : `The subnet IDs ${quoted(m)} do not exist`,
      ),
  );
  const items = all
    .filter((s) => !ids?.length || ids.includes(s.subnetId))
    .map((s) => {
      const zoneId = ctx.world.zoneIdOf(s.region, s.availabilityZone);
      return {
        item: { ...s, zoneId },
        filters: {
          'subnet-id': [s.subnetId],
          'vpc-id': [s.vpcId],
          'availability-zone': [s.availabilityZone],
          'availability-zone-id': [zoneId],
          'cidr-block': [s.cidrBlock],
          cidr: [s.cidrBlock],
          'default-for-az': [String(s.defaultForAz)],
          'map-public-ip-on-launch': [String(s.mapPublicIpOnLaunch)],
          state: [s.state],
          'owner-id': [s.accountId],
          ...tagFilters(s.tags),
        },
      };
    });
  const filtered = applyFilters(items, input.Filters, [
    'subnet-id',
    'vpc-id',
    'availability-zone',
    'availability-zone-id',
    'cidr-block',
    'cidr',
    'default-for-az',
    'map-public-ip-on-launch',
    'state',
    'owner-id',
  ]);
  const p = paginate(filtered, input, 5, 1000, !!ids?.length, 'subnetIds');
  return {
    Subnets: p.page.map(({ item: s }) => ({
      SubnetId: s.subnetId,
      SubnetArn: `arn:aws:ec2:${s.region}:${s.accountId}:subnet/${s.subnetId}`,
      VpcId: s.vpcId,
      CidrBlock: s.cidrBlock,
      AvailabilityZone: s.availabilityZone,
      AvailabilityZoneId: s.zoneId,
      AvailableIpAddressCount: s.availableIpAddressCount,
      DefaultForAz: s.defaultForAz,
      MapPublicIpOnLaunch: s.mapPublicIpOnLaunch,
      State: s.state,
      OwnerId: s.accountId,
      AssignIpv6AddressOnCreation: false,
      Ipv6CidrBlockAssociationSet: [],
      Tags: tagsOut(s.tags),
    })),
    NextToken: p.NextToken,
  };
}

function ruleOut(
  r: { ipProtocol: string; fromPort?: number; toPort?: number; cidrIps?: string[]; sourceGroupIds?: string[] },
  accountId: string,
) {
  return {
    IpProtocol: r.ipProtocol,
    FromPort: r.fromPort,
    ToPort: r.toPort,
    IpRanges: (r.cidrIps ?? []).map((CidrIp) => ({ CidrIp })),
    UserIdGroupPairs: (r.sourceGroupIds ?? []).map((GroupId) => ({ GroupId, UserId: accountId })),
    Ipv6Ranges: [],
    PrefixListIds: [],
  };
}

function describeSecurityGroups(ctx: RequestContext, input: OperationInput) {
  ctx.authorize('ec2:DescribeSecurityGroups');
  const ids = input.GroupIds as string[] | undefined;
  const names = input.GroupNames as string[] | undefined;
  for (const id of ids ?? []) {
    if (!/^sg-[0-9a-f]{8}([0-9a-f]{9})?$/.test(id)) {
      throw new SandboxAwsError('InvalidGroupId.Malformed', `Invalid id: "${id}" (expecting "sg-...")`, 400);
    }
  }
  const all = scoped(ctx, ctx.world.data.securityGroups);
  requireIds(
    all.map((g) => g.groupId),
    ids,
    (m) =>
      new SandboxAwsError(
        'InvalidGroup.NotFound',
        m.length === 1
          ? `The security group '${m[0]}' does not exist`
          : `The security groups ${quoted(m)} do not exist`,
      ),
  );
  requireIds(
    all.map((g) => g.groupName),
    names,
    (m) =>
      new SandboxAwsError(
        'InvalidGroup.NotFound',
        `The security group '${m[0]}' does not exist in default VPC '${all.find((g) => g.groupName === 'default')?.vpcId ?? 'none'}'`,
      ),
  );
  const items = all
    .filter((g) => (!ids?.length || ids.includes(g.groupId)) && (!names?.length || names.includes(g.groupName)))
    .map((g) => ({
      item: g,
      filters: {
        'group-id': [g.groupId],
        'group-name': [g.groupName],
        'vpc-id': [g.vpcId],
        description: [g.description],
        'owner-id': [g.accountId],
        ...tagFilters(g.tags),
      },
    }));
  const filtered = applyFilters(items, input.Filters, ['group-id', 'group-name', 'vpc-id', 'description', 'owner-id']);
  const p = paginate(filtered, input, 5, 1000, !!ids?.length, 'groupIds');
  return {
    SecurityGroups: p.page.map(({ item: g }) => ({
      GroupId: g.groupId,
      GroupName: g.groupName,
      Description: g.description,
      VpcId: g.vpcId,
      OwnerId: g.accountId,
      SecurityGroupArn: `arn:aws:ec2:${g.region}:${g.accountId}:security-group/${g.groupId}`,
      IpPermissions: g.ingress.map((r) => ruleOut(r, g.accountId)),
      IpPermissionsEgress: g.egress.map((r) => ruleOut(r, g.accountId)),
      Tags: tagsOut(g.tags),
    })),
    NextToken: p.NextToken,
  };
}

function describeKeyPairs(ctx: RequestContext, input: OperationInput) {
  ctx.authorize('ec2:DescribeKeyPairs');
  const names = input.KeyNames as string[] | undefined;
  const ids = input.KeyPairIds as string[] | undefined;
  const all = scoped(ctx, ctx.world.data.keyPairs);
  // Key pairs are regional: a name that exists elsewhere is still "does not exist" here.
  requireIds(
    all.map((k) => k.keyName),
    names,
    (m) => new SandboxAwsError('InvalidKeyPair.NotFound', `The key pair '${m[0]}' does not exist`),
  );
  requireIds(
    all.map((k) => k.keyPairId),
    ids,
    (m) => new SandboxAwsError('InvalidKeyPair.NotFound', `The key pair ID '${m[0]}' does not exist`),
  );
  const items = all
    .filter((k) => (!names?.length || names.includes(k.keyName)) && (!ids?.length || ids.includes(k.keyPairId)))
    .map((k) => ({
      item: k,
      filters: {
        'key-name': [k.keyName],
        'key-pair-id': [k.keyPairId],
        fingerprint: [k.keyFingerprint],
        'key-type': [k.keyType],
        ...tagFilters(k.tags),
      },
    }));
  const filtered = applyFilters(items, input.Filters, ['key-name', 'key-pair-id', 'fingerprint', 'key-type']);
  return {
    KeyPairs: filtered.map(({ item: k }) => ({
      KeyPairId: k.keyPairId,
      KeyName: k.keyName,
      KeyFingerprint: k.keyFingerprint,
      KeyType: k.keyType,
      CreateTime: k.createTime,
      Tags: tagsOut(k.tags),
    })),
  };
}

function describeRegions(ctx: RequestContext, input: OperationInput) {
  ctx.authorize('ec2:DescribeRegions');
  const account = ctx.world.account(ctx.accountId)!;
  const asked = input.RegionNames as string[] | undefined;
  for (const r of asked ?? []) {
    if (!ctx.world.region(r)) throw invalidParameterValue(`Invalid region: ${r}`);
  }
  const items = ctx.world.data.regions
    .map((r) => {
      const enabled = account.enabledRegions.includes(r.name);
      const optIn = r.optInRequired ? (enabled ? 'opted-in' : 'not-opted-in') : 'opt-in-not-required';
      return {
        item: { r, enabled, optIn },
        filters: { 'region-name': [r.name], endpoint: [`ec2.${r.name}.amazonaws.com`], 'opt-in-status': [optIn] },
      };
    })
    .filter((d) => (input.AllRegions || d.item.enabled) && (!asked?.length || asked.includes(d.item.r.name)));
  const filtered = applyFilters(items, input.Filters, ['region-name', 'endpoint', 'opt-in-status']);
  return {
    Regions: filtered.map(({ item }) => ({
      RegionName: item.r.name,
      Endpoint: `ec2.${item.r.name}.amazonaws.com`,
      OptInStatus: item.optIn,
    })),
  };
}

function describeAvailabilityZones(ctx: RequestContext, input: OperationInput) {
  ctx.authorize('ec2:DescribeAvailabilityZones');
  const region = ctx.world.region(ctx.region)!;
  const names = input.ZoneNames as string[] | undefined;
  const zoneIds = input.ZoneIds as string[] | undefined;
  const badName = (names ?? []).filter((n) => !region.availabilityZones.some((z) => z.name === n));
  if (badName.length) throw invalidParameterValue(`The zone '${badName[0]}' does not exist.`);
  const badId = (zoneIds ?? []).filter((n) => !region.availabilityZones.some((z) => z.zoneId === n));
  if (badId.length) throw invalidParameterValue(`The zone ID '${badId[0]}' does not exist.`);
  const items = region.availabilityZones
    .filter((z) => (!names?.length || names.includes(z.name)) && (!zoneIds?.length || zoneIds.includes(z.zoneId)))
    .map((z) => ({
      item: z,
      filters: {
        'zone-name': [z.name],
        'zone-id': [z.zoneId],
        'region-name': [region.name],
        state: ['available'],
        'zone-type': ['availability-zone'],
        'opt-in-status': ['opt-in-not-required'],
        'group-name': [region.name],
      },
    }));
  const filtered = applyFilters(items, input.Filters, [
    'zone-name',
    'zone-id',
    'region-name',
    'state',
    'zone-type',
    'opt-in-status',
    'group-name',
  ]);
  return {
    AvailabilityZones: filtered.map(({ item: z }) => ({
      ZoneName: z.name,
      ZoneId: z.zoneId,
      State: 'available',
      RegionName: region.name,
      ZoneType: 'availability-zone',
      OptInStatus: 'opt-in-not-required',
      GroupName: region.name,
      NetworkBorderGroup: region.name,
      Messages: [],
    })),
  };
}

function describeInstanceTypes(ctx: RequestContext, input: OperationInput) {
  ctx.authorize('ec2:DescribeInstanceTypes');
  const region = ctx.world.region(ctx.region)!;
  const asked = input.InstanceTypes as string[] | undefined;
  const offered = Object.keys(region.instanceTypeOfferings);
  const missing = (asked ?? []).filter(
    (t) => !offered.includes(t) || !ctx.world.data.instanceTypes.some((i) => i.name === t),
  );
  if (missing.length) {
    throw new SandboxAwsError(
      'InvalidInstanceType',
      `The following supplied instance types do not exist: [${missing.join(', ')}]`,
      400,
    );
  }
  const items = ctx.world.data.instanceTypes
    .filter((t) => offered.includes(t.name) && (!asked?.length || asked.includes(t.name)))
    .map((t) => ({
      item: t,
      filters: {
        'instance-type': [t.name],
        'current-generation': [String(t.currentGeneration)],
        'vcpu-info.default-vcpus': [String(t.vCpus)],
        'memory-info.size-in-mib': [String(t.memoryMiB)],
        'processor-info.supported-architecture': t.architectures,
      },
    }));
  const filtered = applyFilters(items, input.Filters, [
    'instance-type',
    'current-generation',
    'vcpu-info.default-vcpus',
    'memory-info.size-in-mib',
    'processor-info.supported-architecture',
  ]);
  const p = paginate(filtered, input, 5, 100, !!asked?.length, 'instanceTypes');
  return {
    InstanceTypes: p.page.map(({ item: t }) => ({
      InstanceType: t.name,
      CurrentGeneration: t.currentGeneration,
      VCpuInfo: { DefaultVCpus: t.vCpus },
      MemoryInfo: { SizeInMiB: t.memoryMiB },
      ProcessorInfo: { SupportedArchitectures: t.architectures },
      SupportedUsageClasses: ['on-demand', 'spot'],
    })),
    NextToken: p.NextToken,
  };
}

function describeInstanceTypeOfferings(ctx: RequestContext, input: OperationInput) {
  ctx.authorize('ec2:DescribeInstanceTypeOfferings');
  const region = ctx.world.region(ctx.region)!;
  const locationType = (input.LocationType as string | undefined) ?? 'region';
  if (!['region', 'availability-zone', 'availability-zone-id'].includes(locationType)) {
    throw invalidParameterValue(`Value (${locationType}) for parameter locationType is invalid.`);
  }
  const rows: { type: string; location: string }[] = [];
  for (const [type, zones] of Object.entries(region.instanceTypeOfferings)) {
    if (locationType === 'region') rows.push({ type, location: region.name });
    else
      for (const z of zones)
        rows.push({
          type,
          location: locationType === 'availability-zone' ? z : (ctx.world.zoneIdOf(region.name, z) ?? z),
        });
  }
  const items = rows.map((r) => ({ item: r, filters: { 'instance-type': [r.type], location: [r.location] } }));
  const filtered = applyFilters(items, input.Filters, ['instance-type', 'location']);
  const p = paginate(filtered, input, 5, 1000);
  return {
    InstanceTypeOfferings: p.page.map(({ item }) => ({
      InstanceType: item.type,
      LocationType: locationType,
      Location: item.location,
    })),
    NextToken: p.NextToken,
  };
}

/** `DryRun: true`: check the permission only, then answer as EC2 does either way. */
function withDryRun(name: string, handler: (ctx: RequestContext, input: OperationInput) => unknown) {
  return (ctx: RequestContext, input: OperationInput) => {
    if (input.DryRun === true) {
      ctx.authorize(`ec2:${name}`);
      throw new SandboxAwsError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
    }
    return handler(ctx, input);
  };
}

const handlers: Record<string, (ctx: RequestContext, input: OperationInput) => unknown> = {
  DescribeVpcs: describeVpcs,
  DescribeSubnets: describeSubnets,
  DescribeSecurityGroups: describeSecurityGroups,
  DescribeKeyPairs: describeKeyPairs,
  DescribeRegions: describeRegions,
  DescribeAvailabilityZones: describeAvailabilityZones,
  DescribeInstanceTypes: describeInstanceTypes,
  DescribeInstanceTypeOfferings: describeInstanceTypeOfferings,
};

export const service: ServiceModule = {
  operations: Object.fromEntries(Object.entries(handlers).map(([name, h]) => [name, withDryRun(name, h)])),
};
