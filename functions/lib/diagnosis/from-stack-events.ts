/**
 * A failed stack's events → one diagnosis. The earliest resource that failed on its own (not
 * "Resource creation cancelled", not the stack's summary line) is the root cause; its reason is
 * unwrapped and read with the same rules as API errors (from-aws-error.ts), plus the failures only
 * stacks have (node group issues, quotas in handler codes, permissions CloudFormation met on our
 * behalf). A rollback that failed is ROLLBACK_FAILED, carrying the root cause and the resources
 * left to delete.
 */
import { deniedAction, deniedResource, redactSecrets } from '../aws/aws-error.js';
import { RESOURCE_TYPE_ACTIONS } from '../policy/resource-actions.js';
import { chronological, isStackEvent, type StackEventLike, toMillis } from '../polling/timeline.js';
import { type ContextEvidence, makeDiagnosis } from './catalog.js';
import { matchAwsFailure } from './from-aws-error.js';
import { CANCELLED, STACK_SUMMARY, type StackReason, unwrapReason } from './stack-reason.js';
import type { Diagnosis, FailedResource } from './types.js';

export interface StackFailureContext {
  stackName: string;
  stackId?: string;
  region?: string;
  accountId?: string;
  roleArn?: string;
  serviceRoleArn?: string;
  /** Subnets with their zones (pre-flight), to name the subnets in a zone EKS rejects. */
  subnets?: Array<{ subnetId: string; availabilityZone: string }>;
}

export interface RootCause {
  event: StackEventLike;
  reason: StackReason;
  failedResource: FailedResource;
}

const isResourceFailure = (e: StackEventLike, stackName: string) =>
  !isStackEvent(e, stackName) &&
  /_FAILED$/.test(e.ResourceStatus ?? '') &&
  !CANCELLED.test((e.ResourceStatusReason ?? '').trim());

function failedResourceOf(e: StackEventLike, reason: StackReason): FailedResource {
  const t = toMillis(e.Timestamp);
  return {
    logicalId: e.LogicalResourceId ?? '',
    type: e.ResourceType ?? '',
    status: e.ResourceStatus ?? '',
    reason: redactSecrets(reason.message || (e.ResourceStatusReason ?? '')),
    // CloudFormation reports an empty PhysicalResourceId for a resource it never created.
    physicalId: e.PhysicalResourceId || undefined,
    timestamp: Number.isFinite(t) ? new Date(t).toISOString() : undefined,
  };
}

/** The earliest failure of a resource in its own right, among creation (or, if none, any) failures. */
export function findRootCause(events: readonly StackEventLike[], stackName: string): RootCause | undefined {
  const ordered = chronological(events).filter(
    (e) => isResourceFailure(e, stackName) && !STACK_SUMMARY.test(e.ResourceStatusReason ?? ''),
  );
  const first =
    ordered.find((e) => e.ResourceStatus === 'CREATE_FAILED') ??
    ordered.find((e) => e.ResourceStatus !== 'DELETE_FAILED') ??
    undefined;
  if (!first) return undefined;
  const reason = unwrapReason(first.ResourceStatusReason);
  return { event: first, reason, failedResource: failedResourceOf(first, reason) };
}

const QUOTA_TEXT =
  /VcpuLimitExceeded|InstanceLimitExceeded|LimitExceeded|limit (of|for) [^.]*(exceeded|reached|allows)|quota|maximum number of|has been reached/i;

function quotaName(message: string): string | undefined {
  const code =
    /\b(VcpuLimitExceeded|InstanceLimitExceeded|VpcLimitExceeded|AddressLimitExceeded|NetworkInterfaceLimitExceeded|SecurityGroupLimitExceeded)\b/.exec(
      message,
    )?.[1];
  if (code === 'VcpuLimitExceeded') {
    const limit = /vCPU limit of (\d+)/i.exec(message)?.[1];
    return `Running On-Demand instances vCPU limit${limit ? ` (${limit})` : ''}`;
  }
  if (code) return code;
  return /(maximum number of [^.(]+|limit of [^.(]+|quota for [^.(]+)/i.exec(message)?.[1]?.trim();
}

/** One failure reason (unwrapped) → diagnosis; never undefined (UNKNOWN keeps the raw facts). */
export function diagnoseResourceFailure(root: RootCause, ctx: StackFailureContext, stackStatus?: string): Diagnosis {
  const { reason, failedResource } = root;
  const ev: ContextEvidence = {
    stackName: ctx.stackName,
    stackId: ctx.stackId,
    region: ctx.region,
    accountId: ctx.accountId,
    roleArn: ctx.roleArn,
    serviceRoleArn: ctx.serviceRoleArn,
    logicalId: failedResource.logicalId,
    resourceType: failedResource.type,
    requestId: reason.requestId,
  };
  const extras = { failedResource };
  // Every path below copies the message into evidence (awsMessage, reason): redact it once here.
  const msg = redactSecrets(reason.message);
  const code = reason.errorCode ?? reason.handlerErrorCode ?? '';

  const matched = matchAwsFailure(code, msg, { evidence: ev });
  if (matched) {
    if (matched.code === 'UNSUPPORTED_AVAILABILITY_ZONE' && ctx.subnets) {
      const zones = (matched.evidence?.unsupportedZones as string[] | undefined) ?? [];
      const subnetIds = ctx.subnets.filter((s) => zones.includes(s.availabilityZone)).map((s) => s.subnetId);
      if (subnetIds.length) return makeDiagnosis(matched.code, { ...matched.evidence, subnetIds }, extras);
    }
    return makeDiagnosis(matched.code, matched.evidence ?? ev, extras);
  }

  const denied =
    reason.handlerErrorCode === 'AccessDenied' ||
    reason.statusCode === 403 ||
    /not authorized to perform|AccessDenied|UnauthorizedOperation|You are not authorized/i.test(msg);
  if (denied) {
    // The action from the message, else the old "API: x:Y" prefix, else the create call of the type.
    const action = deniedAction(msg) ?? reason.apiAction ?? RESOURCE_TYPE_ACTIONS[failedResource.type]?.create[0];
    const resource = deniedResource(msg);
    const withAction = {
      ...ev,
      ...(action ? { action } : {}),
      ...(resource ? { resource } : {}),
      awsMessage: msg,
      ...(code ? { awsErrorCode: code } : {}),
    };
    return makeDiagnosis(action === 'iam:PassRole' ? 'PASS_ROLE_DENIED' : 'PERMISSION_DENIED', withAction, extras);
  }

  if (reason.handlerErrorCode === 'ServiceLimitExceeded' || QUOTA_TEXT.test(msg)) {
    const name = quotaName(msg);
    return makeDiagnosis(
      'QUOTA_EXCEEDED',
      { ...ev, ...(name ? { quotaName: name } : {}), awsMessage: msg, ...(code ? { awsErrorCode: code } : {}) },
      extras,
    );
  }

  return makeDiagnosis(
    'UNKNOWN',
    {
      ...ev,
      status: failedResource.status,
      reason: failedResource.reason,
      ...(stackStatus ? { stackStatus } : {}),
      ...(code ? { awsErrorCode: code } : {}),
    },
    extras,
  );
}

/** The stack's final status and its reason, from its own events. */
function stackState(events: readonly StackEventLike[], stackName: string) {
  const own = chronological(events).filter((e) => isStackEvent(e, stackName));
  const last = own[own.length - 1];
  return { status: last?.ResourceStatus ?? '', reason: last?.ResourceStatusReason ?? '' };
}

/** Every event of a failed stack → one diagnosis. Never throws. */
export function diagnoseStackEvents(events: readonly StackEventLike[], ctx: StackFailureContext): Diagnosis {
  const { status, reason } = stackState(events, ctx.stackName);
  const root = findRootCause(events, ctx.stackName);
  const rootDiagnosis = root ? diagnoseResourceFailure(root, ctx, status) : undefined;

  const deleteFailures = chronological(events).filter(
    (e) => !isStackEvent(e, ctx.stackName) && e.ResourceStatus === 'DELETE_FAILED',
  );
  if (
    status === 'ROLLBACK_FAILED' ||
    status === 'DELETE_FAILED' ||
    (status === 'ROLLBACK_IN_PROGRESS' && deleteFailures.length)
  ) {
    // Resources that could not be deleted (the latest word per resource).
    const left = new Map<string, StackEventLike>();
    for (const e of deleteFailures) left.set(e.LogicalResourceId ?? '', e);
    const firstDelete = deleteFailures[0];
    const deleteReason = firstDelete ? unwrapReason(firstDelete.ResourceStatusReason) : undefined;
    return makeDiagnosis(
      'ROLLBACK_FAILED',
      {
        stackName: ctx.stackName,
        stackId: ctx.stackId,
        region: ctx.region,
        accountId: ctx.accountId,
        status,
        reason: redactSecrets(deleteReason?.message || reason),
        resourcesToDelete: [...left.values()].map(
          (e) => `${e.LogicalResourceId} (${e.ResourceType}${e.PhysicalResourceId ? `: ${e.PhysicalResourceId}` : ''})`,
        ),
      },
      {
        cause: rootDiagnosis,
        failedResource: firstDelete && deleteReason ? failedResourceOf(firstDelete, deleteReason) : undefined,
      },
    );
  }
  if (rootDiagnosis) return rootDiagnosis;
  return makeDiagnosis('UNKNOWN', {
    stackName: ctx.stackName,
    stackId: ctx.stackId,
    region: ctx.region,
    status: status || 'unknown',
    reason: reason ? redactSecrets(unwrapReason(reason).message) : undefined,
  });
}
