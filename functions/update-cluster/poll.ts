/**
 * PollStackUpdate: one look at the stack while the change set runs. Update statuses read from the
 * point of view of "we asked for an update" (UPDATE_ROLLBACK_COMPLETE is a failure here, not a
 * settled stack), progress counts the change set's resources, and the next wait follows what is
 * being updated (the update profile, functions/lib/polling/update.ts: a control-plane upgrade takes
 * ~10 minutes, a node roll minutes per node, access entries seconds).
 */

import {
  type CloudFormationClient,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import { makeDiagnosis } from '../lib/diagnosis/catalog.js';
import { awsCall } from '../lib/diagnosis/from-aws-error.js';
import { DiagnosedError } from '../lib/errors.js';
import { type ResourceGraph, resourceGraph } from '../lib/polling/dependencies.js';
import { updateWaitSeconds } from '../lib/polling/update.js';
import type { ReportProgress } from '../lib/progress/progress.js';
import type { PollOutcome, PollResult } from '../lib/state.js';
import { CLUSTER_TEMPLATE } from '../lib/template/index.js';
import { stagePrefix, type UpdateRun, updateOnRecord } from '../lib/update/run.js';

let graph: ResourceGraph | undefined;
const templateGraph = () => (graph ??= resourceGraph(CLUSTER_TEMPLATE));

export const UPDATE_STATUS_OUTCOME: Record<string, PollOutcome> = {
  UPDATE_IN_PROGRESS: 'IN_PROGRESS',
  // New resources are in place; the old ones (a replaced node group) are being deleted: wait for it.
  UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: 'IN_PROGRESS',
  UPDATE_COMPLETE: 'COMPLETE',
  UPDATE_FAILED: 'FAILED',
  // Follow the rollback to its end, so the diagnosis can say whether the cluster is as before.
  UPDATE_ROLLBACK_IN_PROGRESS: 'IN_PROGRESS',
  UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS: 'IN_PROGRESS',
  UPDATE_ROLLBACK_COMPLETE: 'FAILED',
  UPDATE_ROLLBACK_FAILED: 'FAILED',
};

export function classifyUpdateStatus(status: string): PollOutcome {
  return UPDATE_STATUS_OUTCOME[status] ?? (status.endsWith('_IN_PROGRESS') ? 'IN_PROGRESS' : 'FAILED');
}

const PHASES: Record<string, string> = {
  'AWS::EKS::Cluster': 'Updating the control plane',
  'AWS::EKS::Nodegroup': 'Updating the node group',
  'AWS::EKS::Addon': 'Updating add-ons',
  'AWS::EKS::AccessEntry': 'Updating access entries',
};

/** The stack's events since the change set was executed, newest first. */
export async function eventsSince(
  cfn: CloudFormationClient,
  run: UpdateRun,
  since: string | undefined,
  maxPages = 5,
): Promise<StackEvent[]> {
  const from = since ? Date.parse(since) - 5_000 : 0;
  const out: StackEvent[] = [];
  let token: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const r = await awsCall(
      {
        service: 'cloudformation',
        operation: 'DescribeStackEvents',
        principal: 'provision-role',
        evidence: { stackName: run.stack.stackName, region: run.region },
      },
      () =>
        cfn.send(
          new DescribeStackEventsCommand({ StackName: run.stack.stackId, ...(token ? { NextToken: token } : {}) }),
        ),
    );
    const events = r.StackEvents ?? [];
    const recent = events.filter((e) => !e.Timestamp || e.Timestamp.getTime() >= from);
    out.push(...recent);
    token = recent.length === events.length ? r.NextToken : undefined;
    if (!token) break;
  }
  return out;
}

export async function pollStackUpdate(
  run: UpdateRun,
  deps: {
    cloudformation: CloudFormationClient;
    now: () => Date;
    maxProvisioningSeconds: number;
    progress?: ReportProgress;
  },
): Promise<PollResult> {
  const poll = await lookAtUpdate(run, deps);
  // What the user sees while it runs: the update's phase and resources on the record.
  await deps.progress?.({
    update: updateOnRecord(run, {
      phase: `${stagePrefix(run)}${poll.phase}`,
      resources: { done: poll.progress.done, total: poll.progress.total },
    }),
  });
  return poll;
}

async function lookAtUpdate(
  run: UpdateRun,
  deps: { cloudformation: CloudFormationClient; now: () => Date; maxProvisioningSeconds: number },
): Promise<PollResult> {
  const stacks = await awsCall(
    {
      service: 'cloudformation',
      operation: 'DescribeStacks',
      principal: 'provision-role',
      evidence: { stackName: run.stack.stackName, region: run.region },
    },
    () => deps.cloudformation.send(new DescribeStacksCommand({ StackName: run.stack.stackId })),
  );
  const status = stacks.Stacks?.[0]?.StackStatus ?? 'UPDATE_IN_PROGRESS';
  const events = await eventsSince(deps.cloudformation, run, run.changeSet?.executedAt);
  const planned = new Set((run.changeSet?.changes ?? []).map((c) => c.logicalId));
  const done = new Set(
    events
      .filter((e) => planned.has(e.LogicalResourceId ?? '') && /_COMPLETE$/.test(e.ResourceStatus ?? ''))
      .map((e) => e.LogicalResourceId),
  );
  const active = events.find(
    (e) =>
      planned.has(e.LogicalResourceId ?? '') &&
      /_IN_PROGRESS$/.test(e.ResourceStatus ?? '') &&
      !done.has(e.LogicalResourceId),
  );
  const rollingBack = status.startsWith('UPDATE_ROLLBACK');
  // ExecuteChangeSet returns before the update starts: until the stack's own UPDATE_IN_PROGRESS event
  // appears, its status is the one before (CREATE_COMPLETE, or a previous update's UPDATE_COMPLETE).
  const begun = events.some(
    (e) => e.ResourceType === 'AWS::CloudFormation::Stack' && e.ResourceStatus === 'UPDATE_IN_PROGRESS',
  );
  const outcome = begun ? classifyUpdateStatus(status) : 'IN_PROGRESS';
  // The poll cap covers the whole update (every stage), from the first change set's execution.
  const elapsedSeconds = Math.max(
    0,
    Math.round(
      (deps.now().getTime() -
        Date.parse(run.changeSet?.firstExecutedAt ?? run.changeSet?.executedAt ?? run.startedAt)) /
        1000,
    ),
  );
  if (outcome === 'IN_PROGRESS' && elapsedSeconds >= deps.maxProvisioningSeconds) {
    throw new DiagnosedError(
      makeDiagnosis('PROVISIONING_TIMEOUT', {
        stackName: run.stack.stackName,
        stackId: run.stack.stackId,
        region: run.region,
        accountId: run.accountId,
        status,
        elapsedSeconds,
        maxSeconds: deps.maxProvisioningSeconds,
      }),
    );
  }
  const phase = !begun
    ? 'Starting the update'
    : outcome === 'COMPLETE'
      ? 'Stack updated'
      : rollingBack
        ? 'Rolling the update back'
        : status === 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS'
          ? 'Removing replaced resources'
          : (active && PHASES[active.ResourceType ?? '']) || 'Updating the cluster stack';
  return {
    outcome,
    stackStatus: status,
    phase,
    progress: {
      done: done.size,
      total: planned.size,
      ...(active?.LogicalResourceId ? { current: active.LogicalResourceId } : {}),
    },
    nextWaitSeconds: updateWaitSeconds({
      stackStatus: begun ? status : 'UPDATE_IN_PROGRESS',
      events,
      changes: run.changeSet?.changes ?? [],
      graph: templateGraph(),
      nowMs: deps.now().getTime(),
      executedAtMs: Date.parse(run.changeSet?.executedAt ?? run.startedAt),
      seed: `${run.stack.stackId}#${(run.poll?.polls ?? 0) + 1}`,
    }),
    elapsedSeconds,
    polls: (run.poll?.polls ?? 0) + 1,
  };
}
