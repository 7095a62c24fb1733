/**
 * CreateClusterStack: one CloudFormation stack per cluster, made with role B's credentials.
 *
 * Idempotent: the ClientRequestToken is derived from the cluster id, so CloudFormation answers a
 * repeated request with the same stack. If the first answer was lost and the retry meets
 * AlreadyExistsException, the stack is adopted when its cluster-id tag is ours; a stack of that
 * name that is not ours is NAME_ALREADY_IN_USE.
 */

import {
  type CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
  type Parameter,
  type Tag,
} from '@aws-sdk/client-cloudformation';
import { awsErrorCode } from '../lib/aws/aws-error.js';
import { type ContextEvidence, makeDiagnosis } from '../lib/diagnosis/catalog.js';
import { awsCall } from '../lib/diagnosis/from-aws-error.js';
import type { DiagnosisCode } from '../lib/diagnosis/types.js';
import { DiagnosedError } from '../lib/errors.js';
import { managedNamespaces } from '../lib/kubernetes/namespaces.js';
import type { ReportProgress } from '../lib/progress/progress.js';
import type { PreflightResult, ProvisionIdentity, StackRef, ValidatedRequest } from '../lib/state.js';
import { TAG_KEYS } from '../lib/template/constants.js';
import {
  clusterStackParameters,
  clusterTemplateBody,
  MAX_ADMIN_PRINCIPALS,
  PARAMETER_KEYS,
} from '../lib/template/index.js';
import { tenantTagValue } from '../lib/template/tenant-tag.js';

export type CreateClusterStackInput = ValidatedRequest & { identity?: ProvisionIdentity; preflight: PreflightResult };

/** CloudFormation: ≤128 of [a-zA-Z0-9-], starting with a letter or digit. Same cluster → same token. */
export function clientRequestTokenFor(clusterId: string): string {
  return `eks-provisioner-${clusterId}`.replace(/[^a-zA-Z0-9-]/g, '-').slice(0, 128);
}

export function stackTags(input: ValidatedRequest): Tag[] {
  const ours: Tag[] = [
    { Key: TAG_KEYS.clusterId, Value: input.clusterId },
    // Never the tenant id itself: up to 1024 characters, tag values are at most 256 (tenant-tag.ts).
    { Key: TAG_KEYS.tenant, Value: tenantTagValue(input.tenantId) },
    { Key: TAG_KEYS.managedBy, Value: 'eks-provisioner' },
  ];
  // User tags first-class on the stack; CloudFormation propagates stack tags to every resource.
  const user = Object.entries(input.cluster.tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
  return [...ours, ...user];
}

export function createStackParameters(input: CreateClusterStackInput): Parameter[] {
  const { cluster, preflight } = input;
  if (cluster.adminPrincipalArns.length > MAX_ADMIN_PRINCIPALS) {
    throw new DiagnosedError(
      makeDiagnosis(
        'VALIDATION_FAILED',
        {},
        {
          fields: [
            {
              path: 'cluster.adminPrincipalArns',
              message: `may list at most ${MAX_ADMIN_PRINCIPALS} principals: give the others access after creation (EKS access entries)`,
            },
          ],
        },
      ),
    );
  }
  return clusterStackParameters({
    clusterId: input.clusterId,
    tenantId: input.tenantId,
    name: cluster.name,
    kubernetesVersion: preflight.kubernetesVersion,
    serviceRoleArn: preflight.serviceRoleArn || cluster.serviceRoleArn,
    subnetIds: preflight.subnets.length ? preflight.subnets.map((s) => s.subnetId) : cluster.subnetIds,
    securityGroupIds: preflight.securityGroupIds.length ? preflight.securityGroupIds : cluster.securityGroupIds,
    instanceType: cluster.instanceType,
    nodeCount: cluster.nodeCount,
    upgradePolicy: cluster.upgradePolicy,
    ...((preflight.keyName ?? cluster.keyName) ? { keyName: (preflight.keyName ?? cluster.keyName)! } : {}),
    adminPrincipalArns: cluster.adminPrincipalArns,
    deployPrincipalArns: cluster.managed ? (cluster.deployPrincipalArns ?? []) : [],
    deployNamespaces: managedNamespaces(cluster),
  });
}

/** "Parameter validation failed: parameter value subnet-1 for parameter name SubnetIds does not exist." */
function parameterDiagnosis(message: string, ev: ContextEvidence) {
  const m = /parameter value (\S+) for parameter name (\w+) does not exist/i.exec(message);
  if (!m) return undefined;
  const [, value, name] = m;
  const codes: Record<string, DiagnosisCode> = {
    [PARAMETER_KEYS.subnetIds]: 'SUBNET_NOT_FOUND',
    [PARAMETER_KEYS.securityGroupIds]: 'SECURITY_GROUP_NOT_IN_VPC',
  };
  const code = codes[name!];
  if (!code) return undefined;
  return makeDiagnosis(code, {
    ...ev,
    ...(code === 'SUBNET_NOT_FOUND'
      ? { subnetIds: [value!] }
      : { securityGroupIds: [value!], detail: 'does not exist in this region' }),
    awsErrorCode: 'ValidationError',
    awsMessage: message,
  });
}

async function adopt(cfn: CloudFormationClient, input: ValidatedRequest, ev: ContextEvidence): Promise<StackRef> {
  const out = await awsCall(
    { service: 'cloudformation', operation: 'DescribeStacks', principal: 'provision-role', evidence: ev },
    () => cfn.send(new DescribeStacksCommand({ StackName: input.stackName })),
  );
  const stack = out.Stacks?.[0];
  const owner = stack?.Tags?.find((t) => t.Key === TAG_KEYS.clusterId)?.Value;
  if (!stack?.StackId || owner !== input.clusterId) {
    throw new DiagnosedError(
      makeDiagnosis('NAME_ALREADY_IN_USE', {
        ...ev,
        ...(stack?.StackId ? { stackId: stack.StackId } : {}),
        detail: `an existing CloudFormation stack ${input.stackName} that this request did not create`,
      }),
    );
  }
  return {
    stackId: stack.StackId,
    stackName: stack.StackName ?? input.stackName,
    createdAt: (stack.CreationTime ?? new Date()).toISOString(),
    adopted: true,
  };
}

/** The phase the record shows once the stack exists (its first resources are the IAM roles). */
export const STACK_CREATED_PHASE = 'Creating IAM roles';

export async function createClusterStack(
  input: CreateClusterStackInput,
  deps: { cloudformation: CloudFormationClient; now: () => Date; progress?: ReportProgress },
): Promise<StackRef> {
  const stack = await createOrAdoptStack(input, deps);
  // The record shows the stack as soon as it exists.
  await deps.progress?.({ stackId: stack.stackId, phase: STACK_CREATED_PHASE });
  return stack;
}

async function createOrAdoptStack(
  input: CreateClusterStackInput,
  deps: { cloudformation: CloudFormationClient; now: () => Date },
): Promise<StackRef> {
  const ev: ContextEvidence = {
    stackName: input.stackName,
    clusterName: input.cluster.name,
    region: input.region,
    accountId: input.accountId,
    roleArn: input.cluster.provisionRoleArn,
  };
  const params = createStackParameters(input);
  const requestedAt = deps.now();
  try {
    const out = await deps.cloudformation.send(
      new CreateStackCommand({
        StackName: input.stackName,
        TemplateBody: clusterTemplateBody(),
        Parameters: params,
        // Roles are unnamed (path only): CAPABILITY_IAM suffices, CAPABILITY_NAMED_IAM is not asked for.
        Capabilities: ['CAPABILITY_IAM'],
        // KEEP = the seed's behaviour: the failed stack stays for inspection.
        OnFailure: input.cluster.onFailure === 'ROLLBACK' ? 'ROLLBACK' : 'DO_NOTHING',
        ClientRequestToken: clientRequestTokenFor(input.clusterId),
        Tags: stackTags(input),
      }),
    );
    if (!out.StackId)
      throw Object.assign(new Error('CreateStack returned no StackId'), { name: 'InternalFailure', $fault: 'server' });
    return { stackId: out.StackId, stackName: input.stackName, createdAt: requestedAt.toISOString(), adopted: false };
  } catch (err) {
    if (awsErrorCode(err) === 'AlreadyExistsException') return adopt(deps.cloudformation, input, ev);
    const fromParams =
      awsErrorCode(err) === 'ValidationError'
        ? parameterDiagnosis(String((err as Error).message ?? ''), ev)
        : undefined;
    if (fromParams) throw new DiagnosedError(fromParams);
    // Everything else: the shared mapping (AccessDenied → PERMISSION_DENIED, limits → QUOTA_EXCEEDED, throttling…).
    return awsCall(
      { service: 'cloudformation', operation: 'CreateStack', principal: 'provision-role', evidence: ev },
      () => Promise.reject(err),
    );
  }
}
