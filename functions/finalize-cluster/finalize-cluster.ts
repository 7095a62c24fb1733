/**
 * FinalizeCluster: the stack is CREATE_COMPLETE. Reads its outputs, then asks EKS itself (the
 * authoritative endpoint, CA, version and OIDC issuer) and the node group's status, and returns
 * the completion (record update + Succeeded event) with the cluster outputs and a kubeconfig.
 */
import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeClusterCommand, DescribeNodegroupCommand, type EKSClient } from '@aws-sdk/client-eks';
import { type CompletionResult, succeeded } from '../lib/completion/completion.js';
import { awsCall } from '../lib/diagnosis/from-aws-error.js';
import { clusterAccess } from '../lib/kubernetes/access.js';
import { kubeconfigYaml } from '../lib/kubernetes/kubeconfig.js';
import type { ClusterOutputs, ConfigureProgress, PollResult, StackRef, ValidatedRequest } from '../lib/state.js';
import { OUTPUT_KEYS } from '../lib/template/index.js';

export type FinalizeClusterInput = ValidatedRequest & {
  stack: StackRef;
  poll?: PollResult;
  configure?: ConfigureProgress;
};

export async function finalizeCluster(
  input: FinalizeClusterInput,
  deps: { cloudformation: CloudFormationClient; eks: EKSClient; now: () => Date },
): Promise<CompletionResult> {
  const ev = {
    stackName: input.stack.stackName,
    stackId: input.stack.stackId,
    region: input.region,
    clusterName: input.cluster.name,
  };
  const ctx = (service: string, operation: string) => ({
    service,
    operation,
    principal: 'provision-role' as const,
    evidence: ev,
  });

  const stacks = await awsCall(ctx('cloudformation', 'DescribeStacks'), () =>
    deps.cloudformation.send(new DescribeStacksCommand({ StackName: input.stack.stackId })),
  );
  const outputs = Object.fromEntries(
    (stacks.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']),
  );
  const clusterName = outputs[OUTPUT_KEYS.clusterName] || input.cluster.name;

  const { cluster } = await awsCall(ctx('eks', 'DescribeCluster'), () =>
    deps.eks.send(new DescribeClusterCommand({ name: clusterName })),
  );
  const nodegroupName = outputs[OUTPUT_KEYS.nodegroupName] ?? '';
  const { nodegroup } = nodegroupName
    ? await awsCall(ctx('eks', 'DescribeNodegroup'), () =>
        deps.eks.send(new DescribeNodegroupCommand({ clusterName, nodegroupName })),
      )
    : { nodegroup: undefined };

  const clusterArn = cluster?.arn ?? outputs[OUTPUT_KEYS.clusterArn] ?? '';
  const endpoint = cluster?.endpoint ?? outputs[OUTPUT_KEYS.endpoint] ?? '';
  const certificateAuthorityData =
    cluster?.certificateAuthority?.data ?? outputs[OUTPUT_KEYS.certificateAuthorityData] ?? '';
  const result: ClusterOutputs = {
    clusterName,
    clusterArn,
    endpoint,
    certificateAuthorityData,
    kubernetesVersion: cluster?.version ?? outputs[OUTPUT_KEYS.kubernetesVersion] ?? '',
    oidcIssuer: cluster?.identity?.oidc?.issuer ?? outputs[OUTPUT_KEYS.oidcIssuer] ?? '',
    nodeRoleArn: nodegroup?.nodeRole ?? outputs[OUTPUT_KEYS.nodeRoleArn] ?? '',
    nodegroupName,
    nodegroupStatus: nodegroup?.status ?? 'UNKNOWN',
    kubeconfig: kubeconfigYaml({ clusterName, clusterArn, endpoint, certificateAuthorityData, region: input.region }),
    ...(input.configure?.configuration ? { configuration: input.configure.configuration } : {}),
    access: clusterAccess(input.cluster),
  };
  return succeeded(
    {
      tenantId: input.tenantId,
      clusterId: input.clusterId,
      name: input.cluster.name,
      environmentScope: input.cluster.environmentScope,
      accountId: input.accountId,
      region: input.region,
      stackId: input.stack.stackId,
      executionArn: input.executionArn,
      startedAt: input.startedAt,
      ...(input.poll ? { poll: input.poll } : {}),
    },
    result,
    deps.now(),
  );
}
