/**
 * A kubeconfig that authenticates the way `aws eks update-kubeconfig` sets up: an exec plugin
 * running `aws eks get-token` (client.authentication.k8s.io/v1beta1). It holds no credential: the
 * user's own AWS identity (which must have an access entry) makes the token at use time.
 */
import { stringify } from 'yaml';

export interface KubeconfigInput {
  clusterName: string;
  clusterArn: string;
  endpoint: string;
  certificateAuthorityData: string;
  region: string;
  /** An AWS CLI profile for `aws eks get-token` (set as AWS_PROFILE in the exec env). */
  profile?: string;
}

/** What an AWS CLI profile name may be here: it ends up in a YAML file the user runs. */
export const AWS_PROFILE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export function kubeconfigYaml(c: KubeconfigInput): string {
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: c.clusterArn, cluster: { server: c.endpoint, 'certificate-authority-data': c.certificateAuthorityData } }],
    contexts: [{ name: c.clusterArn, context: { cluster: c.clusterArn, user: c.clusterArn } }],
    'current-context': c.clusterArn,
    preferences: {},
    users: [
      {
        name: c.clusterArn,
        user: {
          exec: {
            apiVersion: 'client.authentication.k8s.io/v1beta1',
            command: 'aws',
            args: ['--region', c.region, 'eks', 'get-token', '--cluster-name', c.clusterName, '--output', 'json'],
            // Without a profile: empty on purpose, the user's own credentials apply.
            env: c.profile ? [{ name: 'AWS_PROFILE', value: c.profile }] : null,
            interactiveMode: 'IfAvailable',
            provideClusterInfo: false,
          },
        },
      },
    ],
  };
  return stringify(doc, { lineWidth: 0 });
}
