/**
 * The cluster's Kubernetes API as role B: endpoint and CA from DescribeCluster, an EKS token signed
 * with role B's credentials (which never leave this process). ConfigureCluster does the same inline,
 * with its own waiting and diagnoses; this is the plain read used after the fact (the update diagnosis).
 */
import { DescribeClusterCommand, type EKSClient } from '@aws-sdk/client-eks';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { KubeError, kubeApi } from './client.js';
import type { DisruptionReader } from './disruption.js';
import { eksToken } from './eks-token.js';

export const REQUEST_TIMEOUT_MS = 5_000;

export async function connectDisruptionReader(opts: {
  eks: EKSClient;
  clusterName: string;
  region: string;
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  now?: () => Date;
}): Promise<DisruptionReader> {
  const { cluster } = await opts.eks.send(new DescribeClusterCommand({ name: opts.clusterName }));
  if (!cluster?.endpoint || !cluster.certificateAuthority?.data)
    throw new KubeError('unreachable', `cluster ${opts.clusterName} has no endpoint or CA`, 'describe cluster');
  if (cluster.resourcesVpcConfig?.endpointPublicAccess === false)
    throw new KubeError(
      'unreachable',
      'the API server endpoint is private (public endpoint access is disabled)',
      'describe cluster',
    );
  const { token } = await eksToken({
    clusterName: opts.clusterName,
    region: opts.region,
    credentials: opts.credentials,
    ...(opts.now ? { now: opts.now() } : {}),
  });
  // Short per-call timeout: a diagnosis that cannot reach the API server says so rather than outlast its step.
  return kubeApi({
    endpoint: cluster.endpoint,
    certificateAuthorityData: cluster.certificateAuthority.data,
    token,
    clusterName: opts.clusterName,
    timeoutMs: REQUEST_TIMEOUT_MS,
  });
}
