/**
 * The seed's form dropdowns, read from the customer's account through role B (read-only session).
 * Every listing answers `{ items: [{ id, name, … }], nextToken? }`. AWS pagination is followed up to
 * MAX_PAGES per request; past that, the AWS token is handed back as `nextToken` to continue with.
 */
import {
  DescribeInstanceTypeOfferingsCommand,
  DescribeInstanceTypesCommand,
  DescribeKeyPairsCommand,
  DescribeRegionsCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  type EC2Client,
  type Tag,
} from '@aws-sdk/client-ec2';
import { DescribeClusterVersionsCommand } from '@aws-sdk/client-eks';
import {
  type IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolesCommand,
  ListUsersCommand,
} from '@aws-sdk/client-iam';
import { classifyAwsError } from '../../lib/aws/aws-error.js';
import { ec2Client, eksClient, iamClient, type RoleSession } from '../../lib/aws/clients.js';
import { eksControlPlaneSupported } from '../../lib/aws/eks-zones.js';
import { makeDiagnosis } from '../../lib/diagnosis/catalog.js';
import { toStepError } from '../../lib/diagnosis/from-aws-error.js';
import { DiagnosedError } from '../../lib/errors.js';
import { httpError } from '../http/errors.js';

export const MAX_PAGES = 20;

export interface FormItem {
  id: string;
  name: string;
  [extra: string]: unknown;
}

export interface FormPage {
  items: FormItem[];
  nextToken?: string;
  /** Set when an empty answer has a likely cause worth telling (e.g. key pairs are regional). */
  notice?: { code: string; message: string };
}

export interface FormQuery {
  region: string;
  vpcId?: string;
  nextToken?: string;
}

export const FORM_RESOURCES = [
  'regions',
  'vpcs',
  'subnets',
  'security-groups',
  'key-pairs',
  'instance-types',
  'roles',
  'kubernetes-versions',
  'principals',
] as const;
export type FormResource = (typeof FORM_RESOURCES)[number];

const nameTag = (tags: Tag[] | undefined) => tags?.find((t) => t.Key === 'Name')?.Value;

async function collect<T>(
  start: string | undefined,
  fetch: (token?: string) => Promise<{ items: T[]; next?: string }>,
): Promise<{ items: T[]; next?: string }> {
  const items: T[] = [];
  let token = start;
  for (let page = 0; page < MAX_PAGES; page++) {
    const out = await fetch(token);
    items.push(...out.items);
    token = out.next || undefined;
    if (!token) return { items };
  }
  return { items, next: token };
}

const page = (items: FormItem[], next?: string): FormPage => (next ? { items, nextToken: next } : { items });

/** Which IAM action each listing needs, for the diagnosis when it is refused. */
export const ACTION_OF: Record<FormResource, string> = {
  regions: 'ec2:DescribeRegions',
  vpcs: 'ec2:DescribeVpcs',
  subnets: 'ec2:DescribeSubnets',
  'security-groups': 'ec2:DescribeSecurityGroups',
  'key-pairs': 'ec2:DescribeKeyPairs',
  'instance-types': 'ec2:DescribeInstanceTypeOfferings',
  roles: 'iam:ListRoles',
  'kubernetes-versions': 'eks:DescribeClusterVersions',
  principals: 'iam:ListRoles',
};

/** Each listing builds only the one client it calls, once (all its pages share the connection). */
export async function listFormData(resource: FormResource, session: RoleSession, q: FormQuery): Promise<FormPage> {
  try {
    switch (resource) {
      case 'regions':
        return await listRegions(ec2Client(session));
      case 'vpcs': {
        const ec2 = ec2Client(session);
        const r = await collect(q.nextToken, async (NextToken) => {
          const o = await ec2.send(new DescribeVpcsCommand({ NextToken, MaxResults: 1000 }));
          return {
            items: (o.Vpcs ?? []).map((v) => ({
              id: v.VpcId!,
              name: nameTag(v.Tags) ?? v.VpcId!,
              cidrBlock: v.CidrBlock,
              isDefault: v.IsDefault ?? false,
              state: v.State,
            })),
            next: o.NextToken,
          };
        });
        return page(r.items, r.next);
      }
      case 'subnets': {
        const ec2 = ec2Client(session);
        const r = await collect(q.nextToken, async (NextToken) => {
          const o = await ec2.send(
            new DescribeSubnetsCommand({
              NextToken,
              MaxResults: 1000,
              ...(q.vpcId ? { Filters: [{ Name: 'vpc-id', Values: [q.vpcId] }] } : {}),
            }),
          );
          return {
            items: (o.Subnets ?? []).map((s) => ({
              id: s.SubnetId!,
              name: nameTag(s.Tags) ?? s.SubnetId!,
              vpcId: s.VpcId,
              availabilityZone: s.AvailabilityZone,
              availabilityZoneId: s.AvailabilityZoneId,
              cidrBlock: s.CidrBlock,
              availableIpAddressCount: s.AvailableIpAddressCount,
              // The pre-flight would refuse it: the form marks it before submit.
              eksControlPlaneSupported: eksControlPlaneSupported(session.region, s.AvailabilityZoneId),
            })),
            next: o.NextToken,
          };
        });
        return page(r.items, r.next);
      }
      case 'security-groups': {
        const ec2 = ec2Client(session);
        const r = await collect(q.nextToken, async (NextToken) => {
          const o = await ec2.send(
            new DescribeSecurityGroupsCommand({
              NextToken,
              MaxResults: 1000,
              ...(q.vpcId ? { Filters: [{ Name: 'vpc-id', Values: [q.vpcId] }] } : {}),
            }),
          );
          return {
            items: (o.SecurityGroups ?? []).map((g) => ({
              id: g.GroupId!,
              name: nameTag(g.Tags) ?? g.GroupName ?? g.GroupId!,
              groupName: g.GroupName,
              vpcId: g.VpcId,
              description: g.Description,
            })),
            next: o.NextToken,
          };
        });
        return page(r.items, r.next);
      }
      case 'key-pairs': {
        // DescribeKeyPairs is not paginated.
        const o = await ec2Client(session).send(new DescribeKeyPairsCommand({}));
        const items = (o.KeyPairs ?? [])
          .filter((k) => k.KeyName)
          .map((k) => ({ id: k.KeyName!, name: k.KeyName!, keyPairId: k.KeyPairId, keyType: k.KeyType }));
        if (items.length === 0) {
          return {
            items,
            notice: {
              code: 'KEY_PAIR_NOT_FOUND',
              message: `No EC2 key pairs in ${q.region}. Key pairs are regional: create or import one in ${q.region}, or leave keyName empty (no SSH access to nodes).`,
            },
          };
        }
        return { items };
      }
      case 'instance-types': {
        const ec2 = ec2Client(session);
        const r = await collect(q.nextToken, async (NextToken) => {
          const o = await ec2.send(
            new DescribeInstanceTypeOfferingsCommand({ LocationType: 'region', NextToken, MaxResults: 1000 }),
          );
          return {
            items: (o.InstanceTypeOfferings ?? []).map((t) => String(t.InstanceType)).filter(Boolean),
            next: o.NextToken,
          };
        });
        const names = [...new Set(r.items)].sort(compareInstanceTypes);
        const sizes = await instanceTypeSizes(ec2);
        return page(
          names.map((n) => ({
            id: n,
            name: n,
            ...sizes.get(n),
            ...(n === DEFAULT_INSTANCE_TYPE ? { recommended: true } : {}),
          })),
          r.next,
        );
      }
      case 'roles':
        return await listClusterRoles(iamClient(session), q.nextToken);
      case 'principals':
        return await listPrincipals(iamClient(session), q);
      case 'kubernetes-versions': {
        const eks = eksClient(session);
        const r = await collect(q.nextToken, async (nextToken) => {
          const o = await eks.send(new DescribeClusterVersionsCommand({ nextToken }));
          return { items: o.clusterVersions ?? [], next: o.nextToken };
        });
        const versions = r.items
          .filter((v) => v.clusterVersion)
          .sort((a, b) => compareVersions(b.clusterVersion!, a.clusterVersion!));
        // The default when a request names no version: newest in standard support.
        const recommended = versions.find((v) => (v.versionStatus ?? v.status) === 'STANDARD_SUPPORT')?.clusterVersion;
        return page(
          versions.map((v) => ({
            id: v.clusterVersion!,
            name: v.clusterVersion!,
            status: v.versionStatus ?? v.status,
            defaultVersion: v.defaultVersion ?? false,
            recommended: v.clusterVersion === recommended,
            endOfStandardSupportDate: v.endOfStandardSupportDate?.toISOString(),
            endOfExtendedSupportDate: v.endOfExtendedSupportDate?.toISOString(),
          })),
          r.next,
        );
      }
    }
  } catch (err) {
    throw formDataError(err, resource, q);
  }
}

async function listRegions(ec2: EC2Client): Promise<FormPage> {
  const o = await ec2.send(new DescribeRegionsCommand({ AllRegions: true }));
  const items = (o.Regions ?? [])
    .filter((r) => r.RegionName && r.OptInStatus !== 'not-opted-in')
    .map((r) => ({ id: r.RegionName!, name: r.RegionName!, optInStatus: r.OptInStatus }))
    .sort((a, b) => a.id.localeCompare(b.id));
  return { items };
}

/**
 * Is the region usable by role B's account? Unknown regions and opt-in regions not enabled give
 * REGION_NOT_ENABLED (the seed: "GitLab checks that it has access to this region").
 */
export async function checkRegionEnabled(ec2: EC2Client, region: string, roleArn: string): Promise<void> {
  const notEnabled = (detail: Record<string, string>) =>
    new DiagnosedError(
      makeDiagnosis(
        'REGION_NOT_ENABLED',
        { region, roleArn, ...detail },
        {
          fields: [
            {
              path: 'region',
              message: `Region ${region} is not enabled for the account of ${roleArn}, or does not exist.`,
            },
          ],
        },
      ),
    );
  let regions;
  try {
    regions =
      (
        await ec2.send(
          new DescribeRegionsCommand({ AllRegions: true, Filters: [{ Name: 'region-name', Values: [region] }] }),
        )
      ).Regions ?? [];
  } catch (err) {
    // Role B's fresh credentials refused by the regional endpoint: the region is off for that account.
    const info = classifyAwsError(err);
    if (REGION_REFUSALS.has(info.code)) throw notEnabled({ awsErrorCode: info.code, awsMessage: info.message });
    throw formDataError(err, 'regions', { region });
  }
  const found = regions.find((r) => r.RegionName === region);
  if (!found) throw notEnabled({ reason: 'unknown region' });
  if (found.OptInStatus === 'not-opted-in') throw notEnabled({ optInStatus: found.OptInStatus });
}

const REGION_REFUSALS = new Set([
  'AuthFailure',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'OptInRequired',
  'RegionDisabledException',
  'ENOTFOUND',
]);

const EKS_SERVICE = 'eks.amazonaws.com';

/** True when the (URL-encoded) trust policy lets eks.amazonaws.com assume the role. */
export function trustsEks(encodedDocument: string | undefined): boolean {
  if (!encodedDocument) return false;
  let doc: { Statement?: unknown };
  try {
    doc = JSON.parse(decodeURIComponent(encodedDocument)) as { Statement?: unknown };
  } catch {
    return false;
  }
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  const asList = (v: unknown) => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
  return statements.some((s) => {
    if (!s || typeof s !== 'object') return false;
    const st = s as { Effect?: unknown; Action?: unknown; Principal?: { Service?: unknown } };
    const actions = asList(st.Action);
    return (
      st.Effect === 'Allow' &&
      actions.some((a) => a === 'sts:AssumeRole' || a === 'sts:*' || a === '*') &&
      asList(st.Principal?.Service).includes(EKS_SERVICE)
    );
  });
}

async function listClusterRoles(iam: IAMClient, start?: string): Promise<FormPage> {
  const r = await collect(start, async (Marker) => {
    const o = await iam.send(new ListRolesCommand({ Marker, MaxItems: 1000 }));
    // Service-linked roles (path /aws-service-role/) trust EKS too, but are EKS's own, never role A.
    const candidates = (o.Roles ?? []).filter(
      (role) => !role.Path?.startsWith('/aws-service-role/') && trustsEks(role.AssumeRolePolicyDocument),
    );
    return { items: candidates, next: o.IsTruncated ? o.Marker : undefined };
  });
  const items: FormItem[] = [];
  // Few roles trust EKS; checking each for AmazonEKSClusterPolicy warns about the seed's most
  // common failure before any stack exists. A refusal only leaves the flag out.
  for (const role of r.items) {
    items.push({
      id: role.Arn!,
      name: role.RoleName!,
      arn: role.Arn,
      ...(await clusterPolicyFlag(iam, role.RoleName!)),
    });
  }
  return page(items, r.next);
}

/** The form's default node type: general purpose, burstable, enough memory for the add-ons (2 vCPU, 4 GiB). */
export const DEFAULT_INSTANCE_TYPE = 't3.medium';

/**
 * vCPUs and memory per instance type (ec2:DescribeInstanceTypes), so the list says what each type is.
 * Best effort: a role B made from an older policy may not allow the call; the list then shows names only.
 */
async function instanceTypeSizes(ec2: EC2Client): Promise<Map<string, { vCpus?: number; memoryMiB?: number }>> {
  const sizes = new Map<string, { vCpus?: number; memoryMiB?: number }>();
  try {
    let token: string | undefined;
    for (let i = 0; i < MAX_PAGES; i++) {
      const o = await ec2.send(new DescribeInstanceTypesCommand({ NextToken: token, MaxResults: 100 }));
      for (const t of o.InstanceTypes ?? []) {
        if (t.InstanceType)
          sizes.set(t.InstanceType, {
            ...(t.VCpuInfo?.DefaultVCpus !== undefined ? { vCpus: t.VCpuInfo.DefaultVCpus } : {}),
            ...(t.MemoryInfo?.SizeInMiB !== undefined ? { memoryMiB: t.MemoryInfo.SizeInMiB } : {}),
          });
      }
      token = o.NextToken || undefined;
      if (!token) break;
    }
  } catch (err) {
    if (classifyAwsError(err).retryable)
      throw toStepError(err, { service: 'ec2', operation: 'DescribeInstanceTypes', principal: 'provision-role' });
  }
  return sizes;
}

async function clusterPolicyFlag(iam: IAMClient, roleName: string): Promise<{ hasAmazonEKSClusterPolicy?: boolean }> {
  try {
    let marker: string | undefined;
    for (let i = 0; i < MAX_PAGES; i++) {
      const o = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName, Marker: marker }));
      if ((o.AttachedPolicies ?? []).some((p) => p.PolicyArn?.endsWith(':iam::aws:policy/AmazonEKSClusterPolicy')))
        return { hasAmazonEKSClusterPolicy: true };
      if (!o.IsTruncated) return { hasAmazonEKSClusterPolicy: false };
      marker = o.Marker;
    }
    return {};
  } catch (err) {
    if (classifyAwsError(err).retryable)
      throw toStepError(err, { service: 'iam', operation: 'ListAttachedRolePolicies', principal: 'provision-role' });
    return {};
  }
}

/**
 * IAM roles, then IAM users, of role B's account: who may get an access entry (adminPrincipalArns).
 * One listing over two AWS paginations: our nextToken says which one and where (`roles:<marker>`,
 * `users:<marker>`; `users:` = users from the start).
 */
async function listPrincipals(iam: IAMClient, q: FormQuery): Promise<FormPage> {
  const m =
    q.nextToken === undefined
      ? { phase: 'roles', marker: undefined }
      : /^(?<phase>roles|users):(?<marker>.*)$/s.exec(q.nextToken)?.groups;
  if (!m)
    throw httpError(
      400,
      'INVALID_NEXT_TOKEN',
      'nextToken is not one this route handed out (or it expired); start again without it.',
    );
  const items: FormItem[] = [];
  let phase = m.phase;
  let marker = m.marker || undefined;
  for (let pages = 0; pages < MAX_PAGES; pages++) {
    if (phase === 'roles') {
      const o = await iam.send(new ListRolesCommand({ Marker: marker, MaxItems: 1000 }));
      // Service-linked roles belong to AWS services; no person or CI system uses them.
      for (const r of o.Roles ?? [])
        if (r.Arn && !r.Path?.startsWith('/aws-service-role/'))
          items.push({ id: r.Arn, name: r.RoleName ?? r.Arn, type: 'role' });
      marker = o.IsTruncated ? o.Marker : undefined;
      if (!marker) phase = 'users';
    } else {
      let o;
      try {
        o = await iam.send(new ListUsersCommand({ Marker: marker, MaxItems: 1000 }));
      } catch (err) {
        throw formDataError(err, 'principals', q, 'iam:ListUsers');
      }
      for (const u of o.Users ?? []) if (u.Arn) items.push({ id: u.Arn, name: u.UserName ?? u.Arn, type: 'user' });
      marker = o.IsTruncated ? o.Marker : undefined;
      if (!marker) return { items };
    }
  }
  return page(items, `${phase}:${marker ?? ''}`);
}

/** A failure while reading form data, as the error the caller sees (thrown by the caller). */
export function formDataError(
  err: unknown,
  resource: FormResource,
  q: FormQuery,
  action: string = ACTION_OF[resource],
): unknown {
  if (err instanceof DiagnosedError) return err;
  const info = classifyAwsError(err);
  if (info.kind === 'unknown') return err; // not from AWS: a bug, answered as a logged 500
  if (q.nextToken && info.kind === 'client' && /token|marker|pagination/i.test(`${info.code} ${info.message}`)) {
    return httpError(
      400,
      'INVALID_NEXT_TOKEN',
      'nextToken is not one this route handed out (or it expired); start again without it.',
    );
  }
  if (REGION_REFUSALS.has(info.code)) {
    // Role B's credentials are fresh (cached well short of expiry), so a refusal means the region is off.
    return new DiagnosedError(
      makeDiagnosis(
        'REGION_NOT_ENABLED',
        { region: q.region, awsErrorCode: info.code, awsMessage: info.message },
        {
          fields: [
            { path: 'region', message: `Region ${q.region} is not enabled for role B's account, or does not exist.` },
          ],
        },
      ),
    );
  }
  const [service, operation] = action.split(':') as [string, string];
  return toStepError(err, {
    service,
    operation,
    principal: 'provision-role',
    evidence: { action, region: q.region, ...(q.vpcId ? { vpcId: q.vpcId } : {}) },
  });
}

/** "1.33" before "1.9" when descending: numeric per part. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

const SIZES = ['nano', 'micro', 'small', 'medium', 'large', 'xlarge'];
/** m5.large before m5.xlarge before m5.2xlarge; families alphabetically. */
export function compareInstanceTypes(a: string, b: string): number {
  const [fa = '', sa = ''] = a.split('.');
  const [fb = '', sb = ''] = b.split('.');
  if (fa !== fb) return fa.localeCompare(fb);
  return sizeRank(sa) - sizeRank(sb) || sa.localeCompare(sb);
}
function sizeRank(s: string): number {
  const i = SIZES.indexOf(s);
  if (i >= 0) return i;
  const m = /^(\d+)xlarge$/.exec(s);
  if (m) return SIZES.length + Number(m[1]);
  if (s.startsWith('metal')) return 10_000;
  return 5_000;
}
