/**
 * EKS read calls over the clusters, node groups, add-ons and access entries in the world (the CloudFormation
 * engine creates them), plus DescribeClusterVersions from the region catalogue.
 */
import { type OperationInput, type RequestContext, SandboxAwsError, type ServiceModule } from '../protocol/types.js';
import type { EksCluster, EksNodegroup } from '../world/types.js';
import { ADDON_CATALOG } from './addons.js';
import { insightSummary, insightsFor } from './insights.js';
import {
  EksUpdateError,
  eksUpdates,
  settleEksUpdates,
  startAccessConfigUpdate,
  startAddonUpdate,
  startClusterVersionUpdate,
  startNodegroupScalingUpdate,
  startNodegroupVersionUpdate,
  startUpgradePolicyUpdate,
  updateOut,
} from './updates.js';

function notFound(message: string, fields: Record<string, unknown>): SandboxAwsError {
  return new SandboxAwsError('ResourceNotFoundException', message, 404, fields);
}

function invalidParameter(message: string): SandboxAwsError {
  return new SandboxAwsError('InvalidParameterException', message, 400);
}

function clusterArn(ctx: RequestContext, name: string): string {
  return `arn:aws:eks:${ctx.region}:${ctx.accountId}:cluster/${name}`;
}

function findCluster(ctx: RequestContext, name: string): EksCluster | undefined {
  return ctx.world.data.eksClusters.find(
    (c) => c.accountId === ctx.accountId && c.region === ctx.region && c.name === name,
  );
}

function requireCluster(ctx: RequestContext, name: string): EksCluster {
  const c = findCluster(ctx, name);
  if (!c) throw notFound(`No cluster found for name: ${name}.`, { clusterName: name });
  return c;
}

/** EKS pagination: opaque nextToken; maxResults bounds per operation. */
function page<T>(items: T[], input: OperationInput, max = 100): { page: T[]; nextToken?: string } {
  const n = input.maxResults === undefined ? max : Number(input.maxResults);
  if (!Number.isInteger(n) || n < 1 || n > max) throw invalidParameter(`maxResults must be between 1 and ${max}`);
  let start = 0;
  if (input.nextToken !== undefined) {
    start = Number(Buffer.from(String(input.nextToken), 'base64url').toString('utf8').replace(/^o:/, ''));
    if (!Number.isInteger(start) || start < 0) throw invalidParameter('The nextToken provided is invalid.');
  }
  const slice = items.slice(start, start + n);
  return {
    page: slice,
    nextToken: start + n < items.length ? Buffer.from(`o:${start + n}`).toString('base64url') : undefined,
  };
}

export function clusterOut(c: EksCluster) {
  return {
    name: c.name,
    arn: c.arn,
    createdAt: c.createdAt,
    version: c.version,
    endpoint: c.endpoint,
    roleArn: c.roleArn,
    resourcesVpcConfig: c.resourcesVpcConfig,
    kubernetesNetworkConfig: { serviceIpv4Cidr: '172.20.0.0/16', ipFamily: 'ipv4', ...c.kubernetesNetworkConfig },
    logging: c.logging ?? {
      clusterLogging: [{ types: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'], enabled: false }],
    },
    identity: c.oidcIssuer ? { oidc: { issuer: c.oidcIssuer } } : undefined,
    status: c.status,
    certificateAuthority: c.certificateAuthorityData ? { data: c.certificateAuthorityData } : {},
    platformVersion: c.platformVersion,
    tags: c.tags,
    health: c.health ?? { issues: [] },
    accessConfig: c.accessConfig,
    upgradePolicy: c.upgradePolicy ?? { supportType: 'EXTENDED' },
  };
}

function describeCluster(ctx: RequestContext, input: OperationInput) {
  const name = String(input.name);
  settleEksUpdates(ctx.world);
  ctx.authorize('eks:DescribeCluster', clusterArn(ctx, name));
  return { cluster: clusterOut(requireCluster(ctx, name)) };
}

function listClusters(ctx: RequestContext, input: OperationInput) {
  ctx.authorize('eks:ListClusters', `arn:aws:eks:${ctx.region}:${ctx.accountId}:cluster/*`);
  const names = ctx.world.data.eksClusters
    .filter((c) => c.accountId === ctx.accountId && c.region === ctx.region)
    .map((c) => c.name)
    .sort();
  const p = page(names, input);
  return { clusters: p.page, nextToken: p.nextToken };
}

function describeNodegroup(ctx: RequestContext, input: OperationInput) {
  const name = String(input.clusterName);
  settleEksUpdates(ctx.world);
  const ngName = String(input.nodegroupName);
  const ng = ctx.world.data.eksNodegroups.find(
    (n) =>
      n.accountId === ctx.accountId && n.region === ctx.region && n.clusterName === name && n.nodegroupName === ngName,
  );
  ctx.authorize(
    'eks:DescribeNodegroup',
    ng?.nodegroupArn ?? `arn:aws:eks:${ctx.region}:${ctx.accountId}:nodegroup/${name}/${ngName}/*`,
  );
  requireCluster(ctx, name);
  if (!ng) throw notFound(`No node group found for name: ${ngName}.`, { clusterName: name, nodegroupName: ngName });
  const { accountId: _a, region: _r, nodesLaunchedAt: _l, ...rest } = ng;
  return { nodegroup: rest };
}

function listNodegroups(ctx: RequestContext, input: OperationInput) {
  const name = String(input.clusterName);
  ctx.authorize('eks:ListNodegroups', clusterArn(ctx, name));
  requireCluster(ctx, name);
  const names = ctx.world.data.eksNodegroups
    .filter((n) => n.accountId === ctx.accountId && n.region === ctx.region && n.clusterName === name)
    .map((n) => n.nodegroupName)
    .sort();
  const p = page(names, input);
  return { nodegroups: p.page, nextToken: p.nextToken };
}

function describeAddon(ctx: RequestContext, input: OperationInput) {
  const name = String(input.clusterName);
  settleEksUpdates(ctx.world);
  const addonName = String(input.addonName);
  const addon = ctx.world.data.eksAddons.find(
    (a) =>
      a.accountId === ctx.accountId && a.region === ctx.region && a.clusterName === name && a.addonName === addonName,
  );
  ctx.authorize(
    'eks:DescribeAddon',
    addon?.addonArn ?? `arn:aws:eks:${ctx.region}:${ctx.accountId}:addon/${name}/${addonName}/*`,
  );
  requireCluster(ctx, name);
  if (!addon) throw notFound(`No addon: ${addonName} found in cluster: ${name}`, { clusterName: name, addonName });
  const { accountId: _a, region: _r, ...rest } = addon;
  return { addon: rest };
}

function listAddons(ctx: RequestContext, input: OperationInput) {
  const name = String(input.clusterName);
  ctx.authorize('eks:ListAddons', clusterArn(ctx, name));
  requireCluster(ctx, name);
  const names = ctx.world.data.eksAddons
    .filter((a) => a.accountId === ctx.accountId && a.region === ctx.region && a.clusterName === name)
    .map((a) => a.addonName)
    .sort();
  const p = page(names, input);
  return { addons: p.page, nextToken: p.nextToken };
}

function listAccessEntries(ctx: RequestContext, input: OperationInput) {
  const name = String(input.clusterName);
  ctx.authorize('eks:ListAccessEntries', clusterArn(ctx, name));
  requireCluster(ctx, name);
  const arns = ctx.world.data.eksAccessEntries
    .filter((a) => a.accountId === ctx.accountId && a.region === ctx.region && a.clusterName === name)
    .map((a) => a.principalArn);
  const p = page(arns, input);
  return { accessEntries: p.page, nextToken: p.nextToken };
}

function describeAccessEntry(ctx: RequestContext, input: OperationInput) {
  const name = String(input.clusterName);
  const principalArn = String(input.principalArn);
  const entry = ctx.world.data.eksAccessEntries.find(
    (a) =>
      a.accountId === ctx.accountId &&
      a.region === ctx.region &&
      a.clusterName === name &&
      a.principalArn === principalArn,
  );
  ctx.authorize(
    'eks:DescribeAccessEntry',
    entry?.accessEntryArn ?? `arn:aws:eks:${ctx.region}:${ctx.accountId}:access-entry/${name}/*`,
  );
  requireCluster(ctx, name);
  if (!entry)
    throw notFound(
      `The specified principalArn could not be found. You can view your available access entries with 'list-access-entries'.`,
      { clusterName: name },
    );
  const { accountId: _a, region: _r, accessPolicies: _p, ...rest } = entry;
  return { accessEntry: rest };
}

function listPodIdentityAssociations(ctx: RequestContext, input: OperationInput) {
  const name = String(input.clusterName);
  ctx.authorize('eks:ListPodIdentityAssociations', clusterArn(ctx, name));
  requireCluster(ctx, name);
  const list = ctx.world.data.eksPodIdentityAssociations
    .filter((a) => a.accountId === ctx.accountId && a.region === ctx.region && a.clusterName === name)
    .filter(
      (a) =>
        (!input.namespace || a.namespace === input.namespace) &&
        (!input.serviceAccount || a.serviceAccount === input.serviceAccount),
    )
    .map((a) => ({
      clusterName: a.clusterName,
      namespace: a.namespace,
      serviceAccount: a.serviceAccount,
      associationArn: a.associationArn,
      associationId: a.associationId,
    }));
  const p = page(list, input);
  return { associations: p.page, nextToken: p.nextToken };
}

function describePodIdentityAssociation(ctx: RequestContext, input: OperationInput) {
  const name = String(input.clusterName);
  const id = String(input.associationId);
  const a = ctx.world.data.eksPodIdentityAssociations.find(
    (x) => x.accountId === ctx.accountId && x.region === ctx.region && x.clusterName === name && x.associationId === id,
  );
  ctx.authorize(
    'eks:DescribePodIdentityAssociation',
    a?.associationArn ?? `arn:aws:eks:${ctx.region}:${ctx.accountId}:podidentityassociation/${name}/${id}`,
  );
  requireCluster(ctx, name);
  if (!a) throw notFound(`No Pod Identity Association found with id: ${id}`, { clusterName: name });
  const { accountId: _a, region: _r, ...rest } = a;
  return { association: rest };
}

function describeClusterVersions(ctx: RequestContext, input: OperationInput) {
  ctx.authorize('eks:DescribeClusterVersions');
  const region = ctx.world.region(ctx.region)!;
  const clusterType = (input.clusterType as string | undefined) ?? 'eks';
  if (clusterType !== 'eks') return { clusterVersions: [] };
  const wantedStatus =
    (input.versionStatus as string | undefined) ??
    (input.status ? String(input.status).toUpperCase().replace(/-/g, '_') : undefined);
  const asked = input.clusterVersions as string[] | undefined;
  const list = region.eksVersions
    .filter((v) => input.includeAll || v.status !== 'UNSUPPORTED')
    .filter((v) => !input.defaultOnly || v.defaultVersion)
    .filter((v) => !wantedStatus || v.status === wantedStatus)
    .filter((v) => !asked?.length || asked.includes(v.version))
    .sort((a, b) => Number(b.version.split('.')[1]) - Number(a.version.split('.')[1]))
    .map((v) => ({
      clusterVersion: v.version,
      clusterType: 'eks',
      defaultPlatformVersion: v.platformVersion,
      defaultVersion: !!v.defaultVersion,
      releaseDate: v.releaseDate,
      endOfStandardSupportDate: v.endOfStandardSupportDate,
      endOfExtendedSupportDate: v.endOfExtendedSupportDate,
      status: v.status.toLowerCase().replace(/_/g, '-'),
      versionStatus: v.status,
      kubernetesPatchVersion: v.kubernetesPatchVersion,
    }));
  const p = page(list, input, 100);
  return { clusterVersions: p.page, nextToken: p.nextToken };
}

// ----- updates (issue 22) --------------------------------------------------------------------------------

/** Run an update starter; its rule violations become the EKS API's errors. */
function asApiError<T>(fn: () => T, fields: Record<string, unknown>): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof EksUpdateError) throw new SandboxAwsError(err.code, err.message, err.status, fields);
    throw err;
  }
}

function token(input: OperationInput): string | undefined {
  return typeof input.clientRequestToken === 'string' ? input.clientRequestToken : undefined;
}

function requireNodegroup(ctx: RequestContext, clusterName: string, ngName: string): EksNodegroup {
  const ng = ctx.world.data.eksNodegroups.find(
    (n) =>
      n.accountId === ctx.accountId &&
      n.region === ctx.region &&
      n.clusterName === clusterName &&
      n.nodegroupName === ngName,
  );
  if (!ng) throw notFound(`No node group found for name: ${ngName}.`, { clusterName, nodegroupName: ngName });
  return ng;
}

function updateClusterVersion(ctx: RequestContext, input: OperationInput) {
  const name = String(input.name);
  ctx.authorize('eks:UpdateClusterVersion', clusterArn(ctx, name));
  const cluster = requireCluster(ctx, name);
  const u = asApiError(
    () =>
      startClusterVersionUpdate(
        ctx.world,
        cluster,
        String(input.version),
        ctx.timeScale,
        token(input),
        input.force === true,
      ),
    { clusterName: name },
  );
  return { update: updateOut(u) };
}

function updateClusterConfig(ctx: RequestContext, input: OperationInput) {
  const name = String(input.name);
  ctx.authorize('eks:UpdateClusterConfig', clusterArn(ctx, name));
  const cluster = requireCluster(ctx, name);
  const asked = [
    'resourcesVpcConfig',
    'logging',
    'accessConfig',
    'upgradePolicy',
    'zonalShiftConfig',
    'computeConfig',
    'kubernetesNetworkConfig',
    'storageConfig',
    'remoteNetworkConfig',
    'deletionProtection',
    'controlPlaneScalingConfig',
  ].filter((k) => input[k] !== undefined);
  if (asked.length !== 1) {
    throw invalidParameter(
      asked.length ? 'Only one type of update can be allowed.' : 'No changes specified in the update request.',
    );
  }
  const fields = { clusterName: name };
  if (asked[0] === 'upgradePolicy') {
    const u = asApiError(
      () =>
        startUpgradePolicyUpdate(
          ctx.world,
          cluster,
          String(input.upgradePolicy.supportType),
          ctx.timeScale,
          token(input),
        ),
      fields,
    );
    return { update: updateOut(u) };
  }
  if (asked[0] === 'accessConfig') {
    if (input.accessConfig.authenticationMode === undefined)
      throw invalidParameter('authenticationMode must be specified.');
    const u = asApiError(
      () =>
        startAccessConfigUpdate(
          ctx.world,
          cluster,
          String(input.accessConfig.authenticationMode),
          ctx.timeScale,
          token(input),
        ),
      fields,
    );
    return { update: updateOut(u) };
  }
  throw new SandboxAwsError(
    'InvalidRequestException',
    `The AWS sandbox does not model UpdateClusterConfig with ${asked[0]}; it models upgradePolicy and accessConfig`,
    400,
    fields,
  );
}

function updateNodegroupConfig(ctx: RequestContext, input: OperationInput) {
  const name = String(input.clusterName);
  requireCluster(ctx, name);
  const ng = requireNodegroup(ctx, name, String(input.nodegroupName));
  ctx.authorize('eks:UpdateNodegroupConfig', ng.nodegroupArn);
  const other = ['labels', 'taints', 'updateConfig', 'nodeRepairConfig'].filter((k) => input[k] !== undefined);
  if (other.length)
    throw new SandboxAwsError(
      'InvalidRequestException',
      `The AWS sandbox does not model UpdateNodegroupConfig with ${other.join(', ')}; it models scalingConfig`,
      400,
    );
  if (input.scalingConfig === undefined) throw invalidParameter('No changes specified in the update request.');
  const u = asApiError(
    () => startNodegroupScalingUpdate(ctx.world, ng, input.scalingConfig, ctx.timeScale, token(input)),
    { clusterName: name, nodegroupName: ng.nodegroupName },
  );
  return { update: updateOut(u) };
}

function updateNodegroupVersion(ctx: RequestContext, input: OperationInput) {
  const name = String(input.clusterName);
  requireCluster(ctx, name);
  const ng = requireNodegroup(ctx, name, String(input.nodegroupName));
  ctx.authorize('eks:UpdateNodegroupVersion', ng.nodegroupArn);
  const u = asApiError(
    () =>
      startNodegroupVersionUpdate(
        ctx.world,
        ng,
        input.version === undefined ? undefined : String(input.version),
        input.force === true,
        ctx.timeScale,
        token(input),
      ),
    { clusterName: name, nodegroupName: ng.nodegroupName },
  );
  return { update: updateOut(u) };
}

function updateAddon(ctx: RequestContext, input: OperationInput) {
  const name = String(input.clusterName);
  const cluster = requireCluster(ctx, name);
  const addonName = String(input.addonName);
  const addon = ctx.world.data.eksAddons.find(
    (a) =>
      a.accountId === ctx.accountId && a.region === ctx.region && a.clusterName === name && a.addonName === addonName,
  );
  ctx.authorize(
    'eks:UpdateAddon',
    addon?.addonArn ?? `arn:aws:eks:${ctx.region}:${ctx.accountId}:addon/${name}/${addonName}/*`,
  );
  if (!addon) throw notFound(`No addon: ${addonName} found in cluster: ${name}`, { clusterName: name, addonName });
  if (input.serviceAccountRoleArn !== undefined)
    ctx.authorize('iam:PassRole', String(input.serviceAccountRoleArn), { 'iam:PassedToService': 'eks.amazonaws.com' });
  if (input.addonVersion !== undefined) {
    const offered = compatible(ctx, addonName, cluster.version);
    if (!offered.includes(String(input.addonVersion))) {
      throw invalidParameter(`Addon version specified is not supported for cluster version ${cluster.version}`);
    }
  }
  if (input.configurationValues !== undefined) {
    try {
      JSON.parse(String(input.configurationValues));
    } catch {
      throw invalidParameter(
        'ConfigurationValue provided in request is not supported: Json schema validation failed with error: unable to parse the configuration value',
      );
    }
  }
  const u = asApiError(
    () =>
      startAddonUpdate(
        ctx.world,
        addon,
        {
          ...(input.addonVersion !== undefined ? { addonVersion: String(input.addonVersion) } : {}),
          ...(input.configurationValues !== undefined
            ? { configurationValues: String(input.configurationValues) }
            : {}),
          ...(input.serviceAccountRoleArn !== undefined
            ? { serviceAccountRoleArn: String(input.serviceAccountRoleArn) }
            : {}),
        },
        ctx.timeScale,
        token(input),
      ),
    { clusterName: name, addonName },
  );
  return { update: updateOut(u) };
}

function findUpdate(ctx: RequestContext, input: OperationInput) {
  settleEksUpdates(ctx.world);
  return eksUpdates(ctx.world).filter(
    (u) =>
      u.accountId === ctx.accountId &&
      u.region === ctx.region &&
      u.clusterName === String(input.name) &&
      u.nodegroupName === (input.nodegroupName === undefined ? undefined : String(input.nodegroupName)) &&
      u.addonName === (input.addonName === undefined ? undefined : String(input.addonName)),
  );
}

function describeUpdate(ctx: RequestContext, input: OperationInput) {
  const name = String(input.name);
  ctx.authorize('eks:DescribeUpdate', clusterArn(ctx, name));
  requireCluster(ctx, name);
  const u = findUpdate(ctx, input).find((x) => x.id === String(input.updateId));
  if (!u)
    throw notFound(`No update found for ID: ${String(input.updateId)}`, {
      clusterName: name,
      updateId: String(input.updateId),
    });
  return { update: updateOut(u) };
}

function listUpdates(ctx: RequestContext, input: OperationInput) {
  const name = String(input.name);
  ctx.authorize('eks:ListUpdates', clusterArn(ctx, name));
  requireCluster(ctx, name);
  if (input.nodegroupName !== undefined) requireNodegroup(ctx, name, String(input.nodegroupName));
  const p = page(
    findUpdate(ctx, input).map((u) => u.id),
    input,
  );
  return { updateIds: p.page, nextToken: p.nextToken };
}

function offeredVersions(ctx: RequestContext): string[] {
  return (ctx.world.region(ctx.region)?.eksVersions ?? [])
    .filter((v) => v.status !== 'UNSUPPORTED')
    .map((v) => v.version);
}

function compatible(ctx: RequestContext, addonName: string, k8s: string): string[] {
  const entry = ADDON_CATALOG[addonName];
  if (!entry) return [];
  return entry
    .versions(offeredVersions(ctx))
    .filter((v) => v.compatible === '*' || v.compatible.includes(k8s))
    .map((v) => v.addonVersion);
}

function describeAddonVersions(ctx: RequestContext, input: OperationInput) {
  ctx.authorize('eks:DescribeAddonVersions');
  const offered = offeredVersions(ctx);
  const k8s = input.kubernetesVersion === undefined ? undefined : String(input.kubernetesVersion);
  const names = input.addonName !== undefined ? [String(input.addonName)] : Object.keys(ADDON_CATALOG).sort();
  const addons = names
    .map((n) => ADDON_CATALOG[n])
    .filter((a): a is NonNullable<typeof a> => !!a)
    .filter((a) => !input.types?.length || (input.types as string[]).includes(a.type))
    .map((a) => {
      const all = a.versions(offered);
      const versions = all.filter((v) => !k8s || v.compatible === '*' || v.compatible.includes(k8s));
      return {
        addonName: a.addonName,
        type: a.type,
        addonVersions: versions.map((v) => ({
          addonVersion: v.addonVersion,
          architecture: ['amd64', 'arm64'],
          computeTypes: ['ec2'],
          compatibilities: (v.compatible === '*' ? offered : v.compatible).map((cv) => ({
            clusterVersion: cv,
            platformVersions: ['*'],
            // One default per Kubernetes version: the first (newest) version listed for it.
            defaultVersion:
              all.find((x) => x.compatible === '*' || x.compatible.includes(cv))?.addonVersion === v.addonVersion,
          })),
          requiresConfiguration: false,
          requiresIamPermissions: a.addonName === 'aws-ebs-csi-driver' || a.addonName === 'vpc-cni',
        })),
        publisher: a.publisher,
        owner: a.owner,
      };
    })
    .filter((a) => a.addonVersions.length);
  const p = page(addons, input);
  return { addons: p.page, nextToken: p.nextToken };
}

function listInsights(ctx: RequestContext, input: OperationInput) {
  const name = String(input.clusterName);
  ctx.authorize('eks:ListInsights', clusterArn(ctx, name));
  const cluster = requireCluster(ctx, name);
  settleEksUpdates(ctx.world);
  const f = (input.filter ?? {}) as { categories?: string[]; kubernetesVersions?: string[]; statuses?: string[] };
  const list = insightsFor(ctx.world, cluster)
    .filter((i) => !f.categories?.length || f.categories.includes(i.category))
    .filter((i) => !f.kubernetesVersions?.length || f.kubernetesVersions.includes(i.kubernetesVersion))
    .filter((i) => !f.statuses?.length || f.statuses.includes(i.insightStatus.status))
    .map(insightSummary);
  const p = page(list, input);
  return { insights: p.page, nextToken: p.nextToken };
}

function describeInsight(ctx: RequestContext, input: OperationInput) {
  const name = String(input.clusterName);
  ctx.authorize('eks:DescribeInsight', clusterArn(ctx, name));
  const cluster = requireCluster(ctx, name);
  settleEksUpdates(ctx.world);
  const insight = insightsFor(ctx.world, cluster).find((i) => i.id === String(input.id));
  if (!insight) throw notFound(`No insight found for id: ${String(input.id)}`, { clusterName: name });
  return { insight };
}

export const service: ServiceModule = {
  operations: {
    UpdateClusterVersion: updateClusterVersion,
    UpdateClusterConfig: updateClusterConfig,
    UpdateNodegroupConfig: updateNodegroupConfig,
    UpdateNodegroupVersion: updateNodegroupVersion,
    UpdateAddon: updateAddon,
    DescribeUpdate: describeUpdate,
    ListUpdates: listUpdates,
    DescribeAddonVersions: describeAddonVersions,
    ListInsights: listInsights,
    DescribeInsight: describeInsight,
    DescribeCluster: describeCluster,
    ListClusters: listClusters,
    DescribeNodegroup: describeNodegroup,
    ListNodegroups: listNodegroups,
    DescribeAddon: describeAddon,
    ListAddons: listAddons,
    DescribeClusterVersions: describeClusterVersions,
    ListAccessEntries: listAccessEntries,
    DescribeAccessEntry: describeAccessEntry,
    ListPodIdentityAssociations: listPodIdentityAssociations,
    DescribePodIdentityAssociation: describePodIdentityAssociation,
  },
};
