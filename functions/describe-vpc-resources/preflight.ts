/**
 * DescribeVpcResources: the whole pre-flight, through role B, before anything is made.
 * Every check runs even when an earlier one failed, so one answer lists every problem. Each list
 * call follows its pagination. Throttling / 5xx stop the step (the state machine retries it).
 */
import { type CloudFormationClient, paginateDescribeStacks, type Stack } from '@aws-sdk/client-cloudformation';
import {
  DescribeAvailabilityZonesCommand,
  DescribeKeyPairsCommand,
  type EC2Client,
  type Filter,
  paginateDescribeInstanceTypeOfferings,
  paginateDescribeSecurityGroups,
  paginateDescribeSubnets,
  paginateDescribeVpcs,
  type SecurityGroup,
  type Subnet,
  type Vpc,
} from '@aws-sdk/client-ec2';
import {
  type ClusterVersionInformation,
  DescribeClusterCommand,
  type EKSClient,
  paginateDescribeClusterVersions,
} from '@aws-sdk/client-eks';
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  type IAMClient,
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
} from '@aws-sdk/client-iam';
import { classifyAwsError } from '../lib/aws/aws-error.js';
// Where EKS cannot place a control plane: one list for the pre-flight and the form's subnet list.
import { EKS_UNSUPPORTED_AZ_IDS } from '../lib/aws/eks-zones.js';
import { type ContextEvidence, combineDiagnoses, makeDiagnosis } from '../lib/diagnosis/catalog.js';
import { type AwsCallContext, diagnoseAwsError } from '../lib/diagnosis/from-aws-error.js';
import type { Diagnosis } from '../lib/diagnosis/types.js';
import { DiagnosedError } from '../lib/errors.js';
import { missingRollbackActions, type PolicyDoc } from '../lib/policy/delete-permission.js';
import type { PreflightResult, ProvisionIdentity, ValidatedRequest } from '../lib/state.js';
import { TAG_KEYS } from '../lib/template/constants.js';

export { EKS_UNSUPPORTED_AZ_IDS };

export const EKS_CLUSTER_POLICY = 'AmazonEKSClusterPolicy';

export type PreflightRequest = ValidatedRequest & { identity?: ProvisionIdentity };

/** Collects every page of a paginator. */
async function all<P, T>(pages: AsyncIterable<P>, items: (page: P) => T[] | undefined): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(...(items(page) ?? []));
  return out;
}

/** A check failed in a way that is itself a finding (not retryable): carry its diagnosis. */
class Finding extends Error {
  constructor(readonly diagnosis: Diagnosis) {
    super(diagnosis.message);
  }
}

/**
 * Describes resources by id; when EC2 answers `*.NotFound` (it names only some of the missing ids),
 * asks again by filter, which returns the ones that exist, so every missing id is found.
 */
async function describeByIds<T>(
  ids: string[],
  byIds: () => Promise<T[]>,
  byFilter: () => Promise<T[]>,
  idOf: (t: T) => string | undefined,
): Promise<T[]> {
  let found: T[];
  try {
    found = await byIds();
  } catch (err) {
    if (classifyAwsError(err).kind !== 'not-found') throw err;
    found = await byFilter();
  }
  const wanted = new Set(ids);
  return found.filter((t) => wanted.has(idOf(t) ?? ''));
}

function versionKey(v: string): number[] {
  return v.split('.').map((n) => Number(n) || 0);
}
function newerFirst(a: string, b: string): number {
  const [x, y] = [versionKey(a), versionKey(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++)
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (y[i] ?? 0) - (x[i] ?? 0);
  return 0;
}
const isStandard = (v: ClusterVersionInformation) =>
  v.versionStatus === 'STANDARD_SUPPORT' || v.status === 'standard-support';
const isOffered = (v: ClusterVersionInformation) =>
  isStandard(v) || v.versionStatus === 'EXTENDED_SUPPORT' || v.status === 'extended-support';

/**
 * The role name: what follows the ARN's last `/` (`arn:aws:iam::1:role/path/name` → `name`). The
 * request was validated (a role ARN, trimmed), so this equals the schema's roleNameOf; it is not
 * imported from lib/schema, which builds the zod schema when loaded (~90 KiB and its start-up
 * time in this function's bundle for one string operation).
 */
export function roleNameOf(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/** The role-B clients the pre-flight reads through (it calls all four services). */
export interface PreflightClients {
  ec2: EC2Client;
  eks: EKSClient;
  iam: IAMClient;
  cloudformation: CloudFormationClient;
}

export async function describeVpcResources(req: PreflightRequest, clients: PreflightClients): Promise<PreflightResult> {
  const { cluster, region } = req;
  const { ec2, eks, iam, cloudformation } = clients;
  const base: ContextEvidence = { region, accountId: req.accountId, roleArn: cluster.provisionRoleArn };
  const problems: Diagnosis[] = [];

  /** Runs one check; AWS findings become problems, retryable failures stop the step. */
  async function check<T>(ctx: AwsCallContext, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof Finding) {
        problems.push(err.diagnosis);
        return undefined;
      }
      const out = diagnoseAwsError(err, {
        principal: 'provision-role',
        ...ctx,
        evidence: { ...base, ...(ctx.evidence ?? {}) },
      });
      if (out instanceof Error) throw out;
      problems.push(out);
      return undefined;
    }
  }
  const ec2Ctx = (operation: string, evidence: ContextEvidence = {}): AwsCallContext => ({
    service: 'ec2',
    operation,
    evidence: { vpcId: cluster.vpcId, ...evidence },
  });

  // ---- VPC --------------------------------------------------------------------------------------
  const vpcs = await check(ec2Ctx('DescribeVpcs', { resource: 'the VPC' }), () =>
    describeByIds<Vpc>(
      [cluster.vpcId],
      () => all(paginateDescribeVpcs({ client: ec2 }, { VpcIds: [cluster.vpcId] }), (p) => p.Vpcs),
      () =>
        all(
          paginateDescribeVpcs({ client: ec2 }, { Filters: [{ Name: 'vpc-id', Values: [cluster.vpcId] }] }),
          (p) => p.Vpcs,
        ),
      (v) => v.VpcId,
    ),
  );
  const vpcFound = vpcs !== undefined && vpcs.length > 0;
  if (vpcs !== undefined && !vpcFound) problems.push(makeDiagnosis('VPC_NOT_FOUND', { ...base, vpcId: cluster.vpcId }));

  // ---- subnets ----------------------------------------------------------------------------------
  const subnets = await check(ec2Ctx('DescribeSubnets', { resource: 'the subnets' }), () =>
    describeByIds<Subnet>(
      cluster.subnetIds,
      () => all(paginateDescribeSubnets({ client: ec2 }, { SubnetIds: cluster.subnetIds }), (p) => p.Subnets),
      () =>
        all(
          paginateDescribeSubnets({ client: ec2 }, { Filters: [{ Name: 'subnet-id', Values: cluster.subnetIds }] }),
          (p) => p.Subnets,
        ),
      (s) => s.SubnetId,
    ),
  );
  let usable: Subnet[] = [];
  if (subnets) {
    const byId = new Map(subnets.map((s) => [s.SubnetId ?? '', s]));
    const ordered = cluster.subnetIds.map((id) => byId.get(id)).filter((s): s is Subnet => s !== undefined);
    const missing = cluster.subnetIds.filter((id) => !byId.has(id));
    if (missing.length)
      problems.push(makeDiagnosis('SUBNET_NOT_FOUND', { ...base, vpcId: cluster.vpcId, subnetIds: missing }));

    const elsewhere = vpcFound ? ordered.filter((s) => s.VpcId !== cluster.vpcId) : [];
    if (elsewhere.length) {
      problems.push(
        makeDiagnosis('SUBNET_NOT_IN_VPC', {
          ...base,
          vpcId: cluster.vpcId,
          subnetIds: elsewhere.map((s) => s.SubnetId ?? ''),
          detail: elsewhere.map((s) => `${s.SubnetId} is in ${s.VpcId}`).join('; '),
        }),
      );
    }

    const rejectedIds = new Set(EKS_UNSUPPORTED_AZ_IDS[region] ?? []);
    const rejected = ordered.filter((s) => rejectedIds.has(s.AvailabilityZoneId ?? ''));
    if (rejected.length) {
      const validZones = await supportedZoneNames(ec2, rejectedIds);
      problems.push(
        makeDiagnosis('UNSUPPORTED_AVAILABILITY_ZONE', {
          ...base,
          vpcId: cluster.vpcId,
          subnetIds: rejected.map((s) => s.SubnetId ?? ''),
          unsupportedZones: [...new Set(rejected.map((s) => `${s.AvailabilityZone} (${s.AvailabilityZoneId})`))],
          ...(validZones.length ? { validZones } : {}),
        }),
      );
    }

    usable = ordered.filter((s) => !elsewhere.includes(s) && !rejected.includes(s));
    const zones = new Set(usable.map((s) => s.AvailabilityZone));
    if (!missing.length && !elsewhere.length && !rejected.length && zones.size < 2) {
      problems.push(
        makeDiagnosis('SUBNETS_INSUFFICIENT', {
          ...base,
          vpcId: cluster.vpcId,
          subnetIds: cluster.subnetIds,
          availabilityZones: [...zones].filter(Boolean) as string[],
        }),
      );
    }
  }

  // ---- security groups --------------------------------------------------------------------------
  if (cluster.securityGroupIds.length) {
    const groups = await check(
      ec2Ctx('DescribeSecurityGroups', { resource: 'the security groups', securityGroupIds: cluster.securityGroupIds }),
      () =>
        describeByIds<SecurityGroup>(
          cluster.securityGroupIds,
          () =>
            all(
              paginateDescribeSecurityGroups({ client: ec2 }, { GroupIds: cluster.securityGroupIds }),
              (p) => p.SecurityGroups,
            ),
          () =>
            all(
              paginateDescribeSecurityGroups(
                { client: ec2 },
                { Filters: [{ Name: 'group-id', Values: cluster.securityGroupIds }] },
              ),
              (p) => p.SecurityGroups,
            ),
          (g) => g.GroupId,
        ),
    );
    if (groups) {
      const found = new Set(groups.map((g) => g.GroupId));
      const missing = cluster.securityGroupIds.filter((id) => !found.has(id));
      if (missing.length) {
        problems.push(
          makeDiagnosis('SECURITY_GROUP_NOT_IN_VPC', {
            ...base,
            vpcId: cluster.vpcId,
            securityGroupIds: missing,
            detail: `does not exist in ${region}`,
          }),
        );
      }
      const elsewhere = vpcFound ? groups.filter((g) => g.VpcId !== cluster.vpcId) : [];
      if (elsewhere.length) {
        problems.push(
          makeDiagnosis('SECURITY_GROUP_NOT_IN_VPC', {
            ...base,
            vpcId: cluster.vpcId,
            securityGroupIds: elsewhere.map((g) => g.GroupId ?? ''),
            detail: `belongs to another VPC (${elsewhere.map((g) => `${g.GroupId} is in ${g.VpcId}`).join('; ')}), not ${cluster.vpcId}`,
          }),
        );
      }
    }
  }

  // ---- key pair (regional) ----------------------------------------------------------------------
  if (cluster.keyName) {
    const keyName = cluster.keyName;
    await check(ec2Ctx('DescribeKeyPairs', { keyName, resource: 'the key pairs' }), async () => {
      const out = await ec2.send(new DescribeKeyPairsCommand({ KeyNames: [keyName] }));
      if (!(out.KeyPairs ?? []).some((k) => k.KeyName === keyName))
        throw new Finding(makeDiagnosis('KEY_PAIR_NOT_FOUND', { ...base, keyName }));
    });
  }

  // ---- instance type in the chosen zones --------------------------------------------------------
  const zones = [...new Set(usable.map((s) => s.AvailabilityZone).filter((z): z is string => !!z))];
  await check(ec2Ctx('DescribeInstanceTypeOfferings', { instanceType: cluster.instanceType }), async () => {
    const byZone = zones.length > 0;
    const filters: Filter[] = [
      { Name: 'instance-type', Values: [cluster.instanceType] },
      { Name: 'location', Values: byZone ? zones : [region] },
    ];
    const offers = await all(
      paginateDescribeInstanceTypeOfferings(
        { client: ec2 },
        { LocationType: byZone ? 'availability-zone' : 'region', Filters: filters },
      ),
      (p) => p.InstanceTypeOfferings,
    );
    const offered = new Set(offers.filter((o) => o.InstanceType === cluster.instanceType).map((o) => o.Location));
    const lacking = byZone ? zones.filter((z) => !offered.has(z)) : offered.has(region) ? [] : [region];
    if (lacking.length) {
      throw new Finding(
        makeDiagnosis('INSTANCE_TYPE_NOT_OFFERED', {
          ...base,
          instanceType: cluster.instanceType,
          unsupportedZones: lacking,
          availabilityZones: zones,
        }),
      );
    }
  });

  // ---- Kubernetes version -----------------------------------------------------------------------
  const version = await check({ service: 'eks', operation: 'DescribeClusterVersions' }, async () => {
    const versions = (await all(paginateDescribeClusterVersions({ client: eks }, {}), (p) => p.clusterVersions)).filter(
      isOffered,
    );
    const offered = [...new Set(versions.map((v) => v.clusterVersion ?? '').filter(Boolean))].sort(newerFirst);
    if (cluster.kubernetesVersion) {
      if (!offered.includes(cluster.kubernetesVersion)) {
        throw new Finding(
          makeDiagnosis('KUBERNETES_VERSION_UNSUPPORTED', {
            ...base,
            kubernetesVersion: cluster.kubernetesVersion,
            supportedVersions: offered,
          }),
        );
      }
      return cluster.kubernetesVersion;
    }
    const newest = versions
      .filter(isStandard)
      .map((v) => v.clusterVersion ?? '')
      .filter(Boolean)
      .sort(newerFirst)[0];
    if (!newest)
      throw new Finding(
        makeDiagnosis('KUBERNETES_VERSION_UNSUPPORTED', {
          ...base,
          kubernetesVersion: 'newest in standard support',
          supportedVersions: offered,
        }),
      );
    return newest;
  });

  // ---- role A: exists, has AmazonEKSClusterPolicy ------------------------------------------------
  const roleName = roleNameOf(cluster.serviceRoleArn);
  const roleEvidence: ContextEvidence = { serviceRoleArn: cluster.serviceRoleArn };
  await check({ service: 'iam', operation: 'GetRole', evidence: roleEvidence }, async () => {
    try {
      const got = await iam.send(new GetRoleCommand({ RoleName: roleName }));
      if (got.Role?.Arn && got.Role.Arn !== cluster.serviceRoleArn) {
        throw new Finding(
          makeDiagnosis('INVALID_ROLE_ARN', {
            ...base,
            ...roleEvidence,
            field: 'serviceRoleArn',
            roleArn: cluster.serviceRoleArn,
            detail: `The role named ${roleName} has ARN ${got.Role.Arn}`,
          }),
        );
      }
      if (trustsService(got.Role?.AssumeRolePolicyDocument, 'eks.amazonaws.com') === false) {
        problems.push(
          makeDiagnosis('INVALID_ROLE_ARN', {
            ...base,
            ...roleEvidence,
            field: 'serviceRoleArn',
            roleArn: cluster.serviceRoleArn,
            detail: `Role A (${roleName}) does not trust eks.amazonaws.com: its trust policy must allow the service principal eks.amazonaws.com to call sts:AssumeRole`,
          }),
        );
      }
    } catch (err) {
      if (err instanceof Finding) throw err;
      if (classifyAwsError(err).code === 'NoSuchEntity') {
        throw new Finding(
          makeDiagnosis('INVALID_ROLE_ARN', {
            ...base,
            ...roleEvidence,
            field: 'serviceRoleArn',
            roleArn: cluster.serviceRoleArn,
            detail: `Role A (${roleName}) does not exist in account ${req.accountId}: create it per the Amazon EKS cluster IAM role guide, or fix the ARN`,
          }),
        );
      }
      throw err;
    }
    const attached = await all(
      paginateListAttachedRolePolicies({ client: iam }, { RoleName: roleName }),
      (p) => p.AttachedPolicies,
    );
    if (
      !attached.some(
        (p) => p.PolicyName === EKS_CLUSTER_POLICY || p.PolicyArn?.endsWith(`:policy/${EKS_CLUSTER_POLICY}`),
      )
    ) {
      throw new Finding(
        makeDiagnosis('CLUSTER_ROLE_MISSING_EKS_POLICY', {
          ...base,
          ...roleEvidence,
          attachedPolicies: attached.map((p) => p.PolicyName ?? ''),
        }),
      );
    }
  });

  // ---- onFailure ROLLBACK: role B must be able to delete what the stack made ---------------------
  // The rollback deletes with role B's credentials; without the delete statement it ends ROLLBACK_FAILED with orphans.
  if (cluster.onFailure === 'ROLLBACK') {
    const roleB = roleNameOf(cluster.provisionRoleArn);
    const partition = cluster.provisionRoleArn.split(':')[1] || 'aws';
    let problem: string | undefined;
    try {
      const docs = await roleBPolicies(iam, roleB);
      const missing = missingRollbackActions(docs, {
        partition,
        region,
        accountId: req.accountId,
        stackName: req.stackName,
        clusterName: cluster.name,
      });
      if (missing.length) problem = `role B (${roleB}) may not ${missing.join(', ')} on what this stack creates`;
    } catch (err) {
      const info = classifyAwsError(err);
      if (info.retryable) throw err;
      problem = `role B (${roleB}) could not read its own policies to prove it may delete (${info.code})`;
    }
    if (problem) {
      problems.push(
        makeDiagnosis(
          'VALIDATION_FAILED',
          { ...base },
          {
            fields: [
              {
                path: 'onFailure',
                message: `ROLLBACK needs role B to delete what the stack created, but ${problem}: every rollback delete would be denied and the stack would end ROLLBACK_FAILED with resources left behind. Add the delete statement from GET /v1/setup (provisionRoleDeleteStatement) to role B, or use onFailure KEEP.`,
              },
            ],
          },
        ),
      );
    }
  }

  // ---- name free: no stack, no EKS cluster (unless they are this cluster's own) -----------------
  const nameEvidence: ContextEvidence = { clusterName: cluster.name, stackName: req.stackName };
  await check(
    { service: 'cloudformation', operation: 'DescribeStacks', evidence: { clusterName: cluster.name } },
    async () => {
      let stacks: Stack[];
      try {
        stacks = await all(
          paginateDescribeStacks({ client: cloudformation }, { StackName: req.stackName }),
          (p) => p.Stacks,
        );
      } catch (err) {
        // "Stack with id eks-provisioner-demo does not exist" (ValidationError): the name is free.
        const info = classifyAwsError(err);
        if (info.code === 'ValidationError' && /does not exist/i.test(info.message)) return;
        throw err;
      }
      const live = stacks.filter((s) => s.StackStatus !== 'DELETE_COMPLETE');
      const foreign = live.filter(
        (s) => !(s.Tags ?? []).some((t) => t.Key === TAG_KEYS.clusterId && t.Value === req.clusterId),
      );
      const first = foreign[0];
      if (first) {
        throw new Finding(
          makeDiagnosis('NAME_ALREADY_IN_USE', {
            ...base,
            ...nameEvidence,
            detail: `CloudFormation stack ${first.StackName} (${first.StackStatus})`,
          }),
        );
      }
    },
  );
  await check({ service: 'eks', operation: 'DescribeCluster', evidence: { clusterName: cluster.name } }, async () => {
    try {
      const out = await eks.send(new DescribeClusterCommand({ name: cluster.name }));
      const c = out.cluster;
      if (c && c.tags?.[TAG_KEYS.clusterId] !== req.clusterId) {
        throw new Finding(
          makeDiagnosis('NAME_ALREADY_IN_USE', {
            clusterName: cluster.name,
            region,
            accountId: req.accountId,
            detail: `EKS cluster ${c.name} (${c.status})`,
          }),
        );
      }
    } catch (err) {
      if (err instanceof Finding) throw err;
      if (classifyAwsError(err).code === 'ResourceNotFoundException') return;
      throw err;
    }
  });

  const diagnosis = combineDiagnoses(problems);
  if (diagnosis) throw new DiagnosedError(diagnosis);

  return {
    kubernetesVersion: version as string,
    vpcId: cluster.vpcId,
    subnets: usable.map((s) => ({
      subnetId: s.SubnetId ?? '',
      availabilityZone: s.AvailabilityZone ?? '',
      availabilityZoneId: s.AvailabilityZoneId ?? '',
    })),
    availabilityZones: zones,
    securityGroupIds: cluster.securityGroupIds,
    serviceRoleArn: cluster.serviceRoleArn,
    ...(cluster.keyName ? { keyName: cluster.keyName } : {}),
  };
}

/**
 * Whether a role's trust policy (URL-encoded JSON, as IAM returns it) lets `service` assume it.
 * Undefined when the document is absent or unreadable: then nothing is claimed.
 */
export function trustsService(document: string | undefined, service: string): boolean | undefined {
  if (!document) return undefined;
  let doc: { Statement?: unknown };
  try {
    doc = JSON.parse(document.trim().startsWith('{') ? document : decodeURIComponent(document)) as {
      Statement?: unknown;
    };
  } catch {
    return undefined;
  }
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
  return list(doc.Statement).some((st) => {
    const s = st as { Effect?: string; Action?: unknown; Principal?: unknown };
    if (s.Effect !== 'Allow') return false;
    const actions = list(s.Action).map(String);
    if (!actions.some((a) => a === 'sts:AssumeRole' || a === 'sts:*' || a === '*')) return false;
    const principal = s.Principal as { Service?: unknown } | string | undefined;
    if (principal === '*') return true;
    return typeof principal === 'object' && list(principal.Service).map(String).includes(service);
  });
}

/** Zone names in the region that EKS accepts (best effort: only used to word the fix). */
async function supportedZoneNames(ec2: EC2Client, rejectedIds: Set<string>): Promise<string[]> {
  try {
    const out = await ec2.send(
      new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'zone-type', Values: ['availability-zone'] }] }),
    );
    return (out.AvailabilityZones ?? [])
      .filter((z) => z.State === 'available' && !rejectedIds.has(z.ZoneId ?? ''))
      .map((z) => z.ZoneName ?? '')
      .filter(Boolean);
  } catch {
    return [];
  }
}

/** Role B's inline and attached (default version) policy documents, as IAM returns them (URL-encoded JSON). */
async function roleBPolicies(iam: IAMClient, roleName: string): Promise<PolicyDoc[]> {
  const parse = (text: string | undefined): PolicyDoc =>
    text ? (JSON.parse(decodeURIComponent(text)) as PolicyDoc) : {};
  const docs: PolicyDoc[] = [];
  const inline = await all(paginateListRolePolicies({ client: iam }, { RoleName: roleName }), (p) => p.PolicyNames);
  for (const name of inline)
    docs.push(
      parse((await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }))).PolicyDocument),
    );
  const attached = await all(
    paginateListAttachedRolePolicies({ client: iam }, { RoleName: roleName }),
    (p) => p.AttachedPolicies,
  );
  for (const a of attached) {
    if (!a.PolicyArn) continue;
    const version = (await iam.send(new GetPolicyCommand({ PolicyArn: a.PolicyArn }))).Policy?.DefaultVersionId;
    if (version)
      docs.push(
        parse(
          (await iam.send(new GetPolicyVersionCommand({ PolicyArn: a.PolicyArn, VersionId: version }))).PolicyVersion
            ?.Document,
        ),
      );
  }
  return docs;
}
