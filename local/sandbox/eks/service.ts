/**
 * EKS read calls over the clusters, node groups, add-ons and access entries in the world (the CloudFormation
 * engine creates them), plus DescribeClusterVersions from the region catalogue.
 */
import { SandboxAwsError, type OperationInput, type RequestContext, type ServiceModule } from '../protocol/types.js';
import type { EksCluster } from '../world/types.js';

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
  return ctx.world.data.eksClusters.find((c) => c.accountId === ctx.accountId && c.region === ctx.region && c.name === name);
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
  return { page: slice, nextToken: start + n < items.length ? Buffer.from(`o:${start + n}`).toString('base64url') : undefined };
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
    logging: c.logging ?? { clusterLogging: [{ types: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'], enabled: false }] },
    identity: c.oidcIssuer ? { oidc: { issuer: c.oidcIssuer } } : undefined,
    status: c.status,
    certificateAuthority: c.certificateAuthorityData ? { data: c.certificateAuthorityData } : {},
    platformVersion: c.platformVersion,
    tags: c.tags,
    health: c.health ?? { issues: [] },
    accessConfig: c.accessConfig,
  };
}

function describeCluster(ctx: RequestContext, input: OperationInput) {
  const name = String(input.name);
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
  const ngName = String(input.nodegroupName);
  const ng = ctx.world.data.eksNodegroups.find(
    (n) => n.accountId === ctx.accountId && n.region === ctx.region && n.clusterName === name && n.nodegroupName === ngName,
  );
  ctx.authorize('eks:DescribeNodegroup', ng?.nodegroupArn ?? `arn:aws:eks:${ctx.region}:${ctx.accountId}:nodegroup/${name}/${ngName}/*`);
  requireCluster(ctx, name);
  if (!ng) throw notFound(`No node group found for name: ${ngName}.`, { clusterName: name, nodegroupName: ngName });
  const { accountId: _a, region: _r, ...rest } = ng;
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
  const addonName = String(input.addonName);
  const addon = ctx.world.data.eksAddons.find(
    (a) => a.accountId === ctx.accountId && a.region === ctx.region && a.clusterName === name && a.addonName === addonName,
  );
  ctx.authorize('eks:DescribeAddon', addon?.addonArn ?? `arn:aws:eks:${ctx.region}:${ctx.accountId}:addon/${name}/${addonName}/*`);
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
    (a) => a.accountId === ctx.accountId && a.region === ctx.region && a.clusterName === name && a.principalArn === principalArn,
  );
  ctx.authorize('eks:DescribeAccessEntry', entry?.accessEntryArn ?? `arn:aws:eks:${ctx.region}:${ctx.accountId}:access-entry/${name}/*`);
  requireCluster(ctx, name);
  if (!entry) throw notFound(`The specified principalArn could not be found. You can view your available access entries with 'list-access-entries'.`, { clusterName: name });
  const { accountId: _a, region: _r, accessPolicies: _p, ...rest } = entry;
  return { accessEntry: rest };
}

function listPodIdentityAssociations(ctx: RequestContext, input: OperationInput) {
  const name = String(input.clusterName);
  ctx.authorize('eks:ListPodIdentityAssociations', clusterArn(ctx, name));
  requireCluster(ctx, name);
  const list = ctx.world.data.eksPodIdentityAssociations
    .filter((a) => a.accountId === ctx.accountId && a.region === ctx.region && a.clusterName === name)
    .filter((a) => (!input.namespace || a.namespace === input.namespace) && (!input.serviceAccount || a.serviceAccount === input.serviceAccount))
    .map((a) => ({ clusterName: a.clusterName, namespace: a.namespace, serviceAccount: a.serviceAccount, associationArn: a.associationArn, associationId: a.associationId }));
  const p = page(list, input);
  return { associations: p.page, nextToken: p.nextToken };
}

function describePodIdentityAssociation(ctx: RequestContext, input: OperationInput) {
  const name = String(input.clusterName);
  const id = String(input.associationId);
  const a = ctx.world.data.eksPodIdentityAssociations.find(
    (x) => x.accountId === ctx.accountId && x.region === ctx.region && x.clusterName === name && x.associationId === id,
  );
  ctx.authorize('eks:DescribePodIdentityAssociation', a?.associationArn ?? `arn:aws:eks:${ctx.region}:${ctx.accountId}:podidentityassociation/${name}/${id}`);
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
  const wantedStatus = (input.versionStatus as string | undefined) ?? (input.status ? String(input.status).toUpperCase().replace(/-/g, '_') : undefined);
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

export const service: ServiceModule = {
  operations: {
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
