/**
 * How a person reaches a created cluster with kubectl, in words and commands both the console and
 * the CLI print (one source): the AWS CLI profile that assumes role B with the tenant's External ID
 * (the seed's note for kubectl), and the `aws eks create-access-entry` commands that give someone
 * else access. DOM-free and Node-free.
 */

/** What an AWS CLI profile name may be here: it ends up in a YAML file the user runs. */
export const AWS_PROFILE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** The role-B profile's name for a cluster: `eks-provisioner-<cluster>`, at most 64 of [A-Za-z0-9_.-] (the API's `?profile=` rule). */
export function provisionRoleProfileName(clusterName: string): string {
  return `eks-provisioner-${clusterName}`.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 64);
}

export interface AssumeRoleProfile {
  name: string;
  /** The block for ~/.aws/config. */
  text: string;
}

/**
 * The ~/.aws/config block: the AWS CLI assumes role B with the External ID, from the credentials of
 * `sourceProfile` (default `default`), which must be allowed by role B's trust policy.
 */
export function assumeRoleProfile(p: {
  clusterName: string;
  roleArn: string;
  externalId: string;
  sourceProfile?: string;
}): AssumeRoleProfile {
  const source = p.sourceProfile ?? 'default';
  if (!AWS_PROFILE_NAME.test(source)) {
    throw new Error(
      `--source-profile "${source}" is not an AWS CLI profile name: use 1–64 letters, digits and _ . - (e.g. --source-profile work).`,
    );
  }
  const name = provisionRoleProfileName(p.clusterName);
  const text = [
    `[profile ${name}]`,
    `role_arn = ${p.roleArn}`,
    `external_id = ${p.externalId}`,
    `source_profile = ${source}`,
    '',
  ].join('\n');
  return { name, text };
}

/** `aws eks update-kubeconfig` for a profile: the AWS CLI's own way to the same kubeconfig. */
export function updateKubeconfigCommand(p: { clusterName: string; region: string; profile?: string }): string {
  return `aws eks update-kubeconfig --region ${p.region} --name ${p.clusterName}${p.profile ? ` --profile ${p.profile}` : ''}`;
}

/**
 * Giving one more IAM principal cluster-admin: the two calls EKS needs (the entry, then the access
 * policy), run by someone who already administers the cluster's account.
 */
export function accessEntryCommands(p: { clusterName: string; region: string; principalArn?: string }): string[] {
  const principal = p.principalArn ?? 'arn:aws:iam::<account-id>:role/<role-name>';
  const base = `aws eks --region ${p.region}`;
  return [
    `${base} create-access-entry --cluster-name ${p.clusterName} --principal-arn ${principal}`,
    `${base} associate-access-policy --cluster-name ${p.clusterName} --principal-arn ${principal} --policy-arn arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy --access-scope type=cluster`,
  ];
}

/** Which kubeconfig works for this person, from who they are and who has an access entry. */
export type KubectlIdentity = 'own' | 'provision-role' | 'none';

/**
 * `requester`: the caller's IAM principal when the API knows it; `selfManaged`: the person runs the
 * service (local stack / own install), so their credentials may assume role B.
 */
export function workingIdentity(p: {
  requester?: string;
  access: Array<{ principalArn: string }>;
  selfManaged: boolean;
}): KubectlIdentity {
  if (p.requester && p.access.some((a) => a.principalArn === p.requester)) return 'own';
  return p.selfManaged ? 'provision-role' : 'none';
}
