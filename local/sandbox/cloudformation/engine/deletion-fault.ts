/**
 * Deletion fault rules (faults/faults.ts: `resourceType` + `dependencyViolationRate`) at the point where a
 * resource deletion stabilises: the deletion fails as the service fails it when a dependent object still
 * uses the resource. The provider words the failure when it knows its type's case (EKS: the cluster
 * security group); otherwise EC2's DependencyViolation text names the resource.
 */
import type { World } from '../../world/world.js';
import { type ProviderContext, type ResourceProvider, serviceFailure } from '../providers/types.js';

export function throwIfDeletionBlocked(
  world: World,
  provider: ResourceProvider,
  ctx: ProviderContext,
  props: Record<string, unknown>,
  physicalId: string | undefined,
): void {
  if (!world.faults?.deletionBlocked(provider.type)) return;
  if (provider.dependentObjectFailure) {
    const failure = provider.dependentObjectFailure(ctx, props, physicalId);
    if (failure) throw failure;
    return;
  }
  throw serviceFailure(ctx, {
    service: 'Ec2',
    status: 400,
    message: `resource ${physicalId ?? ctx.logicalId} has a dependent object`,
    handlerErrorCode: 'GeneralServiceException',
  });
}
