/**
 * Finding a cluster's stack and asking CloudFormation to delete it, shared by the API (which asks
 * first, so a missing permission is a 422 before anything starts) and the delete state machine's
 * DeleteClusterStack step (which asks again: DeleteStack is idempotent while DELETE_IN_PROGRESS, so a
 * console execution works without the API).
 */
import {
  type CloudFormationClient,
  DeleteStackCommand,
  DescribeStacksCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { classifyAwsError, deniedAction, deniedResource } from '../aws/aws-error.js';
import { makeDiagnosis } from '../diagnosis/catalog.js';
import { toStepError } from '../diagnosis/from-aws-error.js';
import { DiagnosedError } from '../errors.js';
import type { ClusterRecord } from '../store/types.js';
import { STACK_NAME_PREFIX, TAG_KEYS } from '../template/constants.js';

export type ClusterStack =
  | { gone: true; stackName: string; stackId?: string }
  | { gone: false; stackName: string; stackId: string; status: string };

export const stackNameOf = (record: Pick<ClusterRecord, 'name'>) => `${STACK_NAME_PREFIX}${record.name}`;

const isOurs = (s: Stack, clusterId: string) =>
  (s.Tags ?? []).some((t) => t.Key === TAG_KEYS.clusterId && t.Value === clusterId);

/**
 * The cluster's stack as CloudFormation sees it now. By id when the record has it (a deleted stack
 * still answers by id, with DELETE_COMPLETE); by name otherwise, and then only a stack tagged with
 * this cluster's id counts (a stack of that name made by someone else is not ours to delete).
 */
export async function findClusterStack(
  cfn: CloudFormationClient,
  record: Pick<ClusterRecord, 'id' | 'name' | 'region' | 'accountId' | 'stackId'>,
): Promise<ClusterStack> {
  const stackName = stackNameOf(record);
  const ref = record.stackId ?? stackName;
  const context = {
    service: 'cloudformation',
    operation: 'DescribeStacks',
    principal: 'provision-role' as const,
    evidence: { stackName, region: record.region, accountId: record.accountId },
  };
  let stack: Stack | undefined;
  try {
    stack = (await cfn.send(new DescribeStacksCommand({ StackName: ref }))).Stacks?.[0];
  } catch (err) {
    // "Stack with id X does not exist": a name nobody uses (any more).
    const info = classifyAwsError(err);
    if (!(info.code === 'ValidationError' && /does not exist/i.test(info.message))) throw toStepError(err, context);
  }
  if (!stack?.StackId || stack.StackStatus === 'DELETE_COMPLETE' || (!record.stackId && !isOurs(stack, record.id))) {
    return { gone: true, stackName, ...(stack?.StackId && record.stackId ? { stackId: stack.StackId } : {}) };
  }
  return { gone: false, stackName, stackId: stack.StackId, status: stack.StackStatus ?? 'UNKNOWN' };
}

/** DeleteStack by id. Denied → DELETE_NOT_PERMITTED with the manual commands; other errors as usual. */
export async function requestStackDeletion(
  cfn: CloudFormationClient,
  stack: { stackName: string; stackId: string },
  facts: { clusterId: string; region: string; accountId: string; roleArn: string },
): Promise<void> {
  const evidence = {
    stackName: stack.stackName,
    stackId: stack.stackId,
    region: facts.region,
    accountId: facts.accountId,
    roleArn: facts.roleArn,
    clusterId: facts.clusterId,
  };
  try {
    await cfn.send(new DeleteStackCommand({ StackName: stack.stackId }));
  } catch (err) {
    const info = classifyAwsError(err);
    if (info.kind === 'access-denied') {
      throw new DiagnosedError(
        makeDiagnosis('DELETE_NOT_PERMITTED', {
          ...evidence,
          action: deniedAction(info.message) ?? 'cloudformation:DeleteStack',
          ...(deniedResource(info.message) ? { resource: deniedResource(info.message)! } : {}),
          awsErrorCode: info.code,
          awsMessage: info.message,
        }),
      );
    }
    // Anything else (throttling, 5xx, a stack mid-rollback) through the shared rules.
    throw toStepError(err, {
      service: 'cloudformation',
      operation: 'DeleteStack',
      principal: 'provision-role',
      evidence,
    });
  }
}
