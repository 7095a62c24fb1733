/**
 * EKS resources: Cluster, Nodegroup (managed), Addon (with its PodIdentityAssociations), AccessEntry.
 *
 * Each models the checks EKS itself makes (role A's trust and managed policy, subnets and their AZs,
 * Kubernetes version, quotas, node role trust, key pair region, authentication mode) and the way the
 * CloudFormation handler reports them. What gets created lands in the world so the EKS describe calls
 * show it.
 */
import { createHash } from 'node:crypto';
import { ADDON_CATALOG, defaultAddonVersion } from '../../eks/addons.js';
import { roleTrustsService } from '../../iam/evaluate.js';
import type { EksAccessEntry, EksAddon, EksCluster, EksNodegroup, IamRole } from '../../world/types.js';
import { roleArnOf, serviceLinkedTrust } from '../../world/world.js';
import type { ResourceValues } from '../template/intrinsics.js';
import {
  type AccessPolicyProperty,
  addonJobs,
  clusterJobs,
  finishJobs,
  nodegroupJobs,
  runJobs,
  updateAccessEntryNow,
} from './eks-update.js';
import {
  alreadyExists,
  checkServiceRequest,
  handlerFailure,
  jitter,
  type ProviderContext,
  type ResourceProvider,
  randomHex,
  randomString,
  resourceTagKeys,
  serviceFailure,
  stringList,
  tagRecord,
} from './types.js';

const CLUSTER_POLICY = 'arn:aws:iam::aws:policy/AmazonEKSClusterPolicy';
const WORKER_POLICY = 'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy';
const ECR_POLICIES = [
  'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly',
  'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly',
];
const ADMIN_ACCESS_POLICY = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy';

const MIN = 60_000;

/** One AWS::EKS::Cluster EncryptionConfig item as the template wrote it. */
interface EncryptionConfigProperty {
  Provider?: { KeyArn?: string };
}

function invalid(ctx: ProviderContext, message: string, status = 400, handlerErrorCode = 'InvalidRequest') {
  return serviceFailure(ctx, { service: 'Eks', status, message, handlerErrorCode });
}

function notFound(ctx: ProviderContext, message: string) {
  return serviceFailure(ctx, { service: 'Eks', status: 404, message, handlerErrorCode: 'NotFound' });
}

/** EKS validates the request's `tags` (stack tags merged in) before it creates anything. */
function checkEksTags(ctx: ProviderContext, props: Record<string, unknown>): void {
  const tags = { ...ctx.stackTags, ...tagRecord(props.Tags) };
  if (Object.keys(tags).length) checkServiceRequest(ctx, 'Eks', { shape: 'TagMap', value: tags, path: 'tags' });
}

function clusterArn(ctx: ProviderContext, name: string): string {
  return `arn:${ctx.partition}:eks:${ctx.region}:${ctx.accountId}:cluster/${name}`;
}

function findCluster(ctx: ProviderContext, name: string): EksCluster | undefined {
  return ctx.data.eksClusters.find((c) => c.accountId === ctx.accountId && c.region === ctx.region && c.name === name);
}

function activeCluster(ctx: ProviderContext, name: string): EksCluster {
  const cluster = findCluster(ctx, name);
  if (!cluster) throw notFound(ctx, `No cluster found for name: ${name}.`);
  if (cluster.status !== 'ACTIVE') {
    throw invalid(ctx, `Cluster '${name}' is not in ACTIVE status`, 409, 'ResourceConflict');
  }
  return cluster;
}

/** `${LogicalId}-${12 random}` — how CloudFormation names EKS resources it names itself. */
function eksGeneratedName(ctx: ProviderContext, max: number): string {
  const suffix = randomString(ctx, 12, true);
  return `${ctx.logicalId.slice(0, max - 13)}-${suffix}`;
}

function hasPolicy(role: IamRole, arns: string[]): boolean {
  return role.attachedPolicyArns.some((a) => arns.includes(a));
}

function passRoleKeys(service: string): Record<string, string> {
  return { 'iam:PassedToService': service };
}

/** A PEM-looking CA certificate, base64 as EKS returns it (content is random: nothing verifies it). */
function fakeCertificateAuthority(ctx: ProviderContext, name: string): string {
  const body = createHash('sha512').update(`${name}:${ctx.uuid()}`).digest('base64');
  const pem = `-----BEGIN CERTIFICATE-----\nMIIDBTCCAe2gAwIBAgII${body.slice(0, 44)}\n${body.slice(44)}AAAA\n-----END CERTIFICATE-----\n`;
  return Buffer.from(pem).toString('base64');
}

/**
 * EKS creates its service-linked role on first use in an account, with the caller's permissions
 * (`iam:CreateServiceLinkedRole`): `AWSServiceRoleForAmazonEKS` for clusters,
 * `AWSServiceRoleForAmazonEKSNodegroup` for managed node groups.
 */
function ensureServiceLinkedRole(ctx: ProviderContext, service: string, name: string, policyArn: string): void {
  if (ctx.world.role(ctx.accountId, name)) return;
  const path = `/aws-service-role/${service}/`;
  const arn = roleArnOf(ctx.partition, ctx.accountId, path, name);
  ctx.require('Eks', 'iam:CreateServiceLinkedRole', arn, { 'iam:AWSServiceName': service });
  ctx.world.addRole({
    accountId: ctx.accountId,
    name,
    path,
    partition: ctx.partition,
    trust: serviceLinkedTrust(service),
    attachedPolicyArns: [policyArn],
  });
}

// ----- AWS::EKS::Cluster ---------------------------------------------------------------------------------

export const eksCluster: ResourceProvider = {
  type: 'AWS::EKS::Cluster',
  attributes: [
    'Arn',
    'CertificateAuthorityData',
    'ClusterSecurityGroupId',
    'EncryptionConfigKeyArn',
    'Endpoint',
    'Id',
    'KubernetesNetworkConfig.ServiceIpv6Cidr',
    'OpenIdConnectIssuerUrl',
  ],
  required: ['RoleArn', 'ResourcesVpcConfig'],
  create(ctx, props) {
    checkEksTags(ctx, props);
    const name = props.Name !== undefined ? String(props.Name) : eksGeneratedName(ctx, 100);
    const arn = clusterArn(ctx, name);
    const roleArn = String(props.RoleArn);
    const vpcConfig = (props.ResourcesVpcConfig ?? {}) as Record<string, unknown>;
    const subnetIds = stringList(vpcConfig.SubnetIds);
    const sgIds = stringList(vpcConfig.SecurityGroupIds);
    const region = ctx.world.region(ctx.region);

    // Permissions first: EKS authorises the call before validating it.
    ctx.require('Eks', 'eks:CreateCluster', '*', {}, arn);
    ctx.require('Eks', 'iam:PassRole', roleArn, passRoleKeys('eks.amazonaws.com'));

    if (findCluster(ctx, name)) throw alreadyExists(ctx, 'AWS::EKS::Cluster', name);
    const account = ctx.world.account(ctx.accountId);
    const existing = ctx.data.eksClusters.filter(
      (c) => c.accountId === ctx.accountId && c.region === ctx.region,
    ).length;
    if (account && existing >= account.quotas.clustersPerRegion) {
      throw invalid(
        ctx,
        `Cannot create cluster '${name}' because you have reached the maximum number of clusters (${account.quotas.clustersPerRegion}) allowed in ${ctx.region} for this account.`,
        400,
        'ServiceLimitExceeded',
      );
    }
    const versions = region?.eksVersions ?? [];
    const version =
      props.Version !== undefined
        ? String(props.Version)
        : ((versions.find((v) => v.defaultVersion) ?? versions[0])?.version ?? '1.33');
    const versionInfo = versions.find((v) => v.version === version);
    if (!versionInfo || versionInfo.status === 'UNSUPPORTED')
      throw invalid(ctx, `unsupported Kubernetes version ${version}`);

    const role = ctx.world.roleByArn(roleArn);
    if (!role || role.accountId !== ctx.accountId || !roleTrustsService(ctx.world, role, 'eks.amazonaws.com')) {
      throw invalid(
        ctx,
        `Role with arn: ${roleArn}, could not be assumed because it does not exist or the trusted entity is not correct`,
      );
    }
    if (!hasPolicy(role, [CLUSTER_POLICY])) {
      throw invalid(
        ctx,
        `The provided role doesn't have the Amazon EKS Managed Policies associated with it. Please ensure the following policy is attached: ${CLUSTER_POLICY}`,
      );
    }

    if (subnetIds.length === 0) throw invalid(ctx, 'Subnet ids must be specified');
    const subnets = subnetIds.map((id) => {
      const s = ctx.data.subnets.find(
        (x) => x.subnetId === id && x.accountId === ctx.accountId && x.region === ctx.region,
      );
      if (!s) throw invalid(ctx, `The subnet ID '${id}' does not exist`);
      return s;
    });
    const vpcId = subnets[0]!.vpcId;
    if (subnets.some((s) => s.vpcId !== vpcId)) throw invalid(ctx, 'Subnets specified must belong to the same VPC');
    const azs = [...new Set(subnets.map((s) => s.availabilityZone))];
    if (azs.length < 2) throw invalid(ctx, 'Subnets specified must be in at least two different AZs');
    const rejected = azs.find((az) => region?.availabilityZones.find((z) => z.name === az)?.eksSupported === false);
    if (rejected) {
      const offered = (region?.availabilityZones ?? [])
        .filter((z) => z.eksSupported)
        .map((z) => z.name)
        .sort();
      throw invalid(
        ctx,
        `Cannot create cluster '${name}' because ${rejected}, the targeted availability zone, does not currently have sufficient capacity to support the cluster. Retry and choose from these availability zones: ${offered.join(', ')}`,
      );
    }
    for (const sg of sgIds) {
      const group = ctx.data.securityGroups.find(
        (g) => g.groupId === sg && g.accountId === ctx.accountId && g.region === ctx.region,
      );
      if (!group) throw invalid(ctx, `The security group '${sg}' does not exist`);
      if (group.vpcId !== vpcId)
        throw invalid(ctx, `Security group ${sg} is not in the same VPC as the subnets (${vpcId})`);
    }
    ensureServiceLinkedRole(
      ctx,
      'eks.amazonaws.com',
      'AWSServiceRoleForAmazonEKS',
      'arn:aws:iam::aws:policy/aws-service-role/AmazonEKSServiceRolePolicy',
    );
    const access = (props.AccessConfig ?? {}) as Record<string, unknown>;
    const authenticationMode =
      (access.AuthenticationMode as 'API' | 'API_AND_CONFIG_MAP' | 'CONFIG_MAP' | undefined) ?? 'CONFIG_MAP';
    const knc = (props.KubernetesNetworkConfig ?? {}) as Record<string, unknown>;
    const cluster: EksCluster = {
      accountId: ctx.accountId,
      region: ctx.region,
      name,
      arn,
      version,
      platformVersion: versionInfo.platformVersion,
      roleArn,
      status: 'CREATING',
      resourcesVpcConfig: {
        subnetIds,
        securityGroupIds: sgIds,
        vpcId,
        endpointPublicAccess:
          vpcConfig.EndpointPublicAccess === undefined ? true : String(vpcConfig.EndpointPublicAccess) === 'true',
        endpointPrivateAccess: String(vpcConfig.EndpointPrivateAccess) === 'true',
        publicAccessCidrs:
          vpcConfig.PublicAccessCidrs !== undefined ? stringList(vpcConfig.PublicAccessCidrs) : ['0.0.0.0/0'],
      },
      kubernetesNetworkConfig: {
        serviceIpv4Cidr: knc.ServiceIpv4Cidr !== undefined ? String(knc.ServiceIpv4Cidr) : '172.20.0.0/16',
        ipFamily: knc.IpFamily === 'ipv6' ? 'ipv6' : 'ipv4',
      },
      accessConfig: {
        authenticationMode,
        bootstrapClusterCreatorAdminPermissions:
          access.BootstrapClusterCreatorAdminPermissions === undefined
            ? true
            : String(access.BootstrapClusterCreatorAdminPermissions) === 'true',
      },
      health: { issues: [] },
      tags: { ...ctx.stackTags, ...tagRecord(props.Tags) },
      createdAt: ctx.nowIso(),
    };
    if (props.Logging !== undefined) cluster.logging = props.Logging;
    // AWS's default when UpgradePolicy is absent: the cluster enters extended support.
    const upgrade = (props.UpgradePolicy ?? {}) as Record<string, unknown>;
    if (upgrade.SupportType !== undefined && upgrade.SupportType !== 'STANDARD' && upgrade.SupportType !== 'EXTENDED') {
      throw invalid(
        ctx,
        `Invalid value ${String(upgrade.SupportType)} for upgradePolicy.supportType; valid values: STANDARD, EXTENDED`,
      );
    }
    cluster.upgradePolicy = { supportType: upgrade.SupportType === 'STANDARD' ? 'STANDARD' : 'EXTENDED' };
    ctx.data.eksClusters.push(cluster);
    ctx.world.kubernetes?.prepare?.(); // a listener ready for its endpoint when it turns ACTIVE
    ctx.setPhysicalId(name);
    // The handler polls DescribeCluster with the caller's credentials while the control plane comes up.
    ctx.require('Eks', 'eks:DescribeCluster', arn);
    const encryption = Array.isArray(props.EncryptionConfig)
      ? (props.EncryptionConfig as EncryptionConfigProperty[])
      : [];
    return { durationMs: jitter(ctx, 9 * MIN), state: { keyArn: encryption[0]?.Provider?.KeyArn ?? '' } };
  },
  finishCreate(ctx, _props, physicalId, state) {
    const cluster = findCluster(ctx, physicalId);
    if (!cluster) throw notFound(ctx, `No cluster found for name: ${physicalId}.`);
    if (cluster.status === 'CREATING') {
      const sgId = `sg-${randomHex(ctx, 17)}`;
      ctx.data.securityGroups.push({
        accountId: ctx.accountId,
        region: ctx.region,
        groupId: sgId,
        groupName: `eks-cluster-sg-${cluster.name}-${String(Math.floor(ctx.random() * 1e10)).padStart(10, '0')}`,
        description:
          'EKS created security group applied to ENI that is attached to EKS Control Plane master nodes, as well as any managed workloads.',
        vpcId: cluster.resourcesVpcConfig.vpcId,
        ingress: [{ ipProtocol: '-1', sourceGroupIds: [sgId] }],
        egress: [{ ipProtocol: '-1', cidrIps: ['0.0.0.0/0'] }],
        tags: {
          Name: `eks-cluster-sg-${cluster.name}`,
          [`kubernetes.io/cluster/${cluster.name}`]: 'owned',
          'aws:eks:cluster-name': cluster.name,
        },
      });
      cluster.resourcesVpcConfig.clusterSecurityGroupId = sgId;
      // With the sandbox's Kubernetes front running, the endpoint is a real loopback API server with its own CA.
      const served = ctx.world.kubernetes?.attach(cluster);
      cluster.endpoint =
        served?.endpoint ?? `https://${randomHex(ctx, 32).toUpperCase()}.gr7.${ctx.region}.eks.amazonaws.com`;
      cluster.certificateAuthorityData =
        served?.certificateAuthorityData ?? fakeCertificateAuthority(ctx, cluster.name);
      cluster.oidcIssuer = `https://oidc.eks.${ctx.region}.amazonaws.com/id/${randomHex(ctx, 32).toUpperCase()}`;
      cluster.status = 'ACTIVE';
      // EKS gives the creator cluster-admin through an access entry when the mode allows access entries.
      const mode = cluster.accessConfig?.authenticationMode;
      if (
        (mode === 'API' || mode === 'API_AND_CONFIG_MAP') &&
        cluster.accessConfig?.bootstrapClusterCreatorAdminPermissions
      ) {
        const principalArn = ctx.caller.kind === 'assumed-role' ? ctx.caller.role.arn : ctx.caller.arn;
        ctx.data.eksAccessEntries.push(
          newAccessEntry(ctx, cluster, principalArn, [], undefined, [
            { policyArn: ADMIN_ACCESS_POLICY, accessScope: { type: 'cluster' } },
          ]),
        );
      }
    }
    return {
      ref: cluster.name,
      attributes: {
        Arn: cluster.arn,
        CertificateAuthorityData: cluster.certificateAuthorityData ?? '',
        ClusterSecurityGroupId: cluster.resourcesVpcConfig.clusterSecurityGroupId ?? '',
        EncryptionConfigKeyArn: (state as { keyArn?: string } | undefined)?.keyArn ?? '',
        Endpoint: cluster.endpoint ?? '',
        Id: '',
        'KubernetesNetworkConfig.ServiceIpv6Cidr': '',
        OpenIdConnectIssuerUrl: cluster.oidcIssuer ?? '',
      },
    };
  },
  update(ctx, before, after, physicalId) {
    return runJobs(ctx, physicalId, clusterJobs(ctx, before, after, physicalId));
  },
  finishUpdate(ctx, _before, after, physicalId, state) {
    const encryption = Array.isArray(after.EncryptionConfig)
      ? (after.EncryptionConfig as EncryptionConfigProperty[])
      : [];
    return finishJobs(
      ctx,
      physicalId,
      state,
      () =>
        eksCluster.finishCreate(ctx, after, physicalId, {
          keyArn: encryption[0]?.Provider?.KeyArn ?? '',
        }) as ResourceValues,
    );
  },
  delete(ctx, _props, physicalId) {
    const cluster = physicalId ? findCluster(ctx, physicalId) : undefined;
    if (!cluster) return { durationMs: 1_000 };
    ctx.require('Eks', 'eks:DeleteCluster', cluster.arn, resourceTagKeys(cluster.tags));
    const groups = ctx.data.eksNodegroups.filter(
      (n) => n.accountId === ctx.accountId && n.region === ctx.region && n.clusterName === cluster.name,
    );
    if (groups.length) {
      throw serviceFailure(ctx, {
        service: 'Eks',
        status: 409,
        message: `Cluster has nodegroups attached`,
        handlerErrorCode: 'ResourceConflict',
      });
    }
    cluster.status = 'DELETING';
    return { durationMs: jitter(ctx, 4 * MIN) };
  },
  finishDelete(ctx, _props, physicalId) {
    const cluster = physicalId ? findCluster(ctx, physicalId) : undefined;
    if (!cluster) return;
    const match = (x: { accountId: string; region: string; clusterName: string }) =>
      x.accountId === ctx.accountId && x.region === ctx.region && x.clusterName === cluster.name;
    ctx.data.eksAddons = ctx.data.eksAddons.filter((a) => !match(a));
    ctx.data.eksAccessEntries = ctx.data.eksAccessEntries.filter((a) => !match(a));
    ctx.data.eksPodIdentityAssociations = ctx.data.eksPodIdentityAssociations.filter((a) => !match(a));
    const sg = cluster.resourcesVpcConfig.clusterSecurityGroupId;
    if (sg) ctx.data.securityGroups = ctx.data.securityGroups.filter((g) => g.groupId !== sg);
    ctx.data.eksClusters = ctx.data.eksClusters.filter((c) => c !== cluster);
  },
  dependentObjectFailure(ctx, _props, physicalId) {
    // E.g. a load balancer that a Kubernetes Service of type LoadBalancer made (not deleted before the
    // cluster) still has network interfaces using the cluster security group: EC2 refuses to delete the
    // group (DependencyViolation) and the cluster deletion fails. Once it is gone, deleting again succeeds.
    const cluster = physicalId ? findCluster(ctx, physicalId) : undefined;
    if (!cluster) return undefined;
    cluster.status = 'FAILED';
    const sg = cluster.resourcesVpcConfig.clusterSecurityGroupId ?? 'sg-unknown';
    return serviceFailure(ctx, {
      service: 'Ec2',
      status: 400,
      message: `resource ${sg} has a dependent object`,
      handlerErrorCode: 'GeneralServiceException',
    });
  },
};

// ----- AWS::EKS::Nodegroup -------------------------------------------------------------------------------

function findNodegroup(ctx: ProviderContext, clusterName: string, name: string): EksNodegroup | undefined {
  return ctx.data.eksNodegroups.find(
    (n) =>
      n.accountId === ctx.accountId &&
      n.region === ctx.region &&
      n.clusterName === clusterName &&
      n.nodegroupName === name,
  );
}

/** Physical id of a node group: `<cluster>/<nodegroup>` (also what Ref returns). */
interface NodegroupFailure {
  code: string;
  message: string;
  /** Failure of the Auto Scaling group (resource ids are ASG names) rather than of instances. */
  asg?: boolean;
}

function splitNodegroupId(id: string): [string, string] {
  const slash = id.indexOf('/');
  return [id.slice(0, slash), id.slice(slash + 1)];
}

export const eksNodegroup: ResourceProvider = {
  type: 'AWS::EKS::Nodegroup',
  attributes: ['Arn', 'ClusterName', 'NodegroupName', 'Id'],
  required: ['ClusterName', 'NodeRole', 'Subnets'],
  create(ctx, props) {
    checkEksTags(ctx, props);
    const clusterName = String(props.ClusterName);
    const name = props.NodegroupName !== undefined ? String(props.NodegroupName) : eksGeneratedName(ctx, 63);
    const nodeRoleArn = String(props.NodeRole);
    const cArn = clusterArn(ctx, clusterName);
    ctx.require('Eks', 'eks:CreateNodegroup', cArn);
    ctx.require('Eks', 'iam:PassRole', nodeRoleArn, passRoleKeys('eks.amazonaws.com'));

    const cluster = activeCluster(ctx, clusterName);
    if (findNodegroup(ctx, clusterName, name))
      throw alreadyExists(ctx, 'AWS::EKS::Nodegroup', `${clusterName}/${name}`);
    const quota = ctx.world.account(ctx.accountId)?.quotas.nodegroupsPerCluster ?? 30;
    const count = ctx.data.eksNodegroups.filter(
      (n) => n.accountId === ctx.accountId && n.region === ctx.region && n.clusterName === clusterName,
    ).length;
    if (count >= quota) {
      throw invalid(
        ctx,
        `Maximum number of nodegroups (${quota}) reached for cluster ${clusterName}`,
        400,
        'ServiceLimitExceeded',
      );
    }
    const nodeRole = ctx.world.roleByArn(nodeRoleArn);
    if (!nodeRole || nodeRole.accountId !== ctx.accountId)
      throw invalid(ctx, `The role with name ${nodeRoleArn.split('/').pop()} cannot be found.`, 404, 'NotFound');
    if (!roleTrustsService(ctx.world, nodeRole, 'ec2.amazonaws.com')) {
      throw invalid(
        ctx,
        `Following required service principals [ec2.amazonaws.com] were not found in the trust relationships of nodeRole ${nodeRoleArn}`,
      );
    }
    const subnetIds = stringList(props.Subnets);
    if (subnetIds.length === 0) throw invalid(ctx, 'Subnets are required');
    const subnets = subnetIds.map((id) => {
      const s = ctx.data.subnets.find(
        (x) => x.subnetId === id && x.accountId === ctx.accountId && x.region === ctx.region,
      );
      if (!s) throw invalid(ctx, `The subnet ID '${id}' does not exist`);
      if (s.vpcId !== cluster.resourcesVpcConfig.vpcId)
        throw invalid(ctx, `Subnet ${id} is not in the VPC of the cluster (${cluster.resourcesVpcConfig.vpcId})`);
      return s;
    });
    const scaling = (props.ScalingConfig ?? {}) as Record<string, unknown>;
    const minSize = scaling.MinSize !== undefined ? Number(scaling.MinSize) : 1;
    const maxSize = scaling.MaxSize !== undefined ? Number(scaling.MaxSize) : 2;
    const desiredSize = scaling.DesiredSize !== undefined ? Number(scaling.DesiredSize) : 2;
    if (desiredSize < minSize)
      throw invalid(ctx, `Minimum capacity ${minSize} can't be greater than desired size ${desiredSize}`);
    if (desiredSize > maxSize)
      throw invalid(ctx, `Desired capacity ${desiredSize} can't be greater than max size ${maxSize}`);
    if (maxSize < 1) throw invalid(ctx, 'Maximum capacity must be at least 1');
    const lt = props.LaunchTemplate as Record<string, unknown> | undefined;
    const remote = props.RemoteAccess as Record<string, unknown> | undefined;
    if (lt && remote) throw invalid(ctx, 'Remote access configuration cannot be specified with a launch template.');
    if (remote?.Ec2SshKey !== undefined) {
      const key = String(remote.Ec2SshKey);
      const found = ctx.data.keyPairs.some(
        (k) => k.accountId === ctx.accountId && k.region === ctx.region && k.keyName === key,
      );
      if (!found) throw invalid(ctx, `KeyPair ${key} not found`);
    }
    let launchTemplate: EksNodegroup['launchTemplate'];
    if (lt) {
      const stored = findLaunchTemplate(ctx, lt);
      if (!stored)
        throw invalid(
          ctx,
          `The specified launch template, with template ID ${String(lt.Id ?? lt.Name)}, does not exist.`,
        );
      launchTemplate = {
        id: stored.id,
        name: stored.name,
        version: lt.Version !== undefined ? String(lt.Version) : String(stored.latestVersion),
      };
    }
    ensureServiceLinkedRole(
      ctx,
      'eks-nodegroup.amazonaws.com',
      'AWSServiceRoleForAmazonEKSNodegroup',
      'arn:aws:iam::aws:policy/aws-service-role/AWSServiceRoleForAmazonEKSNodegroup',
    );
    const instanceTypes = props.InstanceTypes !== undefined ? stringList(props.InstanceTypes) : ['t3.medium'];
    const amiDefault = Number(cluster.version.split('.')[1] ?? 0) >= 30 ? 'AL2023_x86_64_STANDARD' : 'AL2_x86_64';
    const arn = `arn:${ctx.partition}:eks:${ctx.region}:${ctx.accountId}:nodegroup/${clusterName}/${name}/${ctx.uuid()}`;
    const now = ctx.nowIso();
    const ng: EksNodegroup = {
      accountId: ctx.accountId,
      region: ctx.region,
      clusterName,
      nodegroupName: name,
      nodegroupArn: arn,
      version: props.Version !== undefined ? String(props.Version) : cluster.version,
      releaseVersion: `${cluster.version}.0-20250101`,
      status: 'CREATING',
      capacityType: props.CapacityType === 'SPOT' ? 'SPOT' : 'ON_DEMAND',
      scalingConfig: { minSize, maxSize, desiredSize },
      instanceTypes,
      subnets: subnetIds,
      amiType: props.AmiType !== undefined ? String(props.AmiType) : amiDefault,
      ...(lt ? {} : { diskSize: props.DiskSize !== undefined ? Number(props.DiskSize) : 20 }),
      nodeRole: nodeRoleArn,
      ...(remote
        ? {
            remoteAccess: {
              ec2SshKey: remote.Ec2SshKey as string | undefined,
              sourceSecurityGroups: stringList(remote.SourceSecurityGroups),
            },
          }
        : {}),
      ...(launchTemplate ? { launchTemplate } : {}),
      labels: tagRecord(props.Labels),
      health: { issues: [] },
      tags: { ...ctx.stackTags, ...tagRecord(props.Tags) },
      createdAt: now,
      modifiedAt: now,
    };
    ctx.data.eksNodegroups.push(ng);
    ctx.setPhysicalId(`${clusterName}/${name}`);
    if (remote?.Ec2SshKey !== undefined) {
      // As EKS does: a remote-access security group on the nodes, port 22 open to the source
      // groups — or, without any, to the whole internet (0.0.0.0/0).
      const sources = stringList(remote.SourceSecurityGroups);
      const sgId = `sg-${randomHex(ctx, 17)}`;
      ctx.data.securityGroups.push({
        accountId: ctx.accountId,
        region: ctx.region,
        groupId: sgId,
        groupName: `eks-remoteAccess-${arn.split('/').pop()}`,
        description: 'Security group for all nodes in the nodeGroup to allow SSH access',
        vpcId: cluster.resourcesVpcConfig.vpcId,
        ingress: [
          {
            ipProtocol: 'tcp',
            fromPort: 22,
            toPort: 22,
            ...(sources.length ? { sourceGroupIds: sources } : { cidrIps: ['0.0.0.0/0'] }),
          },
        ],
        egress: [{ ipProtocol: '-1', cidrIps: ['0.0.0.0/0'] }],
        tags: { 'eks:cluster-name': clusterName, 'eks:nodegroup-name': name },
      });
      ng.resources = { remoteAccessSecurityGroup: sgId };
    }
    ctx.require('Eks', 'eks:DescribeNodegroup', arn);

    // Decide now what the instances will do; the failure shows only after they have tried to launch/join.
    const azs = [...new Set(subnets.map((s) => s.availabilityZone))];
    const offerings = ctx.world.region(ctx.region)?.instanceTypeOfferings ?? {};
    const ltData = (launchTemplate ? (findLaunchTemplate(ctx, lt!)?.data ?? {}) : {}) as Record<string, unknown>;
    const ltType = ltData.InstanceType !== undefined ? [String(ltData.InstanceType)] : [];
    const unsupportedType = [...instanceTypes, ...ltType].find(
      (t) => offerings[t] && !offerings[t]!.some((az) => azs.includes(az)),
    );
    const ltKey = ltData.KeyName !== undefined ? String(ltData.KeyName) : undefined;
    const ltKeyMissing =
      ltKey !== undefined &&
      !ctx.data.keyPairs.some((k) => k.accountId === ctx.accountId && k.region === ctx.region && k.keyName === ltKey);
    const roleProblem = !hasPolicy(nodeRole, [WORKER_POLICY]) || !hasPolicy(nodeRole, ECR_POLICIES);
    let failure: NodegroupFailure | undefined;
    if (unsupportedType) {
      failure = {
        code: 'AsgInstanceLaunchFailures',
        message: `Could not launch On-Demand Instances. Unsupported - Your requested instance type (${unsupportedType}) is not supported in your requested Availability Zone (${azs[0]}). Please retry your request by not specifying an Availability Zone or choosing ${offerings[unsupportedType]!.join(', ')}. Launching EC2 instance failed.`,
        asg: true,
      };
    } else if (ltKeyMissing) {
      failure = {
        code: 'AsgInstanceLaunchFailures',
        message: `The key pair '${ltKey}' does not exist. Launching EC2 instance failed.`,
        asg: true,
      };
    } else if (ctx.data.flags.nodesFailToJoin || roleProblem) {
      failure = { code: 'NodeCreationFailure', message: 'Instances failed to join the kubernetes cluster' };
    }
    const duration = failure ? jitter(ctx, 4 * MIN) : jitter(ctx, 3 * MIN);
    return { durationMs: duration, state: { failure, desiredSize } };
  },
  finishCreate(ctx, _props, physicalId, state) {
    const [clusterName, name] = splitNodegroupId(physicalId);
    const ng = findNodegroup(ctx, clusterName, name);
    if (!ng) throw notFound(ctx, `No node group found for name: ${name}.`);
    const s = state as { failure?: NodegroupFailure; desiredSize: number };
    ng.resources = {
      ...ng.resources,
      autoScalingGroups: [{ name: `eks-${name}-${ng.nodegroupArn.split('/').pop()}` }],
    };
    if (s.failure) {
      ng.status = 'CREATE_FAILED';
      ng.modifiedAt = ctx.nowIso();
      const issue = {
        code: s.failure.code,
        message: s.failure.message,
        resourceIds: s.failure.asg
          ? ng.resources.autoScalingGroups!.map((g) => g.name)
          : Array.from({ length: Math.max(1, s.desiredSize) }, () => `i-${randomHex(ctx, 17)}`),
      };
      ng.health = { issues: [issue] };
      throw serviceFailure(ctx, {
        service: 'null',
        status: 0,
        message: `[Issue(Code=${issue.code}, Message=${issue.message}, ResourceIds=[${issue.resourceIds.join(', ')}])]`,
        handlerErrorCode: 'GeneralServiceException',
      });
    }
    ng.status = 'ACTIVE';
    ng.modifiedAt = ctx.nowIso();
    ng.nodesLaunchedAt = ng.modifiedAt;
    return {
      ref: physicalId,
      attributes: { Arn: ng.nodegroupArn, ClusterName: clusterName, NodegroupName: name, Id: physicalId },
    };
  },
  update(ctx, before, after, physicalId) {
    return runJobs(ctx, physicalId, nodegroupJobs(ctx, before, after, physicalId));
  },
  finishUpdate(ctx, _before, _after, physicalId, state) {
    return finishJobs(ctx, physicalId, state, () => {
      const [clusterName, name] = splitNodegroupId(physicalId);
      const ng = findNodegroup(ctx, clusterName, name);
      if (!ng) throw notFound(ctx, `No node group found for name: ${name}.`);
      return {
        ref: physicalId,
        attributes: { Arn: ng.nodegroupArn, ClusterName: clusterName, NodegroupName: name, Id: physicalId },
      };
    });
  },
  delete(ctx, _props, physicalId) {
    if (!physicalId) return { durationMs: 1_000 };
    const [clusterName, name] = splitNodegroupId(physicalId);
    const ng = findNodegroup(ctx, clusterName, name);
    if (!ng) return { durationMs: 1_000 };
    ctx.require('Eks', 'eks:DeleteNodegroup', ng.nodegroupArn, resourceTagKeys(ng.tags));
    ng.status = 'DELETING';
    return { durationMs: jitter(ctx, ng.health.issues.length ? 2 * MIN : 4 * MIN) };
  },
  finishDelete(ctx, _props, physicalId) {
    if (!physicalId) return;
    const [clusterName, name] = splitNodegroupId(physicalId);
    const ng = findNodegroup(ctx, clusterName, name);
    ctx.data.eksNodegroups = ctx.data.eksNodegroups.filter(
      (n) =>
        !(
          n.accountId === ctx.accountId &&
          n.region === ctx.region &&
          n.clusterName === clusterName &&
          n.nodegroupName === name
        ),
    );
    // EKS deletes the remote-access security group it made with the node group.
    const sg = ng?.resources?.remoteAccessSecurityGroup;
    if (sg)
      ctx.data.securityGroups = ctx.data.securityGroups.filter(
        (g) => !(g.groupId === sg && g.accountId === ctx.accountId && g.region === ctx.region),
      );
  },
};

// ----- AWS::EKS::Addon -----------------------------------------------------------------------------------

/** Add-ons whose pods need nodes: they only become ACTIVE once a node group is. */
const NEEDS_NODES = new Set(
  Object.values(ADDON_CATALOG)
    .filter((a) => a.needsNodes)
    .map((a) => a.addonName),
);

function findAddon(ctx: ProviderContext, clusterName: string, name: string): EksAddon | undefined {
  return ctx.data.eksAddons.find(
    (a) =>
      a.accountId === ctx.accountId && a.region === ctx.region && a.clusterName === clusterName && a.addonName === name,
  );
}

export const eksAddon: ResourceProvider = {
  type: 'AWS::EKS::Addon',
  attributes: ['Arn'],
  required: ['ClusterName', 'AddonName'],
  create(ctx, props) {
    checkEksTags(ctx, props);
    const clusterName = String(props.ClusterName);
    const addonName = String(props.AddonName);
    ctx.require('Eks', 'eks:CreateAddon', clusterArn(ctx, clusterName));
    if (props.ServiceAccountRoleArn !== undefined) {
      ctx.require('Eks', 'iam:PassRole', String(props.ServiceAccountRoleArn), passRoleKeys('eks.amazonaws.com'));
    }
    const podIdentities = Array.isArray(props.PodIdentityAssociations)
      ? (props.PodIdentityAssociations as Record<string, unknown>[])
      : [];
    for (const pia of podIdentities) {
      // EKS creates the associations as part of CreateAddon, with the caller's permissions.
      ctx.require('Eks', 'eks:CreatePodIdentityAssociation', clusterArn(ctx, clusterName));
      ctx.require('Eks', 'iam:PassRole', String(pia.RoleArn), passRoleKeys('pods.eks.amazonaws.com'));
    }
    const cluster = activeCluster(ctx, clusterName);
    const offered = (ctx.world.region(ctx.region)?.eksVersions ?? []).map((v) => v.version);
    const defaultVersion = defaultAddonVersion(addonName, cluster.version, offered);
    if (!defaultVersion)
      throw invalid(ctx, `Addon ${addonName} specified is not supported in ${cluster.version} kubernetes version`);
    if (findAddon(ctx, clusterName, addonName))
      throw alreadyExists(ctx, 'AWS::EKS::Addon', `${clusterName}|${addonName}`);
    if (props.ConfigurationValues !== undefined) {
      try {
        JSON.parse(String(props.ConfigurationValues));
      } catch {
        throw invalid(
          ctx,
          'ConfigurationValue provided in request is not supported: Json schema validation failed with error: unable to parse the configuration value',
        );
      }
    }
    if (props.ServiceAccountRoleArn !== undefined && !ctx.world.roleByArn(String(props.ServiceAccountRoleArn))) {
      throw invalid(ctx, `Role ${String(props.ServiceAccountRoleArn)} does not exist`);
    }
    for (const pia of podIdentities) {
      if (!ctx.world.roleByArn(String(pia.RoleArn)))
        throw invalid(ctx, `Role provided in the request does not exist: ${String(pia.RoleArn)}`);
    }
    const now = ctx.nowIso();
    const associationArns = podIdentities.map((pia) => {
      const associationId = `a-${randomString(ctx, 17).toLowerCase()}`;
      const associationArn = `arn:${ctx.partition}:eks:${ctx.region}:${ctx.accountId}:podidentityassociation/${clusterName}/${associationId}`;
      ctx.data.eksPodIdentityAssociations.push({
        accountId: ctx.accountId,
        region: ctx.region,
        clusterName,
        namespace: 'kube-system',
        serviceAccount: String(pia.ServiceAccount),
        roleArn: String(pia.RoleArn),
        associationArn,
        associationId,
        tags: {},
        createdAt: now,
        modifiedAt: now,
      });
      return associationArn;
    });
    const addon: EksAddon = {
      accountId: ctx.accountId,
      region: ctx.region,
      clusterName,
      addonName,
      addonArn: `arn:${ctx.partition}:eks:${ctx.region}:${ctx.accountId}:addon/${clusterName}/${addonName}/${ctx.uuid()}`,
      addonVersion: props.AddonVersion !== undefined ? String(props.AddonVersion) : defaultVersion,
      status: 'CREATING',
      ...(props.ServiceAccountRoleArn !== undefined
        ? { serviceAccountRoleArn: String(props.ServiceAccountRoleArn) }
        : {}),
      ...(props.ConfigurationValues !== undefined ? { configurationValues: String(props.ConfigurationValues) } : {}),
      health: { issues: [] },
      ...(associationArns.length ? { podIdentityAssociations: associationArns } : {}),
      tags: { ...ctx.stackTags, ...tagRecord(props.Tags) },
      createdAt: now,
      modifiedAt: now,
    };
    ctx.data.eksAddons.push(addon);
    ctx.setPhysicalId(`${clusterName}|${addonName}`);
    ctx.require('Eks', 'eks:DescribeAddon', addon.addonArn);
    return { durationMs: jitter(ctx, 1 * MIN, 0.3), state: { waitedMs: 0 } };
  },
  finishCreate(ctx, _props, physicalId, state) {
    const [clusterName, addonName] = physicalId.split('|') as [string, string];
    const addon = findAddon(ctx, clusterName, addonName);
    if (!addon) throw notFound(ctx, `No addon: ${addonName} found in cluster: ${clusterName}`);
    if (NEEDS_NODES.has(addonName)) {
      const hasNodes = ctx.data.eksNodegroups.some(
        (n) =>
          n.accountId === ctx.accountId &&
          n.region === ctx.region &&
          n.clusterName === clusterName &&
          n.status === 'ACTIVE',
      );
      const s = state as { waitedMs: number };
      if (!hasNodes) {
        // Pods stay Pending without nodes; the handler keeps waiting, then gives up on a DEGRADED add-on.
        if (s.waitedMs < 20 * MIN) {
          s.waitedMs += MIN;
          return { waitMs: MIN };
        }
        addon.status = 'DEGRADED';
        addon.health = {
          issues: [
            {
              code: 'InsufficientNumberOfReplicas',
              message: "The add-on is unhealthy because it doesn't have the desired number of replicas.",
            },
          ],
        };
        throw handlerFailure(ctx, `Addon ${addonName} failed to stabilize: DEGRADED`, 'NotStabilized');
      }
    }
    addon.status = 'ACTIVE';
    addon.modifiedAt = ctx.nowIso();
    return { ref: physicalId, attributes: { Arn: addon.addonArn } };
  },
  update(ctx, before, after, physicalId) {
    return runJobs(ctx, physicalId, addonJobs(ctx, before, after, physicalId));
  },
  finishUpdate(ctx, _before, _after, physicalId, state) {
    return finishJobs(ctx, physicalId, state, () => {
      const [clusterName, addonName] = physicalId.split('|') as [string, string];
      const addon = findAddon(ctx, clusterName, addonName);
      if (!addon) throw notFound(ctx, `No addon: ${addonName} found in cluster: ${clusterName}`);
      return { ref: physicalId, attributes: { Arn: addon.addonArn } };
    });
  },
  delete(ctx, _props, physicalId) {
    if (!physicalId) return { durationMs: 500 };
    const [clusterName, addonName] = physicalId.split('|') as [string, string];
    const addon = findAddon(ctx, clusterName, addonName);
    if (!addon) return { durationMs: 500 };
    ctx.require('Eks', 'eks:DeleteAddon', addon.addonArn, resourceTagKeys(addon.tags));
    addon.status = 'DELETING';
    return { durationMs: jitter(ctx, 40_000, 0.3) };
  },
  finishDelete(ctx, _props, physicalId) {
    if (!physicalId) return;
    const [clusterName, addonName] = physicalId.split('|') as [string, string];
    const owned = findAddon(ctx, clusterName, addonName)?.podIdentityAssociations ?? [];
    ctx.data.eksPodIdentityAssociations = ctx.data.eksPodIdentityAssociations.filter(
      (a) => !owned.includes(a.associationArn),
    );
    ctx.data.eksAddons = ctx.data.eksAddons.filter(
      (a) =>
        !(
          a.accountId === ctx.accountId &&
          a.region === ctx.region &&
          a.clusterName === clusterName &&
          a.addonName === addonName
        ),
    );
  },
};

// ----- AWS::EKS::AccessEntry -----------------------------------------------------------------------------

function accessEntryArn(ctx: ProviderContext, cluster: EksCluster, principalArn: string): string {
  const m = /^arn:[^:]+:(?:iam|sts)::(\d{12}):(role|user|assumed-role)\/(?:.*\/)?([^/]+)$/.exec(principalArn);
  const type = m?.[2] === 'user' ? 'user' : 'role';
  return `arn:${ctx.partition}:eks:${ctx.region}:${ctx.accountId}:access-entry/${cluster.name}/${type}/${m?.[1] ?? ctx.accountId}/${m?.[3] ?? 'unknown'}/${ctx.uuid()}`;
}

function newAccessEntry(
  ctx: ProviderContext,
  cluster: EksCluster,
  principalArn: string,
  groups: string[],
  username: string | undefined,
  policies: EksAccessEntry['accessPolicies'],
  type: EksAccessEntry['type'] = 'STANDARD',
  tags: Record<string, string> = {},
): EksAccessEntry {
  const now = ctx.nowIso();
  return {
    accountId: ctx.accountId,
    region: ctx.region,
    clusterName: cluster.name,
    principalArn,
    accessEntryArn: accessEntryArn(ctx, cluster, principalArn),
    kubernetesGroups: groups,
    ...(username !== undefined ? { username } : {}),
    type,
    accessPolicies: policies,
    tags,
    createdAt: now,
    modifiedAt: now,
  };
}

export const eksAccessEntry: ResourceProvider = {
  type: 'AWS::EKS::AccessEntry',
  attributes: ['AccessEntryArn'],
  required: ['ClusterName', 'PrincipalArn'],
  create(ctx, props) {
    checkEksTags(ctx, props);
    const clusterName = String(props.ClusterName);
    const principalArn = String(props.PrincipalArn);
    ctx.require('Eks', 'eks:CreateAccessEntry', clusterArn(ctx, clusterName));
    const cluster = activeCluster(ctx, clusterName);
    const mode = cluster.accessConfig?.authenticationMode ?? 'CONFIG_MAP';
    if (mode === 'CONFIG_MAP') {
      throw invalid(
        ctx,
        "The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this operation.",
      );
    }
    const m = /^arn:[^:]+:iam::(\d{12}):(role|user)\/(?:.*\/)?([^/]+)$/.exec(principalArn);
    if (!m) throw invalid(ctx, 'The specified principalArn is invalid: invalid principal');
    if (m[1] === ctx.accountId) {
      const exists = m[2] === 'role' ? !!ctx.world.role(ctx.accountId, m[3]!) : !!ctx.world.user(ctx.accountId, m[3]!);
      if (!exists) throw invalid(ctx, 'The specified principalArn is invalid: invalid principal');
    }
    const duplicate = ctx.data.eksAccessEntries.some(
      (e) =>
        e.accountId === ctx.accountId &&
        e.region === ctx.region &&
        e.clusterName === clusterName &&
        e.principalArn === principalArn,
    );
    if (duplicate)
      throw invalid(
        ctx,
        'The specified access entry resource is already in use on this cluster.',
        409,
        'AlreadyExists',
      );
    const policies = Array.isArray(props.AccessPolicies) ? (props.AccessPolicies as AccessPolicyProperty[]) : [];
    const entry = newAccessEntry(
      ctx,
      cluster,
      principalArn,
      stringList(props.KubernetesGroups),
      props.Username !== undefined ? String(props.Username) : undefined,
      [],
      (props.Type as EksAccessEntry['type'] | undefined) ?? 'STANDARD',
      { ...ctx.stackTags, ...tagRecord(props.Tags) },
    );
    ctx.data.eksAccessEntries.push(entry);
    ctx.setPhysicalId(`${clusterName}|${principalArn}`);
    for (const p of policies) {
      const policyArn = String(p.PolicyArn);
      ctx.require('Eks', 'eks:AssociateAccessPolicy', entry.accessEntryArn, { 'eks:policyArn': policyArn });
      if (!/^arn:aws[a-z-]*:eks::aws:cluster-access-policy\/[A-Za-z0-9]+$/.test(policyArn)) {
        throw invalid(ctx, `The specified policyArn is invalid: ${policyArn}`);
      }
      const scope = (p.AccessScope ?? {}) as Record<string, unknown>;
      entry.accessPolicies.push({
        policyArn,
        accessScope:
          scope.Type === 'namespace'
            ? { type: 'namespace', namespaces: stringList(scope.Namespaces) }
            : { type: 'cluster' },
      });
    }
    return { durationMs: jitter(ctx, 3_000, 0.3) };
  },
  finishCreate(ctx, _props, physicalId) {
    const sep = physicalId.indexOf('|');
    const entry = ctx.data.eksAccessEntries.find(
      (e) =>
        e.accountId === ctx.accountId &&
        e.region === ctx.region &&
        e.clusterName === physicalId.slice(0, sep) &&
        e.principalArn === physicalId.slice(sep + 1),
    );
    if (!entry) throw notFound(ctx, `The specified access entry ${physicalId} could not be found.`);
    return { ref: physicalId, attributes: { AccessEntryArn: entry.accessEntryArn } };
  },
  update(ctx, before, after, physicalId) {
    updateAccessEntryNow(ctx, before, after, physicalId);
    return { durationMs: jitter(ctx, 3_000, 0.3) };
  },
  finishUpdate(ctx, _before, after, physicalId) {
    return eksAccessEntry.finishCreate(ctx, after, physicalId, undefined) as ResourceValues;
  },
  delete(ctx, _props, physicalId) {
    if (!physicalId) return { durationMs: 500 };
    const sep = physicalId.indexOf('|');
    const entry = ctx.data.eksAccessEntries.find(
      (e) =>
        e.accountId === ctx.accountId &&
        e.region === ctx.region &&
        e.clusterName === physicalId.slice(0, sep) &&
        e.principalArn === physicalId.slice(sep + 1),
    );
    if (!entry) return { durationMs: 500 };
    ctx.require('Eks', 'eks:DeleteAccessEntry', entry.accessEntryArn, resourceTagKeys(entry.tags));
    ctx.data.eksAccessEntries = ctx.data.eksAccessEntries.filter((e) => e !== entry);
    return { durationMs: jitter(ctx, 3_000, 0.3) };
  },
  finishDelete() {},
};

// ----- launch templates (kept by the engine, see ec2.ts) ---------------------------------------------------

export interface StoredLaunchTemplate {
  accountId: string;
  region: string;
  id: string;
  name: string;
  latestVersion: number;
  data: unknown;
  tags: Record<string, string>;
  createTime: string;
}

export function launchTemplates(ctx: ProviderContext): StoredLaunchTemplate[] {
  const state = ctx.world.serviceState<{ launchTemplates?: StoredLaunchTemplate[] }>('cloudformation', () => ({}));
  state.launchTemplates ??= [];
  return state.launchTemplates;
}

function findLaunchTemplate(ctx: ProviderContext, ref: Record<string, unknown>): StoredLaunchTemplate | undefined {
  return launchTemplates(ctx).find(
    (t) => t.accountId === ctx.accountId && t.region === ctx.region && (t.id === ref.Id || t.name === ref.Name),
  );
}
