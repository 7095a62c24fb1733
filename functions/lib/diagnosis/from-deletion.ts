/**
 * A stack deletion that stopped → one diagnosis. Only the events of the latest deletion count (a
 * KEEP stack also carries the CREATE_FAILED events of its creation). The earliest resource that
 * failed to delete is the cause: a permission role B lacks is DELETE_NOT_PERMITTED (naming the
 * action), anything else DELETE_FAILED naming the resource and AWS's own words.
 */
import { deniedAction, deniedResource, redactSecrets } from '../aws/aws-error.js';
import { chronological, isStackEvent, type StackEventLike, toMillis } from '../polling/timeline.js';
import { type ContextEvidence, makeDiagnosis } from './catalog.js';
import { CANCELLED, STACK_SUMMARY, unwrapReason } from './stack-reason.js';
import type { Diagnosis, FailedResource } from './types.js';

export interface DeletionContext {
  stackName: string;
  stackId?: string;
  region?: string;
  accountId?: string;
  roleArn?: string;
  clusterId?: string;
}

/** Events from the stack's latest DELETE_IN_PROGRESS on (all of them if none). */
export function latestDeletionEvents(events: readonly StackEventLike[], stackName: string): StackEventLike[] {
  const ordered = chronological(events);
  let start = 0;
  ordered.forEach((e, i) => {
    if (isStackEvent(e, stackName) && e.ResourceStatus === 'DELETE_IN_PROGRESS') start = i;
  });
  return ordered.slice(start);
}

export function diagnoseDeletion(events: readonly StackEventLike[], ctx: DeletionContext): Diagnosis {
  const recent = latestDeletionEvents(events, ctx.stackName);
  const stackEvents = recent.filter((e) => isStackEvent(e, ctx.stackName));
  const status = stackEvents[stackEvents.length - 1]?.ResourceStatus ?? 'DELETE_FAILED';
  const base: ContextEvidence = {
    stackName: ctx.stackName,
    status,
    stackId: ctx.stackId,
    region: ctx.region,
    accountId: ctx.accountId,
    roleArn: ctx.roleArn,
    clusterId: ctx.clusterId,
  };
  const failed = recent.find(
    (e) =>
      !isStackEvent(e, ctx.stackName) &&
      e.ResourceStatus === 'DELETE_FAILED' &&
      !CANCELLED.test((e.ResourceStatusReason ?? '').trim()) &&
      !STACK_SUMMARY.test(e.ResourceStatusReason ?? ''),
  );
  if (!failed) {
    const summary = stackEvents[stackEvents.length - 1]?.ResourceStatusReason;
    return makeDiagnosis('DELETE_FAILED', { ...base, ...(summary ? { reason: redactSecrets(summary) } : {}) });
  }
  const reason = unwrapReason(failed.ResourceStatusReason);
  const message = redactSecrets(reason.message || (failed.ResourceStatusReason ?? ''));
  const t = toMillis(failed.Timestamp);
  const failedResource: FailedResource = {
    logicalId: failed.LogicalResourceId ?? '',
    type: failed.ResourceType ?? '',
    status: 'DELETE_FAILED',
    reason: message,
    // CloudFormation reports an empty PhysicalResourceId for a resource it never created.
    physicalId: failed.PhysicalResourceId || undefined,
    timestamp: Number.isFinite(t) ? new Date(t).toISOString() : undefined,
  };
  const ev: ContextEvidence = {
    ...base,
    logicalId: failedResource.logicalId,
    resourceType: failedResource.type,
    reason: message,
    physicalId: failedResource.physicalId,
    awsErrorCode: reason.errorCode || reason.handlerErrorCode || undefined,
  };
  const action = deniedAction(message) ?? (reason.handlerErrorCode === 'AccessDenied' ? reason.apiAction : undefined);
  if (action || reason.handlerErrorCode === 'AccessDenied') {
    const resource = deniedResource(message);
    return makeDiagnosis(
      'DELETE_NOT_PERMITTED',
      { ...ev, ...(action ? { action } : {}), ...(resource ? { resource } : {}), awsMessage: message },
      { failedResource },
    );
  }
  return makeDiagnosis('DELETE_FAILED', ev, { failedResource });
}
