/**
 * DELETE /v1/clusters/{id}. CloudFormation has no dry run and role B may not simulate its own
 * policy (iam:SimulatePrincipalPolicy is not in it), so the API asks for the deletion itself:
 * through role B it finds the stack and calls DeleteStack. Denied → 422 DELETE_NOT_PERMITTED with
 * the manual commands, before any execution starts. Accepted → the record turns DELETING and the
 * delete state machine follows the stack to the end (its own DeleteStack call is a no-op while
 * DELETE_IN_PROGRESS). A stack that is already gone (deleted by hand, or never made) → the record
 * is DELETED and the name free at once (200).
 */
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { classifyAwsError } from '../../lib/aws/aws-error.js';
import { cloudFormationClient } from '../../lib/aws/clients.js';
import { roleBSession } from '../../lib/aws/tenant-role.js';
import { deletionExecutionName, executionArnFor } from '../../lib/cluster-ids.js';
import { findClusterStack, requestStackDeletion } from '../../lib/deletion/cluster-stack.js';
import type { DeletionInput } from '../../lib/state.js';
import type { ClusterRecord } from '../../lib/store/types.js';
import type { ApiDeps } from '../deps.js';
import { httpError } from '../http/errors.js';
import { clusterView } from './cluster-view.js';

export interface DeleteClusterResponse {
  statusCode: number;
  body: unknown;
}

export async function deleteClusterRequest(
  deps: ApiDeps,
  tenantId: string,
  record: ClusterRecord,
): Promise<DeleteClusterResponse> {
  const { store, config } = deps;
  if (record.status === 'DELETED') return { statusCode: 200, body: clusterView(record) };
  if (record.status === 'DELETING')
    return {
      statusCode: 202,
      body: {
        id: record.id,
        status: 'DELETING',
        ...(record.executionArn ? { executionArn: record.executionArn } : {}),
      },
    };
  if (record.status === 'CREATING') {
    throw httpError(
      409,
      'CLUSTER_BUSY',
      `Cluster ${record.id} is still being created; delete it once it is CREATED or FAILED.`,
      {
        remediation: [
          `Follow it with GET /v1/clusters/${record.id} (or eks-provisioner status ${record.id}) and delete it when it has finished.`,
        ],
        retryable: true,
      },
    );
  }

  if (record.update?.status === 'RUNNING') {
    // Deleting under a running change set would fight CloudFormation; the update ends on its own.
    throw httpError(
      409,
      'CLUSTER_BUSY',
      `Cluster ${record.id} is being updated (${record.update.phase}); delete it once the update has finished.`,
      {
        remediation: [
          `Follow it with GET /v1/clusters/${record.id} (or eks-provisioner status ${record.id}) and delete it when update.status is no longer RUNNING.`,
        ],
        retryable: true,
      },
    );
  }

  const { session } = await roleBSession(
    {
      tenantId,
      clusterId: record.id,
      region: record.region,
      cluster: { provisionRoleArn: record.settings.provisionRoleArn },
    },
    { store, config },
  );
  const cfn = cloudFormationClient(session);
  try {
    const stack = await findClusterStack(cfn, record);
    if (stack.gone) {
      const now = deps.now().toISOString();
      await store.updateCluster(tenantId, record.id, {
        status: 'DELETED',
        phase: record.stackId ? 'Stack already gone' : 'Nothing to delete',
        deletedAt: now,
        updatedAt: now,
      });
      await store.releaseName(record);
      const after = await store.getCluster(tenantId, record.id);
      return { statusCode: 200, body: clusterView(after ?? { ...record, status: 'DELETED' }) };
    }
    await requestStackDeletion(cfn, stack, {
      clusterId: record.id,
      region: record.region,
      accountId: record.accountId,
      roleArn: record.settings.provisionRoleArn,
    });
  } finally {
    cfn.destroy();
  }

  // The record turns DELETING for this execution before it starts (its first step checks that).
  const name = deletionExecutionName(record.id, deps.now());
  const executionArn = executionArnFor(config.deleteStateMachineArn, name);
  const startedAt = deps.now().toISOString();
  await store.updateCluster(tenantId, record.id, {
    status: 'DELETING',
    phase: 'Starting deletion',
    executionArn,
    deletionStartedAt: startedAt,
    updatedAt: startedAt,
  });
  const input: DeletionInput = { tenantId, clusterId: record.id };
  try {
    await deps.sfn.send(
      new StartExecutionCommand({ stateMachineArn: config.deleteStateMachineArn, name, input: JSON.stringify(input) }),
    );
  } catch (err) {
    // Nothing follows the deletion: put the record back as it was; DELETE again picks it up.
    await store
      .updateCluster(tenantId, record.id, {
        status: record.status,
        phase: record.phase,
        ...(record.executionArn ? { executionArn: record.executionArn } : {}),
        updatedAt: deps.now().toISOString(),
      })
      .catch(() => undefined);
    const info = classifyAwsError(err);
    if (info.kind === 'throttled') {
      throw httpError(
        429,
        'AWS_THROTTLED',
        'Step Functions is throttling; the stack deletion was requested but is not being followed. Send DELETE again after a short wait.',
        { retryable: true },
        { 'Retry-After': '5' },
      );
    }
    throw httpError(
      503,
      'AWS_UNAVAILABLE',
      'The deletion workflow could not be started (the stack deletion was requested). Send DELETE again later to follow it to the end.',
      { retryable: true },
      { 'Retry-After': '30' },
    );
  }
  return { statusCode: 202, body: { id: record.id, status: 'DELETING', executionArn } };
}
