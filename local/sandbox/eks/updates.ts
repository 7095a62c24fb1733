/**
 * EKS's asynchronous updates (the `Update` objects of DescribeUpdate/ListUpdates): cluster version
 * upgrades, upgrade policy and access config changes, node group scaling and version (rolling) updates,
 * add-on updates. The EKS API and the CloudFormation providers both start them here, so a stack update and
 * a direct API call follow the same rules (one minor at a time, one update at a time, version skew).
 *
 * Updates are settled lazily against sandbox time: each one has a due time (real AWS duration divided by
 * the time scale) and lands when anyone looks after it is due. A node group version update replaces
 * nodes one at a time (maxUnavailable 1), evicting each old node's pods through the Kubernetes eviction
 * rules; an eviction a PodDisruptionBudget refuses is retried until EKS's 15-minute limit, then the
 * update fails with `PodEvictionFailure`.
 */

import { evictPodsFromNode } from '../kubernetes/eviction.js';
import { nodesOf } from '../kubernetes/objects.js';
import type { EksAddon, EksCluster, EksNodegroup } from '../world/types.js';
import type { World } from '../world/world.js';
import { insightsFor } from './insights.js';

const MIN = 60_000;

/** Real-AWS durations (ms) before time scaling. */
export const UPDATE_DURATIONS = {
  /** Control plane version upgrade: ~8–10 minutes. */
  clusterVersion: 9 * MIN,
  upgradePolicy: 15_000,
  accessConfig: 60_000,
  nodegroupScaling: 60_000,
  /** Node group version update: set-up, then per node launch/join/drain/terminate. */
  nodegroupSetup: 2 * MIN,
  perNode: 3 * MIN,
  addon: 60_000,
  /** EKS gives up evicting a node's pods after 15 minutes (without `force`). */
  evictionTimeout: 15 * MIN,
} as const;

export type EksUpdateChange =
  | { kind: 'clusterVersion'; version: string; platformVersion: string }
  | { kind: 'upgradePolicy'; supportType: 'STANDARD' | 'EXTENDED' }
  | { kind: 'accessConfig'; authenticationMode: 'API' | 'API_AND_CONFIG_MAP' | 'CONFIG_MAP' }
  | { kind: 'nodegroupScaling'; scalingConfig: { minSize: number; maxSize: number; desiredSize: number } }
  | { kind: 'nodegroupVersion'; version: string; releaseVersion: string; force: boolean }
  | { kind: 'addon'; addonVersion?: string; configurationValues?: string; serviceAccountRoleArn?: string };

export interface EksUpdateRecord {
  accountId: string;
  region: string;
  clusterName: string;
  nodegroupName?: string;
  addonName?: string;
  id: string;
  type: 'VersionUpdate' | 'ConfigUpdate' | 'UpgradePolicyUpdate' | 'AccessConfigUpdate' | 'AddonUpdate';
  status: 'InProgress' | 'Failed' | 'Successful';
  params: { type: string; value: string }[];
  createdAt: string;
  /** Sandbox time (ISO) of the next step. */
  dueAt: string;
  timeScale: number;
  errors: { errorCode: string; errorMessage: string; resourceIds: string[] }[];
  change: EksUpdateChange;
  /** Node group version update: the old nodes still to replace, and since when an eviction is refused. */
  roll?: { pending: string[]; blockedSince?: string };
  clientRequestToken?: string;
}

/** An EKS API error the caller maps to its own wire shape (EKS API) or handler failure (CloudFormation). */
export class EksUpdateError extends Error {
  constructor(
    readonly code:
      | 'InvalidParameterException'
      | 'ResourceInUseException'
      | 'InvalidRequestException'
      | 'ResourceNotFoundException'
      | 'InvalidStateException',
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

export function eksUpdates(world: World): EksUpdateRecord[] {
  const state = world.serviceState<{ updates?: EksUpdateRecord[] }>('eks', () => ({}));
  state.updates ??= [];
  return state.updates;
}

function minor(version: string): number {
  return Number(version.split('.')[1] ?? NaN);
}

function due(world: World, realMs: number, timeScale: number, from = world.now()): string {
  const extra = world.data.flags.extraProvisioningDelayMs ?? 0;
  return new Date(from + (realMs + extra) / Math.max(timeScale, 1e-9)).toISOString();
}

type Target = { accountId: string; region: string; clusterName: string; nodegroupName?: string; addonName?: string };

function sameTarget(u: EksUpdateRecord, t: Target): boolean {
  return (
    u.accountId === t.accountId &&
    u.region === t.region &&
    u.clusterName === t.clusterName &&
    u.nodegroupName === t.nodegroupName &&
    u.addonName === t.addonName
  );
}

function clusterOf(world: World, t: Target): EksCluster | undefined {
  return world.data.eksClusters.find(
    (c) => c.accountId === t.accountId && c.region === t.region && c.name === t.clusterName,
  );
}

function nodegroupOf(world: World, t: Target): EksNodegroup | undefined {
  return world.data.eksNodegroups.find(
    (n) =>
      n.accountId === t.accountId &&
      n.region === t.region &&
      n.clusterName === t.clusterName &&
      n.nodegroupName === t.nodegroupName,
  );
}

function addonOf(world: World, t: Target): EksAddon | undefined {
  return world.data.eksAddons.find(
    (a) =>
      a.accountId === t.accountId &&
      a.region === t.region &&
      a.clusterName === t.clusterName &&
      a.addonName === t.addonName,
  );
}

/** EKS runs one update at a time per cluster (and per node group / add-on). */
function refuseWhileUpdating(world: World, t: Target, what: string): void {
  settleEksUpdates(world);
  const running = eksUpdates(world).find((u) => u.status === 'InProgress' && sameTarget(u, t));
  if (running) throw new EksUpdateError('ResourceInUseException', `${what} has update ${running.id} in progress`, 409);
}

function record(
  world: World,
  t: Target,
  type: EksUpdateRecord['type'],
  params: EksUpdateRecord['params'],
  change: EksUpdateChange,
  realMs: number,
  timeScale: number,
  token?: string,
): EksUpdateRecord {
  const u: EksUpdateRecord = {
    ...t,
    id: world.uuid(),
    type,
    status: 'InProgress',
    params,
    createdAt: world.nowIso(),
    dueAt: due(world, realMs, timeScale),
    timeScale,
    errors: [],
    change,
    ...(token ? { clientRequestToken: token } : {}),
  };
  eksUpdates(world).push(u);
  return u;
}

function tokenReplay(world: World, t: Target, token: string | undefined): EksUpdateRecord | undefined {
  return token ? eksUpdates(world).find((u) => sameTarget(u, t) && u.clientRequestToken === token) : undefined;
}

// ----- starting updates ----------------------------------------------------------------------------------

/**
 * UpdateClusterVersion: one minor up, offered in the region, node groups at the cluster's version first,
 * no upgrade insight in ERROR unless `force` (EKS's upgrade-blocking readiness checks).
 */
export function startClusterVersionUpdate(
  world: World,
  cluster: EksCluster,
  version: string,
  timeScale: number,
  token?: string,
  force = false,
): EksUpdateRecord {
  const t: Target = { accountId: cluster.accountId, region: cluster.region, clusterName: cluster.name };
  const replay = tokenReplay(world, t, token);
  if (replay) return replay;
  refuseWhileUpdating(world, t, `Cluster ${cluster.name}`);
  if (cluster.status !== 'ACTIVE')
    throw new EksUpdateError('ResourceInUseException', `Cluster ${cluster.name} is currently ${cluster.status}`, 409);
  if (version === cluster.version)
    throw new EksUpdateError(
      'InvalidParameterException',
      `The cluster ${cluster.name} is already at version ${version}`,
    );
  if (
    !Number.isFinite(minor(version)) ||
    version.split('.')[0] !== cluster.version.split('.')[0] ||
    minor(version) !== minor(cluster.version) + 1
  ) {
    throw new EksUpdateError(
      'InvalidParameterException',
      `Unsupported Kubernetes minor version update from ${cluster.version} to ${version}`,
    );
  }
  const offered = world.region(cluster.region)?.eksVersions.find((v) => v.version === version);
  if (!offered || offered.status === 'UNSUPPORTED')
    throw new EksUpdateError('InvalidParameterException', `unsupported Kubernetes version ${version}`);
  const behind = world.data.eksNodegroups
    .filter(
      (n) =>
        n.accountId === cluster.accountId &&
        n.region === cluster.region &&
        n.clusterName === cluster.name &&
        n.version !== cluster.version,
    )
    .map((n) => n.nodegroupName);
  if (behind.length) {
    throw new EksUpdateError(
      'InvalidParameterException',
      `Nodegroups ${behind.join(', ')} must be updated to match cluster version ${cluster.version} before updating cluster version`,
    );
  }
  if (!force && insightsFor(world, cluster).some((i) => i.insightStatus.status === 'ERROR')) {
    throw new EksUpdateError(
      'InvalidStateException',
      'Amazon EKS detected upgrade readiness issues. Call the ListInsights API to view detected upgrade blocking issues. Pass the force flag when updating to override upgrade readiness errors.',
    );
  }
  const u = record(
    world,
    t,
    'VersionUpdate',
    [
      { type: 'Version', value: version },
      { type: 'PlatformVersion', value: offered.platformVersion },
    ],
    { kind: 'clusterVersion', version, platformVersion: offered.platformVersion },
    UPDATE_DURATIONS.clusterVersion,
    timeScale,
    token,
  );
  cluster.status = 'UPDATING';
  return u;
}

/** UpdateClusterConfig with `upgradePolicy`. */
export function startUpgradePolicyUpdate(
  world: World,
  cluster: EksCluster,
  supportType: string,
  timeScale: number,
  token?: string,
): EksUpdateRecord {
  const t: Target = { accountId: cluster.accountId, region: cluster.region, clusterName: cluster.name };
  const replay = tokenReplay(world, t, token);
  if (replay) return replay;
  if (supportType !== 'STANDARD' && supportType !== 'EXTENDED')
    throw new EksUpdateError('InvalidParameterException', `Invalid supportType: ${supportType}`);
  refuseWhileUpdating(world, t, `Cluster ${cluster.name}`);
  if (cluster.status !== 'ACTIVE')
    throw new EksUpdateError('ResourceInUseException', `Cluster ${cluster.name} is currently ${cluster.status}`, 409);
  if ((cluster.upgradePolicy?.supportType ?? 'EXTENDED') === supportType) {
    throw new EksUpdateError(
      'InvalidParameterException',
      `The cluster is already configured with upgrade policy supportType ${supportType}`,
    );
  }
  // A cluster already past standard support cannot leave extended support.
  const info = world.region(cluster.region)?.eksVersions.find((v) => v.version === cluster.version);
  if (supportType === 'STANDARD' && info?.status === 'EXTENDED_SUPPORT') {
    throw new EksUpdateError(
      'InvalidRequestException',
      `Cluster ${cluster.name} is running Kubernetes version ${cluster.version} in extended support; upgrade the cluster before setting supportType STANDARD`,
    );
  }
  return record(
    world,
    t,
    'UpgradePolicyUpdate',
    [{ type: 'UpgradePolicy', value: supportType }],
    { kind: 'upgradePolicy', supportType: supportType as 'STANDARD' | 'EXTENDED' },
    UPDATE_DURATIONS.upgradePolicy,
    timeScale,
    token,
  );
}

/** UpdateClusterConfig with `accessConfig.authenticationMode`: only towards API (CONFIG_MAP → API_AND_CONFIG_MAP → API). */
export function startAccessConfigUpdate(
  world: World,
  cluster: EksCluster,
  mode: string,
  timeScale: number,
  token?: string,
): EksUpdateRecord {
  const t: Target = { accountId: cluster.accountId, region: cluster.region, clusterName: cluster.name };
  const replay = tokenReplay(world, t, token);
  if (replay) return replay;
  refuseWhileUpdating(world, t, `Cluster ${cluster.name}`);
  if (cluster.status !== 'ACTIVE')
    throw new EksUpdateError('ResourceInUseException', `Cluster ${cluster.name} is currently ${cluster.status}`, 409);
  const order = ['CONFIG_MAP', 'API_AND_CONFIG_MAP', 'API'];
  const current = cluster.accessConfig?.authenticationMode ?? 'CONFIG_MAP';
  if (!order.includes(mode))
    throw new EksUpdateError('InvalidParameterException', `Invalid authenticationMode: ${mode}`);
  if (mode === current)
    throw new EksUpdateError(
      'InvalidParameterException',
      `Unsupported authentication mode update from ${current} to ${mode}`,
    );
  if (order.indexOf(mode) < order.indexOf(current))
    throw new EksUpdateError(
      'InvalidParameterException',
      `Unsupported authentication mode update from ${current} to ${mode}`,
    );
  return record(
    world,
    t,
    'AccessConfigUpdate',
    [{ type: 'AuthenticationMode', value: mode }],
    { kind: 'accessConfig', authenticationMode: mode as 'API' | 'API_AND_CONFIG_MAP' },
    UPDATE_DURATIONS.accessConfig,
    timeScale,
    token,
  );
}

/** UpdateNodegroupConfig with `scalingConfig`. */
export function startNodegroupScalingUpdate(
  world: World,
  ng: EksNodegroup,
  scaling: Partial<{ minSize: number; maxSize: number; desiredSize: number }>,
  timeScale: number,
  token?: string,
): EksUpdateRecord {
  const t: Target = {
    accountId: ng.accountId,
    region: ng.region,
    clusterName: ng.clusterName,
    nodegroupName: ng.nodegroupName,
  };
  const replay = tokenReplay(world, t, token);
  if (replay) return replay;
  refuseWhileUpdating(world, t, `Nodegroup ${ng.nodegroupName}`);
  if (ng.status !== 'ACTIVE' && ng.status !== 'DEGRADED')
    throw new EksUpdateError('ResourceInUseException', `Nodegroup ${ng.nodegroupName} is currently ${ng.status}`, 409);
  const next = { ...ng.scalingConfig, ...scaling };
  if (next.maxSize < 1) throw new EksUpdateError('InvalidParameterException', 'Maximum capacity must be at least 1');
  if (next.desiredSize < next.minSize)
    throw new EksUpdateError(
      'InvalidParameterException',
      `Minimum capacity ${next.minSize} can't be greater than desired size ${next.desiredSize}`,
    );
  if (next.desiredSize > next.maxSize)
    throw new EksUpdateError(
      'InvalidParameterException',
      `Desired capacity ${next.desiredSize} can't be greater than max size ${next.maxSize}`,
    );
  const params = (['minSize', 'maxSize', 'desiredSize'] as const)
    .filter((k) => scaling[k] !== undefined)
    .map((k) => ({
      type: k === 'minSize' ? 'MinSize' : k === 'maxSize' ? 'MaxSize' : 'DesiredSize',
      value: String(scaling[k]),
    }));
  const u = record(
    world,
    t,
    'ConfigUpdate',
    params,
    { kind: 'nodegroupScaling', scalingConfig: next },
    UPDATE_DURATIONS.nodegroupScaling,
    timeScale,
    token,
  );
  ng.status = 'UPDATING';
  return u;
}

/** UpdateNodegroupVersion: to the cluster's version (never above it, never more than one minor at a time). */
export function startNodegroupVersionUpdate(
  world: World,
  ng: EksNodegroup,
  version: string | undefined,
  force: boolean,
  timeScale: number,
  token?: string,
): EksUpdateRecord {
  const t: Target = {
    accountId: ng.accountId,
    region: ng.region,
    clusterName: ng.clusterName,
    nodegroupName: ng.nodegroupName,
  };
  const replay = tokenReplay(world, t, token);
  if (replay) return replay;
  const cluster = clusterOf(world, t);
  if (!cluster)
    throw new EksUpdateError('ResourceNotFoundException', `No cluster found for name: ${ng.clusterName}.`, 404);
  refuseWhileUpdating(world, t, `Nodegroup ${ng.nodegroupName}`);
  if (ng.status !== 'ACTIVE' && ng.status !== 'DEGRADED')
    throw new EksUpdateError('ResourceInUseException', `Nodegroup ${ng.nodegroupName} is currently ${ng.status}`, 409);
  const target = version ?? cluster.version;
  if (minor(target) > minor(cluster.version)) {
    throw new EksUpdateError(
      'InvalidParameterException',
      `Requested Nodegroup Kubernetes version ${target} is greater than cluster version ${cluster.version}`,
    );
  }
  if (minor(target) < minor(ng.version))
    throw new EksUpdateError(
      'InvalidParameterException',
      `Requested Nodegroup Kubernetes version ${target} is lower than the current version ${ng.version}`,
    );
  if (minor(target) > minor(ng.version) + 1) {
    throw new EksUpdateError(
      'InvalidParameterException',
      `Unsupported Kubernetes minor version update from ${ng.version} to ${target}`,
    );
  }
  const releaseVersion = `${target}.0-20250601`;
  const old = oldNodeNames(world, cluster, ng);
  const u = record(
    world,
    t,
    'VersionUpdate',
    [
      { type: 'Version', value: target },
      { type: 'ReleaseVersion', value: releaseVersion },
    ],
    { kind: 'nodegroupVersion', version: target, releaseVersion, force },
    UPDATE_DURATIONS.nodegroupSetup,
    timeScale,
    token,
  );
  u.roll = { pending: old };
  ng.status = 'UPDATING';
  return u;
}

/** UpdateAddon. */
export function startAddonUpdate(
  world: World,
  addon: EksAddon,
  change: Omit<Extract<EksUpdateChange, { kind: 'addon' }>, 'kind'>,
  timeScale: number,
  token?: string,
): EksUpdateRecord {
  const t: Target = {
    accountId: addon.accountId,
    region: addon.region,
    clusterName: addon.clusterName,
    addonName: addon.addonName,
  };
  const replay = tokenReplay(world, t, token);
  if (replay) return replay;
  refuseWhileUpdating(world, t, `Addon ${addon.addonName}`);
  if (addon.status !== 'ACTIVE' && addon.status !== 'DEGRADED' && addon.status !== 'UPDATE_FAILED') {
    throw new EksUpdateError('ResourceInUseException', `Addon ${addon.addonName} is currently ${addon.status}`, 409);
  }
  const params: EksUpdateRecord['params'] = [];
  if (change.addonVersion !== undefined) params.push({ type: 'AddonVersion', value: change.addonVersion });
  if (change.configurationValues !== undefined)
    params.push({ type: 'ConfigurationValues', value: change.configurationValues });
  if (change.serviceAccountRoleArn !== undefined)
    params.push({ type: 'ServiceAccountRoleArn', value: change.serviceAccountRoleArn });
  const u = record(
    world,
    t,
    'AddonUpdate',
    params,
    { kind: 'addon', ...change },
    UPDATE_DURATIONS.addon,
    timeScale,
    token,
  );
  addon.status = 'UPDATING';
  return u;
}

function oldNodeNames(world: World, cluster: EksCluster, ng: EksNodegroup): string[] {
  return nodesOf(world, cluster, 1)
    .filter((n) => n.metadata.labels?.['eks.amazonaws.com/nodegroup'] === ng.nodegroupName)
    .map((n) => n.metadata.name);
}

// ----- settling ------------------------------------------------------------------------------------------

/** Land every update whose due time has passed (repeatedly: a node roll has several steps). */
export function settleEksUpdates(world: World): void {
  for (const u of eksUpdates(world)) {
    while (u.status === 'InProgress' && Date.parse(u.dueAt) <= world.now()) step(world, u, Date.parse(u.dueAt));
  }
}

/** Run an update's next step now, whatever its due time (the CloudFormation engine times its own waits). */
export function advanceEksUpdate(world: World, id: string): EksUpdateRecord | undefined {
  const u = eksUpdates(world).find((x) => x.id === id);
  if (u && u.status === 'InProgress') step(world, u, Math.max(world.now(), Date.parse(u.dueAt)));
  return u;
}

function step(world: World, u: EksUpdateRecord, at: number): void {
  const c = u.change;
  switch (c.kind) {
    case 'clusterVersion': {
      const cluster = clusterOf(world, u);
      if (cluster) {
        cluster.version = c.version;
        cluster.platformVersion = c.platformVersion;
        cluster.status = 'ACTIVE';
      }
      break;
    }
    case 'upgradePolicy': {
      const cluster = clusterOf(world, u);
      if (cluster) cluster.upgradePolicy = { supportType: c.supportType };
      break;
    }
    case 'accessConfig': {
      const cluster = clusterOf(world, u);
      if (cluster) cluster.accessConfig = { ...cluster.accessConfig, authenticationMode: c.authenticationMode };
      break;
    }
    case 'nodegroupScaling': {
      const ng = nodegroupOf(world, u);
      if (ng) {
        ng.scalingConfig = c.scalingConfig;
        ng.status = 'ACTIVE';
        ng.modifiedAt = new Date(at).toISOString();
      }
      break;
    }
    case 'nodegroupVersion':
      if (!rollOneNode(world, u, c, at)) return;
      break;
    case 'addon': {
      const addon = addonOf(world, u);
      if (addon) {
        if (c.addonVersion !== undefined) addon.addonVersion = c.addonVersion;
        if (c.configurationValues !== undefined) addon.configurationValues = c.configurationValues;
        if (c.serviceAccountRoleArn !== undefined) addon.serviceAccountRoleArn = c.serviceAccountRoleArn;
        addon.status = 'ACTIVE';
        addon.modifiedAt = new Date(at).toISOString();
      }
      break;
    }
  }
  u.status = 'Successful';
}

/**
 * One step of a rolling node group update. Returns true when the whole update is done (successfully or
 * not); otherwise the next step is scheduled in `u.dueAt`.
 */
function rollOneNode(
  world: World,
  u: EksUpdateRecord,
  c: Extract<EksUpdateChange, { kind: 'nodegroupVersion' }>,
  at: number,
): boolean {
  const ng = nodegroupOf(world, u);
  const roll = (u.roll ??= { pending: [] });
  if (!ng) return true;
  const node = roll.pending[0];
  if (node !== undefined) {
    const evicted = c.force ? ({ ok: true } as const) : evictPodsFromNode(u.clusterName, node);
    if (!evicted.ok) {
      const since = roll.blockedSince ? Date.parse(roll.blockedSince) : at;
      roll.blockedSince ??= new Date(at).toISOString();
      if (at - since >= UPDATE_DURATIONS.evictionTimeout / Math.max(u.timeScale, 1e-9)) {
        const message = `Reached max retries while trying to evict pods from nodes in node group ${ng.nodegroupName}`;
        u.status = 'Failed';
        u.errors = [{ errorCode: 'PodEvictionFailure', errorMessage: message, resourceIds: [node] }];
        ng.status = 'ACTIVE';
        ng.modifiedAt = new Date(at).toISOString();
        return false;
      }
      // Retried every minute (real AWS time) until the limit.
      u.dueAt = new Date(at + MIN / Math.max(u.timeScale, 1e-9)).toISOString();
      return false;
    }
    delete roll.blockedSince;
    roll.pending.shift();
    u.dueAt = new Date(at + UPDATE_DURATIONS.perNode / Math.max(u.timeScale, 1e-9)).toISOString();
    return false;
  }
  ng.version = c.version;
  ng.releaseVersion = c.releaseVersion;
  ng.status = 'ACTIVE';
  ng.modifiedAt = new Date(at).toISOString();
  // The roll replaced the nodes: the new ones register now.
  ng.nodesLaunchedAt = ng.modifiedAt;
  return true;
}

export function updateOut(u: EksUpdateRecord) {
  return { id: u.id, status: u.status, type: u.type, params: u.params, createdAt: u.createdAt, errors: u.errors };
}
