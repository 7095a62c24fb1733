/**
 * In-place updates of the EKS resources, as the CloudFormation handlers make them: each changed mutable
 * property becomes the EKS API call that changes it (UpdateClusterVersion, UpdateClusterConfig,
 * UpdateNodegroupConfig, UpdateNodegroupVersion, UpdateAddon, access-entry calls), made one after another
 * with the stack caller's permissions, each waited for until EKS reports it Successful. The EKS rules
 * (one minor at a time, version skew, one update at a time) are the EKS API's own (`eks/updates.ts`).
 * Differences are computed against what is live in EKS, so a rollback of a change that never landed is a
 * no-op, as the handler's read-before-update makes it.
 */
import { compatibleAddonVersions } from '../../eks/addons.js';
import {
  advanceEksUpdate,
  EksUpdateError,
  type EksUpdateRecord,
  startAccessConfigUpdate,
  startAddonUpdate,
  startClusterVersionUpdate,
  startNodegroupScalingUpdate,
  startNodegroupVersionUpdate,
  startUpgradePolicyUpdate,
} from '../../eks/updates.js';
import type { EksAccessEntry, EksAddon, EksCluster, EksNodegroup } from '../../world/types.js';
import type { ResourceValues } from '../template/intrinsics.js';
import {
  handlerFailure,
  jitter,
  type ProviderContext,
  resourceTagKeys,
  type StartedOperation,
  serviceFailure,
  stringList,
  tagRecord,
} from './types.js';
import { sameValue } from './update-behaviour.js';

/** One AWS::EKS::AccessEntry AccessPolicies item as the template wrote it. */
export interface AccessPolicyProperty {
  PolicyArn?: unknown;
  AccessScope?: unknown;
}

/** One EKS API update the handler makes (JSON: it lives in the resource's provider state). */
export type EksJob =
  | { kind: 'clusterVersion'; version: string; force: boolean }
  | { kind: 'upgradePolicy'; supportType: string }
  | { kind: 'accessConfig'; authenticationMode: string }
  | { kind: 'scaling'; scaling: { minSize?: number; maxSize?: number; desiredSize?: number } }
  | { kind: 'nodegroupVersion'; version: string }
  | { kind: 'addon'; addonVersion?: string; configurationValues?: string; serviceAccountRoleArn?: string };

interface JobState {
  queue: EksJob[];
  current?: string;
}

function eksFailure(ctx: ProviderContext, err: unknown): never {
  if (err instanceof EksUpdateError) {
    throw serviceFailure(ctx, {
      service: 'Eks',
      status: err.status,
      message: err.message,
      handlerErrorCode:
        err.code === 'ResourceInUseException'
          ? 'ResourceConflict'
          : err.code === 'ResourceNotFoundException'
            ? 'NotFound'
            : 'InvalidRequest',
    });
  }
  throw err;
}

function notModelled(ctx: ProviderContext, type: string, props: string[]): never {
  throw handlerFailure(
    ctx,
    `The AWS sandbox does not model updating ${props.join(', ')} of ${type} in place`,
    'InvalidRequest',
  );
}

export function clusterByName(ctx: ProviderContext, name: string): EksCluster | undefined {
  return ctx.data.eksClusters.find((c) => c.accountId === ctx.accountId && c.region === ctx.region && c.name === name);
}

function nodegroupById(ctx: ProviderContext, physicalId: string): EksNodegroup | undefined {
  const slash = physicalId.indexOf('/');
  const [clusterName, name] = [physicalId.slice(0, slash), physicalId.slice(slash + 1)];
  return ctx.data.eksNodegroups.find(
    (n) =>
      n.accountId === ctx.accountId &&
      n.region === ctx.region &&
      n.clusterName === clusterName &&
      n.nodegroupName === name,
  );
}

function addonById(ctx: ProviderContext, physicalId: string): EksAddon | undefined {
  const [clusterName, addonName] = physicalId.split('|') as [string, string];
  return ctx.data.eksAddons.find(
    (a) =>
      a.accountId === ctx.accountId &&
      a.region === ctx.region &&
      a.clusterName === clusterName &&
      a.addonName === addonName,
  );
}

function accessEntryById(ctx: ProviderContext, physicalId: string): EksAccessEntry | undefined {
  const sep = physicalId.indexOf('|');
  return ctx.data.eksAccessEntries.find(
    (e) =>
      e.accountId === ctx.accountId &&
      e.region === ctx.region &&
      e.clusterName === physicalId.slice(0, sep) &&
      e.principalArn === physicalId.slice(sep + 1),
  );
}

/** Tags: EKS TagResource / UntagResource on the resource's ARN. */
function applyTags(
  ctx: ProviderContext,
  arn: string,
  current: Record<string, string>,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): Record<string, string> {
  if (sameValue(before.Tags, after.Tags)) return current;
  const wanted = { ...ctx.stackTags, ...tagRecord(after.Tags) };
  const removed = Object.keys(current).filter((k) => !(k in wanted));
  if (removed.length) ctx.require('Eks', 'eks:UntagResource', arn, resourceTagKeys(current));
  ctx.require('Eks', 'eks:TagResource', arn);
  return wanted;
}

/** Start `job` now (permission first, as EKS authorises before validating). */
function startJob(ctx: ProviderContext, physicalId: string, job: EksJob): EksUpdateRecord {
  try {
    switch (job.kind) {
      case 'clusterVersion':
      case 'upgradePolicy':
      case 'accessConfig': {
        const cluster = clusterByName(ctx, physicalId);
        if (!cluster)
          throw new EksUpdateError('ResourceNotFoundException', `No cluster found for name: ${physicalId}.`, 404);
        if (job.kind === 'clusterVersion') {
          ctx.require('Eks', 'eks:UpdateClusterVersion', cluster.arn);
          return startClusterVersionUpdate(ctx.world, cluster, job.version, ctx.timeScale, undefined, job.force);
        }
        ctx.require('Eks', 'eks:UpdateClusterConfig', cluster.arn);
        return job.kind === 'upgradePolicy'
          ? startUpgradePolicyUpdate(ctx.world, cluster, job.supportType, ctx.timeScale)
          : startAccessConfigUpdate(ctx.world, cluster, job.authenticationMode, ctx.timeScale);
      }
      case 'scaling':
      case 'nodegroupVersion': {
        const ng = nodegroupById(ctx, physicalId);
        if (!ng)
          throw new EksUpdateError(
            'ResourceNotFoundException',
            `No node group found for name: ${physicalId.split('/')[1]}.`,
            404,
          );
        if (job.kind === 'scaling') {
          ctx.require('Eks', 'eks:UpdateNodegroupConfig', ng.nodegroupArn);
          return startNodegroupScalingUpdate(ctx.world, ng, job.scaling, ctx.timeScale);
        }
        ctx.require('Eks', 'eks:UpdateNodegroupVersion', ng.nodegroupArn);
        return startNodegroupVersionUpdate(ctx.world, ng, job.version, false, ctx.timeScale);
      }
      case 'addon': {
        const addon = addonById(ctx, physicalId);
        if (!addon)
          throw new EksUpdateError(
            'ResourceNotFoundException',
            `No addon: ${physicalId.split('|')[1]} found in cluster: ${physicalId.split('|')[0]}`,
            404,
          );
        ctx.require('Eks', 'eks:UpdateAddon', addon.addonArn);
        if (job.serviceAccountRoleArn !== undefined)
          ctx.require('Eks', 'iam:PassRole', job.serviceAccountRoleArn, { 'iam:PassedToService': 'eks.amazonaws.com' });
        const { kind: _k, ...change } = job;
        return startAddonUpdate(ctx.world, addon, change, ctx.timeScale);
      }
    }
  } catch (err) {
    return eksFailure(ctx, err);
  }
}

/** Real-AWS ms until an EKS update's next step is due (at least the handler's 1 s poll). */
function remainingMs(ctx: ProviderContext, u: EksUpdateRecord): number {
  return Math.max(1_000, (Date.parse(u.dueAt) - ctx.world.now()) * Math.max(ctx.timeScale, 1e-9));
}

/** Begin the jobs; `quickMs` when there are none (tags, access policies: synchronous calls). */
export function runJobs(ctx: ProviderContext, physicalId: string, jobs: EksJob[], quickMs = 3_000): StartedOperation {
  const [first, ...rest] = jobs;
  if (!first) return { durationMs: jitter(ctx, quickMs, 0.3), state: { queue: [] } satisfies JobState };
  const u = startJob(ctx, physicalId, first);
  return { durationMs: remainingMs(ctx, u), state: { queue: rest, current: u.id } satisfies JobState };
}

/** Wait for the current EKS update, then start the next; done → the resource's values. */
export function finishJobs(
  ctx: ProviderContext,
  physicalId: string,
  state: unknown,
  values: () => ResourceValues,
): ResourceValues | { waitMs: number } {
  const s = state as JobState;
  if (s.current) {
    const u = advanceEksUpdate(ctx.world, s.current);
    if (u && u.status === 'InProgress') return { waitMs: remainingMs(ctx, u) };
    if (u && u.status === 'Failed') {
      const e = u.errors[0]!;
      throw serviceFailure(ctx, {
        service: 'null',
        status: 0,
        message: `[ErrorDetail(ErrorCode=${e.errorCode}, ErrorMessage=${e.errorMessage}, ResourceIds=[${e.resourceIds.join(', ')}])]`,
        handlerErrorCode: 'GeneralServiceException',
      });
    }
    delete s.current;
  }
  const next = s.queue.shift();
  if (next) {
    const u = startJob(ctx, physicalId, next);
    s.current = u.id;
    return { waitMs: remainingMs(ctx, u) };
  }
  return values();
}

// ----- what each resource type turns a property change into -----------------------------------------------

const CLUSTER_MODELLED = new Set([
  'Version',
  'UpgradePolicy',
  'AccessConfig',
  'Tags',
  'Logging',
  'Name',
  'RoleArn',
  'Force',
]);

export function clusterJobs(
  ctx: ProviderContext,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  physicalId: string,
): EksJob[] {
  const cluster = clusterByName(ctx, physicalId);
  if (!cluster)
    throw serviceFailure(ctx, {
      service: 'Eks',
      status: 404,
      message: `No cluster found for name: ${physicalId}.`,
      handlerErrorCode: 'NotFound',
    });
  ctx.require('Eks', 'eks:DescribeCluster', cluster.arn);
  const unmodelled = Object.keys({ ...before, ...after }).filter(
    (k) => !CLUSTER_MODELLED.has(k) && !sameValue(before[k], after[k]),
  );
  if (unmodelled.length) notModelled(ctx, 'AWS::EKS::Cluster', unmodelled);
  cluster.tags = applyTags(ctx, cluster.arn, cluster.tags, before, after);
  if (!sameValue(before.Logging, after.Logging)) {
    ctx.require('Eks', 'eks:UpdateClusterConfig', cluster.arn);
    cluster.logging = after.Logging;
  }
  const jobs: EksJob[] = [];
  const version = after.Version !== undefined ? String(after.Version) : undefined;
  if (version !== undefined && version !== cluster.version)
    jobs.push({ kind: 'clusterVersion', version, force: String(after.Force) === 'true' });
  const supportType = String(((after.UpgradePolicy ?? {}) as Record<string, unknown>).SupportType ?? 'EXTENDED');
  if (supportType !== (cluster.upgradePolicy?.supportType ?? 'EXTENDED'))
    jobs.push({ kind: 'upgradePolicy', supportType });
  const mode = ((after.AccessConfig ?? {}) as Record<string, unknown>).AuthenticationMode;
  if (mode !== undefined && mode !== (cluster.accessConfig?.authenticationMode ?? 'CONFIG_MAP'))
    jobs.push({ kind: 'accessConfig', authenticationMode: String(mode) });
  return jobs;
}

const NODEGROUP_MODELLED = new Set([
  'ScalingConfig',
  'Version',
  'Labels',
  'Tags',
  'ClusterName',
  'NodegroupName',
  'NodeRole',
  'Subnets',
  'InstanceTypes',
  'AmiType',
  'CapacityType',
  'DiskSize',
  'RemoteAccess',
]);

export function nodegroupJobs(
  ctx: ProviderContext,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  physicalId: string,
): EksJob[] {
  const ng = nodegroupById(ctx, physicalId);
  if (!ng)
    throw serviceFailure(ctx, {
      service: 'Eks',
      status: 404,
      message: `No node group found for name: ${physicalId.split('/')[1]}.`,
      handlerErrorCode: 'NotFound',
    });
  ctx.require('Eks', 'eks:DescribeNodegroup', ng.nodegroupArn);
  const unmodelled = Object.keys({ ...before, ...after }).filter(
    (k) => !NODEGROUP_MODELLED.has(k) && !sameValue(before[k], after[k]),
  );
  if (unmodelled.length) notModelled(ctx, 'AWS::EKS::Nodegroup', unmodelled);
  // As CloudFormation's AWS::EKS::Nodegroup handler: a version update goes alone (eksctl and others hit
  // this when a scaling or tag change rides along with an upgrade).
  const changed = Object.keys({ ...before, ...after }).filter((k) => !sameValue(before[k], after[k]));
  const versionKeys = ['Version', 'ReleaseVersion'];
  if (changed.some((k) => versionKeys.includes(k)) && changed.some((k) => !versionKeys.includes(k)))
    throw serviceFailure(ctx, {
      service: 'Eks',
      status: 400,
      message: 'Version and ReleaseVersion updates cannot be combined with other updates',
      handlerErrorCode: 'InvalidRequest',
    });
  ng.tags = applyTags(ctx, ng.nodegroupArn, ng.tags, before, after);
  const jobs: EksJob[] = [];
  const sc = (after.ScalingConfig ?? {}) as Record<string, unknown>;
  const scaling: { minSize?: number; maxSize?: number; desiredSize?: number } = {};
  if (sc.MinSize !== undefined && Number(sc.MinSize) !== ng.scalingConfig.minSize) scaling.minSize = Number(sc.MinSize);
  if (sc.MaxSize !== undefined && Number(sc.MaxSize) !== ng.scalingConfig.maxSize) scaling.maxSize = Number(sc.MaxSize);
  if (sc.DesiredSize !== undefined && Number(sc.DesiredSize) !== ng.scalingConfig.desiredSize)
    scaling.desiredSize = Number(sc.DesiredSize);
  const labelsChanged = !sameValue(before.Labels, after.Labels);
  if (labelsChanged) ctx.require('Eks', 'eks:UpdateNodegroupConfig', ng.nodegroupArn);
  if (labelsChanged) ng.labels = tagRecord(after.Labels);
  if (Object.keys(scaling).length) jobs.push({ kind: 'scaling', scaling });
  if (after.Version !== undefined && String(after.Version) !== ng.version)
    jobs.push({ kind: 'nodegroupVersion', version: String(after.Version) });
  return jobs;
}

export function addonJobs(
  ctx: ProviderContext,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  physicalId: string,
): EksJob[] {
  const addon = addonById(ctx, physicalId);
  if (!addon)
    throw serviceFailure(ctx, {
      service: 'Eks',
      status: 404,
      message: `No addon: ${physicalId.split('|')[1]} found in cluster: ${physicalId.split('|')[0]}`,
      handlerErrorCode: 'NotFound',
    });
  ctx.require('Eks', 'eks:DescribeAddon', addon.addonArn);
  if (!sameValue(before.PodIdentityAssociations, after.PodIdentityAssociations))
    notModelled(ctx, 'AWS::EKS::Addon', ['PodIdentityAssociations']);
  addon.tags = applyTags(ctx, addon.addonArn, addon.tags, before, after);
  const job: Extract<EksJob, { kind: 'addon' }> = { kind: 'addon' };
  if (after.AddonVersion !== undefined && String(after.AddonVersion) !== addon.addonVersion) {
    const cluster = clusterByName(ctx, addon.clusterName);
    const offered = (ctx.world.region(ctx.region)?.eksVersions ?? [])
      .filter((v) => v.status !== 'UNSUPPORTED')
      .map((v) => v.version);
    if (
      cluster &&
      !compatibleAddonVersions(addon.addonName, cluster.version, offered).includes(String(after.AddonVersion))
    ) {
      throw serviceFailure(ctx, {
        service: 'Eks',
        status: 400,
        message: `Addon version specified is not supported for cluster version ${cluster.version}`,
        handlerErrorCode: 'InvalidRequest',
      });
    }
    job.addonVersion = String(after.AddonVersion);
  }
  if (
    after.ConfigurationValues !== undefined &&
    String(after.ConfigurationValues) !== (addon.configurationValues ?? '')
  )
    job.configurationValues = String(after.ConfigurationValues);
  if (after.ServiceAccountRoleArn !== undefined && String(after.ServiceAccountRoleArn) !== addon.serviceAccountRoleArn)
    job.serviceAccountRoleArn = String(after.ServiceAccountRoleArn);
  return Object.keys(job).length > 1 ? [job] : [];
}

/** Access entries change synchronously: UpdateAccessEntry, Associate/DisassociateAccessPolicy, tags. */
export function updateAccessEntryNow(
  ctx: ProviderContext,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  physicalId: string,
): void {
  const entry = accessEntryById(ctx, physicalId);
  if (!entry)
    throw serviceFailure(ctx, {
      service: 'Eks',
      status: 404,
      message: `The specified access entry ${physicalId} could not be found.`,
      handlerErrorCode: 'NotFound',
    });
  entry.tags = applyTags(ctx, entry.accessEntryArn, entry.tags, before, after);
  if (!sameValue(before.KubernetesGroups, after.KubernetesGroups) || !sameValue(before.Username, after.Username)) {
    ctx.require('Eks', 'eks:UpdateAccessEntry', entry.accessEntryArn);
    entry.kubernetesGroups = stringList(after.KubernetesGroups);
    if (after.Username !== undefined) entry.username = String(after.Username);
  }
  if (sameValue(before.AccessPolicies, after.AccessPolicies)) return;
  const wanted = (Array.isArray(after.AccessPolicies) ? (after.AccessPolicies as AccessPolicyProperty[]) : []).map(
    (p) => {
      const scope = (p.AccessScope ?? {}) as Record<string, unknown>;
      return {
        policyArn: String(p.PolicyArn),
        accessScope:
          scope.Type === 'namespace'
            ? { type: 'namespace' as const, namespaces: stringList(scope.Namespaces) }
            : { type: 'cluster' as const },
      };
    },
  );
  for (const p of entry.accessPolicies) {
    if (!wanted.some((w) => w.policyArn === p.policyArn))
      ctx.require('Eks', 'eks:DisassociateAccessPolicy', entry.accessEntryArn, { 'eks:policyArn': p.policyArn });
  }
  for (const w of wanted) {
    const had = entry.accessPolicies.find((p) => p.policyArn === w.policyArn);
    if (had && sameValue(had.accessScope, w.accessScope)) continue;
    ctx.require('Eks', 'eks:AssociateAccessPolicy', entry.accessEntryArn, { 'eks:policyArn': w.policyArn });
    if (!/^arn:aws[a-z-]*:eks::aws:cluster-access-policy\/[A-Za-z0-9]+$/.test(w.policyArn)) {
      throw serviceFailure(ctx, {
        service: 'Eks',
        status: 400,
        message: `The specified policyArn is invalid: ${w.policyArn}`,
        handlerErrorCode: 'InvalidRequest',
      });
    }
  }
  entry.accessPolicies = wanted;
  entry.modifiedAt = ctx.nowIso();
}
