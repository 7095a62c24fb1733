/**
 * `kubeconfig --assume-provision-role`: for self-managed installs, where a person may assume role B
 * themselves. The AWS CLI assumes role B with the tenant's External ID through a profile
 * (role_arn + external_id + source_profile), and the kubeconfig's `aws eks get-token` runs with
 * AWS_PROFILE set to it — the creator's access entry, no extra entry needed. The profile itself is
 * built in shared/kubectl (the console offers the same one).
 */
export { type AssumeRoleProfile, assumeRoleProfile, provisionRoleProfileName } from '../../shared/kubectl/access.js';
