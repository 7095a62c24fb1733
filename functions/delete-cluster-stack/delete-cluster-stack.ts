/**
 * DeleteClusterStack (delete state machine): finds the cluster's stack through role B and asks
 * CloudFormation to delete it. A stack that is already gone (deleted by hand, or never made) is
 * reported as such, and the machine goes straight to recording DELETED.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { findClusterStack, requestStackDeletion } from '../lib/deletion/cluster-stack.js';
import { makeDiagnosis } from '../lib/diagnosis/catalog.js';
import { DiagnosedError } from '../lib/errors.js';
import type { DeletionRequest, DeletionStackRef } from '../lib/state.js';
import type { Store } from '../lib/store/types.js';

export async function deleteClusterStack(
  req: DeletionRequest,
  deps: { store: Pick<Store, 'getCluster'>; cloudformation: CloudFormationClient; now: () => Date },
): Promise<DeletionStackRef> {
  const record = await deps.store.getCluster(req.tenantId, req.clusterId);
  if (!record) {
    throw new DiagnosedError(
      makeDiagnosis(
        'VALIDATION_FAILED',
        {},
        { fields: [{ path: 'clusterId', message: `no cluster ${req.clusterId} for this tenant` }] },
      ),
    );
  }
  const requestedAt = deps.now().toISOString();
  const stack = await findClusterStack(deps.cloudformation, record);
  if (stack.gone)
    return {
      stackName: stack.stackName,
      ...(stack.stackId ? { stackId: stack.stackId } : {}),
      alreadyGone: true,
      requestedAt,
    };
  await requestStackDeletion(deps.cloudformation, stack, {
    clusterId: req.clusterId,
    region: req.region,
    accountId: req.accountId,
    roleArn: req.cluster.provisionRoleArn,
  });
  return { stackName: stack.stackName, stackId: stack.stackId, alreadyGone: false, requestedAt };
}
