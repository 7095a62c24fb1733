/**
 * A failed stack update → one diagnosis, from the stack's events since the change set ran (newest
 * first, as CloudFormation gives them). The root cause is the earliest failure before the rollback
 * began ("Resource update cancelled" is noise); a rollback that failed names what to skip.
 */
import type { StackEvent } from '@aws-sdk/client-cloudformation';
import { type ContextEvidence, makeDiagnosis } from './catalog.js';
import type { Diagnosis } from './types.js';

const FAILED = /^(UPDATE|CREATE|DELETE)_FAILED$/;
const NOISE = /cancelled|canceled/i;

// Spreads, not plain properties, where a fact lays over `ev`: without the fact, ev's value stands.
export function diagnoseUpdateEvents(newestFirst: StackEvent[], stackStatus: string, base: ContextEvidence): Diagnosis {
  const events = [...newestFirst].reverse();
  const isStack = (e: StackEvent) => e.ResourceType === 'AWS::CloudFormation::Stack';
  const rollbackAt = events.findIndex((e) => isStack(e) && e.ResourceStatus === 'UPDATE_ROLLBACK_IN_PROGRESS');
  const before = rollbackAt < 0 ? events : events.slice(0, rollbackAt);
  const during = rollbackAt < 0 ? [] : events.slice(rollbackAt);
  const failures = (list: StackEvent[]) =>
    list.filter((e) => !isStack(e) && FAILED.test(e.ResourceStatus ?? '') && !NOISE.test(e.ResourceStatusReason ?? ''));
  const root = failures(before)[0] ?? before.filter((e) => !isStack(e) && FAILED.test(e.ResourceStatus ?? ''))[0];
  const reason = root?.ResourceStatusReason ?? '';
  const ev: ContextEvidence = {
    ...base,
    status: stackStatus,
    logicalId: root?.LogicalResourceId || undefined,
    resourceType: root?.ResourceType || undefined,
    reason: reason || undefined,
  };
  const failedResource = root
    ? {
        logicalId: root.LogicalResourceId ?? '',
        type: root.ResourceType ?? '',
        status: root.ResourceStatus ?? '',
        reason,
        // CloudFormation reports an empty PhysicalResourceId for a resource it never created.
        physicalId: root.PhysicalResourceId || undefined,
        timestamp: root.Timestamp?.toISOString(),
      }
    : undefined;
  const extras = failedResource ? { failedResource } : {};

  const cause = diagnoseRoot(reason, root, ev, extras);
  if (stackStatus === 'UPDATE_ROLLBACK_FAILED') {
    const stuck = [
      ...new Set(
        failures(during)
          .map((e) => e.LogicalResourceId ?? '')
          .filter(Boolean),
      ),
    ];
    const stuckReason = failures(during)[0]?.ResourceStatusReason;
    return makeDiagnosis(
      'UPDATE_ROLLBACK_FAILED',
      {
        ...ev,
        ...(stuck.length ? { logicalId: stuck[0]!, skip: stuck.join(' ') } : {}),
        ...(stuckReason ? { reason: stuckReason } : {}),
      },
      { ...extras, cause },
    );
  }
  return cause;
}

function diagnoseRoot(
  reason: string,
  root: StackEvent | undefined,
  ev: ContextEvidence,
  extras: { failedResource?: Diagnosis['failedResource'] },
): Diagnosis {
  if (/PodEvictionFailure/i.test(reason)) {
    // e.g. "… PodEvictionFailure … PodDisruptionBudget shop/checkout-pdb …" or "… pdb "checkout-pdb" in namespace "shop" …"
    const qualified = /PodDisruptionBudget\s+"?([a-z0-9-]+)\/([a-z0-9.-]+)"?/i.exec(reason);
    const named = /(?:PodDisruptionBudget|pdb)\s+"?([a-z0-9.-]+)"?(?:\s+in\s+namespace\s+"?([a-z0-9-]+)"?)?/i.exec(
      reason,
    );
    const pdb = qualified ? qualified[2] : named?.[1];
    const namespace = qualified ? qualified[1] : named?.[2];
    return makeDiagnosis(
      'NODEGROUP_UPDATE_BLOCKED_BY_PDB',
      {
        ...ev,
        ...(root?.PhysicalResourceId ? { nodegroupName: root.PhysicalResourceId.split('/').pop()! } : {}),
        ...(pdb ? { pdb } : {}),
        ...(namespace ? { namespace } : {}),
      },
      extras,
    );
  }
  const denied =
    /not authorized to perform:?\s+([\w-]+:[\w*]+)/i.exec(reason) ??
    (/AccessDenied/i.test(reason) ? [reason, ''] : null);
  if (denied)
    return makeDiagnosis(
      'UPDATE_NOT_PERMITTED',
      { ...ev, ...(denied[1] ? { action: denied[1] } : {}), rolledBack: true },
      extras,
    );
  return makeDiagnosis('UPDATE_ROLLED_BACK', ev, extras);
}
