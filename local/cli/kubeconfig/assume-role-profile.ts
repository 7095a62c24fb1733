/**
 * `kubeconfig --assume-provision-role`: for self-managed installs, where a person may assume role B
 * themselves. The AWS CLI assumes role B with the tenant's External ID through a profile
 * (role_arn + external_id + source_profile), and the kubeconfig's `aws eks get-token` runs with
 * AWS_PROFILE set to it — the creator's access entry, no extra entry needed.
 */
import { AWS_PROFILE_NAME } from '../../../functions/finalize-cluster/kubeconfig.js';

/** The AWS CLI's profile names are free-form, but the API's `?profile=` takes at most 64 of [A-Za-z0-9_.-]. */
export function provisionRoleProfileName(clusterName: string): string {
  return `eks-provisioner-${clusterName}`.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 64);
}

export interface AssumeRoleProfile {
  name: string;
  /** The block for ~/.aws/config. */
  text: string;
}

export function assumeRoleProfile(p: { clusterName: string; roleArn: string; externalId: string; sourceProfile?: string }): AssumeRoleProfile {
  const source = p.sourceProfile ?? 'default';
  if (!AWS_PROFILE_NAME.test(source)) {
    throw new Error(`--source-profile "${source}" is not an AWS CLI profile name: use 1–64 letters, digits and _ . - (e.g. --source-profile work).`);
  }
  const name = provisionRoleProfileName(p.clusterName);
  const text = [`[profile ${name}]`, `role_arn = ${p.roleArn}`, `external_id = ${p.externalId}`, `source_profile = ${source}`, ''].join('\n');
  return { name, text };
}
