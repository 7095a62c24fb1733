/**
 * UpdatePreflight: before anything changes, every problem in one report (lib/diagnosis
 * combineDiagnoses): drift between the live cluster and its stack (never silently undo a user's
 * change), version skew, free IP addresses for a control-plane upgrade, EKS upgrade insights.
 */
import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeSubnetsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeClusterCommand,
  DescribeInsightCommand,
  DescribeNodegroupCommand,
  type EKSClient,
  ListAccessEntriesCommand,
  ListInsightsCommand,
} from '@aws-sdk/client-eks';
import { type ContextEvidence, combineDiagnoses, makeDiagnosis } from '../lib/diagnosis/catalog.js';
import { awsCall } from '../lib/diagnosis/from-aws-error.js';
import type { Diagnosis } from '../lib/diagnosis/types.js';
import { DiagnosedError } from '../lib/errors.js';
import { ADDON_VERSION_PARAMETERS, OUTPUT_KEYS, PARAMETER_KEYS } from '../lib/template/index.js';
import { parseMinor } from '../lib/update/patch.js';
import type { UpdatePreflightResult, UpdateRun } from '../lib/update/run.js';
import { DEFERRED_PARAMETER_KEYS, planUpdateStages } from '../lib/update/stages.js';

/** EKS needs up to five free addresses in the cluster's subnets for a control-plane upgrade. */
export const MIN_FREE_IPS = 5;
/** Stack statuses a change set can be executed from. */
export const STABLE_STACK_STATUSES = new Set([
  'CREATE_COMPLETE',
  'UPDATE_COMPLETE',
  'UPDATE_ROLLBACK_COMPLETE',
  'IMPORT_COMPLETE',
  'IMPORT_ROLLBACK_COMPLETE',
]);
/** Kubernetes' skew policy: kubelet up to three minors older than the API server (1.28+). */
export const MAX_NODE_SKEW = 3;

export interface PreflightDeps {
  eks: EKSClient;
  ec2: EC2Client;
  cloudformation: CloudFormationClient;
}

export async function updatePreflight(run: UpdateRun, deps: PreflightDeps): Promise<UpdatePreflightResult> {
  const ev: ContextEvidence = {
    stackName: run.stack.stackName,
    region: run.region,
    accountId: run.accountId,
    clusterName: run.cluster.name,
    roleArn: run.cluster.provisionRoleArn,
  };
  const ctx = (service: string, operation: string) => ({
    service,
    operation,
    principal: 'provision-role' as const,
    evidence: ev,
  });
  const problems: Diagnosis[] = [];

  const stacks = await awsCall(ctx('cloudformation', 'DescribeStacks'), () =>
    deps.cloudformation.send(new DescribeStacksCommand({ StackName: run.stack.stackId })),
  );
  const stack = stacks.Stacks?.[0];
  const params = Object.fromEntries(
    (stack?.Parameters ?? []).map((p) => [p.ParameterKey ?? '', p.ParameterValue ?? '']),
  );
  const outputs = Object.fromEntries((stack?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  const clusterName = outputs[OUTPUT_KEYS.clusterName] || run.cluster.name;
  // Only a settled stack can take a change set: a stuck rollback needs the user first; a stack busy
  // with someone else's change is not ours to queue behind.
  const stackStatus = stack?.StackStatus ?? '';
  if (stackStatus === 'UPDATE_ROLLBACK_FAILED') {
    problems.push(
      makeDiagnosis('UPDATE_ROLLBACK_FAILED', {
        ...ev,
        status: stackStatus,
        detail: 'an earlier update could not be rolled back',
      }),
    );
  } else if (stackStatus && !STABLE_STACK_STATUSES.has(stackStatus)) {
    problems.push(
      makeDiagnosis('CLUSTER_DRIFTED', {
        ...ev,
        detail: `stack ${run.stack.stackName} is ${stackStatus}, not settled (changed outside the service, or still changing); wait until it is UPDATE_COMPLETE or UPDATE_ROLLBACK_COMPLETE`,
      }),
    );
  }

  const { cluster } = await awsCall(ctx('eks', 'DescribeCluster'), () =>
    deps.eks.send(new DescribeClusterCommand({ name: clusterName })),
  );
  const clusterVersion = cluster?.version ?? '';
  const nodegroupName = outputs[OUTPUT_KEYS.nodegroupName];
  const { nodegroup } = nodegroupName
    ? await awsCall(ctx('eks', 'DescribeNodegroup'), () =>
        deps.eks.send(new DescribeNodegroupCommand({ clusterName, nodegroupName })),
      )
    : { nodegroup: undefined };

  // Drift: what someone changed outside the stack. Refuse and say how to reconcile.
  const drift: string[] = [];
  const stackVersion = params[PARAMETER_KEYS.kubernetesVersion];
  if (stackVersion && clusterVersion && stackVersion !== clusterVersion)
    drift.push(`the control plane runs Kubernetes ${clusterVersion}, the stack says ${stackVersion}`);
  const stackCount = Number(params[PARAMETER_KEYS.nodeCount]);
  const liveCount = nodegroup?.scalingConfig?.desiredSize;
  if (Number.isFinite(stackCount) && liveCount !== undefined && liveCount !== stackCount)
    drift.push(`node group ${nodegroupName} has ${liveCount} desired nodes, the stack says ${stackCount}`);
  const stackPrincipals = Object.entries(params)
    .filter(
      ([k, v]) =>
        (k.startsWith(PARAMETER_KEYS.adminPrincipalArnPrefix) ||
          k.startsWith(PARAMETER_KEYS.deployPrincipalArnPrefix)) &&
        v,
    )
    .map(([, v]) => v);
  if (stackPrincipals.length) {
    const live = await listAccessEntries(deps.eks, clusterName, ctx);
    const missing = stackPrincipals.filter((p) => !live.includes(p));
    if (missing.length) drift.push(`access entries of ${missing.join(', ')} were deleted outside the stack`);
  }
  if (drift.length) problems.push(makeDiagnosis('CLUSTER_DRIFTED', { ...ev, detail: drift.join('; ') }));

  const toVersion = typeof run.update.to.kubernetesVersion === 'string' ? run.update.to.kubernetesVersion : undefined;
  const insightsOut: UpdatePreflightResult['insights'] = [];
  const forcedPast: string[] = [];
  let freeIpAddresses = Number.NaN;
  // The stages follow what runs now: a control plane already on the target (an earlier run's node
  // stage rolled back) is not upgraded again, nor checked for it.
  const stages = planUpdateStages(
    {
      controlPlaneVersion: clusterVersion || run.update.liveVersion,
      ...(nodegroup?.version ? { nodegroupVersion: nodegroup.version } : {}),
    },
    run.update.changes,
  );
  const upgradesControlPlane = stages.some((s) => s.name === 'control-plane');
  if (toVersion) {
    // Version skew: the nodes must stay within the supported distance of the new control plane.
    const nodeVersion = nodegroup?.version;
    const a = parseMinor(nodeVersion);
    const b = parseMinor(toVersion);
    if (a && b && a[0] === b[0] && b[1] - a[1] > MAX_NODE_SKEW) {
      problems.push(
        makeDiagnosis('NODEGROUP_VERSION_SKEW', {
          ...ev,
          nodeVersion: nodeVersion!,
          clusterVersion,
          to: toVersion,
          maxSkew: MAX_NODE_SKEW,
          ...(nodegroupName ? { nodegroupName } : {}),
        }),
      );
    }
    // Free IPs in the control plane's subnets.
    const subnetIds = upgradesControlPlane ? (cluster?.resourcesVpcConfig?.subnetIds ?? []) : [];
    if (subnetIds.length) {
      const subnets = await awsCall(ctx('ec2', 'DescribeSubnets'), () =>
        deps.ec2.send(new DescribeSubnetsCommand({ SubnetIds: subnetIds })),
      );
      freeIpAddresses = (subnets.Subnets ?? []).reduce((n, s) => n + (s.AvailableIpAddressCount ?? 0), 0);
      if (freeIpAddresses < MIN_FREE_IPS) {
        const each = (subnets.Subnets ?? []).map((s) => `${s.SubnetId}: ${s.AvailableIpAddressCount ?? 0}`).join(', ');
        problems.push(
          makeDiagnosis('SUBNET_IPS_EXHAUSTED', { ...ev, detail: `they have ${freeIpAddresses} in all (${each})` }),
        );
      }
    }
    // EKS upgrade insights: an ERROR refuses the upgrade unless the request says force.
    const listed = upgradesControlPlane
      ? await awsCall(ctx('eks', 'ListInsights'), () =>
          deps.eks.send(
            new ListInsightsCommand({
              clusterName,
              filter: { categories: ['UPGRADE_READINESS'], kubernetesVersions: [toVersion] },
            }),
          ),
        )
      : { insights: [] };
    for (const i of listed.insights ?? []) {
      const status = i.insightStatus?.status ?? 'UNKNOWN';
      insightsOut.push({ id: i.id ?? '', name: i.name ?? '', status });
      if (status !== 'ERROR') continue;
      if (run.update.force) {
        forcedPast.push(i.name ?? i.id ?? '');
        continue;
      }
      const described = await awsCall(ctx('eks', 'DescribeInsight'), () =>
        deps.eks.send(new DescribeInsightCommand({ clusterName, id: i.id! })),
      );
      const d = described.insight;
      const deprecated = (d?.categorySpecificSummary?.deprecationDetails ?? [])
        .map(
          (x) =>
            `${x.usage ?? ''}${x.replacedWith ? ` (use ${x.replacedWith})` : ''}${
              x.clientStats?.length
                ? ` called by ${x.clientStats
                    .map((c) => c.userAgent)
                    .filter(Boolean)
                    .join(', ')}`
                : ''
            }`,
        )
        .filter(Boolean);
      problems.push(
        makeDiagnosis('UPGRADE_BLOCKED_BY_INSIGHT', {
          ...ev,
          to: toVersion,
          insight: `"${i.name ?? i.id}" (ERROR)`,
          insightId: i.id ?? '',
          detail: [
            d?.insightStatus?.reason ?? i.insightStatus?.reason ?? d?.description ?? '',
            deprecated.length ? `still in use: ${deprecated.join('; ')}` : '',
          ]
            .filter(Boolean)
            .join('; '),
        }),
      );
    }
  }

  const combined = combineDiagnoses(problems);
  // The shared combiner speaks of creation; an update has changed nothing either.
  if (combined)
    throw new DiagnosedError(
      problems.length > 1
        ? { ...combined, title: `${problems.length} problems found before changing anything` }
        : combined,
    );
  return {
    clusterVersion,
    ...(nodegroupName ? { nodegroupName } : {}),
    ...(nodegroup?.version ? { nodegroupVersion: nodegroup.version } : {}),
    freeIpAddresses: Number.isFinite(freeIpAddresses) ? freeIpAddresses : -1,
    insights: insightsOut,
    forcedPast,
    addonVersions: Object.fromEntries(
      Object.entries(ADDON_VERSION_PARAMETERS).map(([addon, key]) => [addon, params[key] ?? '']),
    ),
    stages,
    stageCount: stages.length,
    stackParameters: Object.fromEntries(DEFERRED_PARAMETER_KEYS.filter((k) => k in params).map((k) => [k, params[k]!])),
  };
}

async function listAccessEntries(
  eks: EKSClient,
  clusterName: string,
  ctx: (s: string, o: string) => Parameters<typeof awsCall>[0],
): Promise<string[]> {
  const out: string[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < 10; page++) {
    const r = await awsCall(ctx('eks', 'ListAccessEntries'), () =>
      eks.send(new ListAccessEntriesCommand({ clusterName, ...(nextToken ? { nextToken } : {}) })),
    );
    out.push(...(r.accessEntries ?? []));
    nextToken = r.nextToken;
    if (!nextToken) break;
  }
  return out;
}
