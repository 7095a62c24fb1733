/** Getting into the customer's account: role ARNs, assuming role B, regions, the External ID proof, permissions. */
import { provisionRoleTrustPolicy } from '../../policy/trust-policy.js';
import {
  type ContextEvidence,
  type Ev,
  entry,
  partitionOf,
  provisionPolicyHint,
  roleNameOf,
  sentence,
} from '../entry.js';

type TrustEvidence = ContextEvidence & { why?: string; statementIndex?: number };

/** EXTERNAL_ID_NOT_REQUIRED: what is wrong with role B's trust policy, and where (`why`, `statementIndex`). */
function externalIdLoophole(ev: Ev<TrustEvidence>): string {
  const where = ev.has('statementIndex')
    ? `statement ${Number(ev.raw.statementIndex) + 1} of its trust policy`
    : 'its trust policy';
  if (ev.has('why')) return `${where}: ${ev.s('why')}`;
  return `${where} does not require your External ID`;
}

/**
 * The last step of an access denial. These codes come from any call that has a stack in its evidence —
 * a failed create, but also an update, a dry run or a deletion of a working cluster — so the stack is
 * to be deleted only in the states a never-created cluster leaves it in.
 */
function leftoverStackStep(ev: Ev<ContextEvidence>): string[] {
  if (!ev.has('stackName')) return ['Then try again.'];
  const name = ev.s('stackName');
  return [
    `Only if stack ${name} is in CREATE_FAILED or ROLLBACK_COMPLETE (its cluster was never created), delete it; in any other state it holds a working cluster: keep it. Then try again.`,
  ];
}

export const ACCESS = {
  INVALID_ROLE_ARN: entry<{ field?: string; exampleArn?: string }>({
    title: 'Role ARN is not valid',
    retryable: false,
    docsUrl: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html',
    message: (ev) =>
      ev.has('detail')
        ? sentence(
            `${ev.s('field', 'The role ARN')} ${ev.opt('roleArn', (v) => `"${v}"`)} cannot be used: ${ev.s('detail')}.`,
          )
        : sentence(
            `${ev.s('field', 'The role ARN')} ${ev.opt('roleArn', (v) => `"${v}"`)} must be a valid Amazon Resource Name of an IAM role.`,
          ),
    remediation: (ev) => [
      'Copy the Role ARN from the IAM console (Roles → the role → "ARN"); it looks like arn:aws:iam::123456789012:role/eks-provisioner-provision.',
      'Use an IAM role ARN, not a user, policy or instance-profile ARN; other partitions (arn:aws-cn:, arn:aws-us-gov:) are accepted.',
      `The provision role (role B) name must start with "${ev.s('roleNamePrefix', 'eks-provisioner-')}": the service may only assume roles with that prefix.`,
      ...(ev.has('roleArn') && ev.has('accountId')
        ? [
            `Check the role exists in account ${ev.s('accountId')}: aws iam get-role --role-name ${roleNameOf(ev.s('roleArn'))}`,
          ]
        : []),
    ],
  }),
  ASSUME_ROLE_DENIED: entry({
    title: 'The service could not assume the provision role',
    retryable: false,
    docsUrl: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user_externalid.html',
    message: (ev) =>
      sentence(
        `The service's credentials are not allowed to perform sts:AssumeRole on ${ev.s('roleArn', 'the provision role (role B)')}.${ev.aws()}`,
      ),
    // The tenant's own causes first (what they set up and can fix), the operator's credentials last.
    remediation: (ev) => [
      sentence(
        `Check that the Account ID and External ID in role B's Trust relationships tab match the values of this service:
         the trusted principal must be ${ev.has('serviceAccountId') ? `account ${ev.s('serviceAccountId')} (arn:aws:iam::${ev.s('serviceAccountId')}:root)` : "the service's Account ID"}
         and the condition "sts:ExternalId" must equal ${ev.has('externalId') ? `"${ev.s('externalId')}"` : 'your External ID'}. GET /v1/setup shows both and the exact trust policy to paste.`,
      ),
      sentence(
        `Check that role B exists under exactly this name ${ev.opt('roleArn', (v) => `(${v})`)} in ${ev.has('accountId') ? `account ${ev.s('accountId')}` : 'your account'}, and that its name starts with "${ev.s('roleNamePrefix', 'eks-provisioner-')}".`,
      ),
      sentence(
        `Check that the provision role has access to region ${ev.region()}: the region must be enabled for
         ${ev.has('accountId') ? `account ${ev.s('accountId')}` : 'the account'}, and no SCP, permission boundary or aws:RequestedRegion condition may exclude it.`,
      ),
      'If you created or changed the role in the last minute, wait a few seconds and try again: IAM changes take a moment to reach every region.',
      sentence(
        `Self-managed installs only (the operator of the service, not you, fixes this): the service's own AWS credentials need an AssumeRole policy — the IAM identity the service runs as
         ${ev.opt('serviceAccountId', (v) => `(account ${v})`)} needs "Allow sts:AssumeRole" on
         ${ev.has('roleArn') ? ev.s('roleArn') : 'the provision role'}, e.g. on arn:aws:iam::*:role/${ev.s('roleNamePrefix', 'eks-provisioner-')}*.`,
      ),
    ],
  }),
  CREDENTIALS_NOT_CONFIGURED: entry({
    title: 'The service has no usable AWS credentials',
    retryable: false,
    docsUrl: 'https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/setting-credentials-node.html',
    message: (ev) =>
      sentence(`The service itself has no valid AWS credentials, so it cannot assume any provision role.${ev.aws()}`),
    remediation: (ev) => [
      'Self-managed install: create an IAM user (or use an instance/task role) for the service and provide its credentials through the default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile, or the instance role).',
      `Give that identity a policy allowing sts:AssumeRole on arn:aws:iam::*:role/${ev.s('roleNamePrefix', 'eks-provisioner-')}*.`,
      'In AWS (Lambda), the function role provides credentials: check the function still has its execution role.',
    ],
  }),
  REGION_NOT_ENABLED: entry<{ optInStatus?: string }>({
    title: 'Region not enabled for the account',
    retryable: false,
    docsUrl: 'https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html',
    message: (ev) =>
      sentence(
        `Region ${ev.s('region', '(unknown)')} is not known or not enabled for ${ev.has('accountId') ? `account ${ev.s('accountId')}` : 'the account'}${ev.opt('detail', (v) => ` (${v})`)}.${ev.aws()}`,
      ),
    remediation: (ev) => [
      `Enable the region for the account (Account settings → AWS Regions → Enable${ev.opt('region', (v) => ` ${v}`)}), wait until it shows "Enabled", then try again.`,
      'Or choose a region the account already uses: aws ec2 describe-regions --query "Regions[].RegionName"',
      "Opt-in regions must be enabled in the service's own account too (self-managed installs: enable it there as well).",
    ],
  }),
  EXTERNAL_ID_NOT_REQUIRED: entry<{
    trustProblem?: string;
    why?: string;
    statementIndex?: number;
    offendingStatement?: string;
  }>({
    title: 'The provision role does not require your External ID',
    retryable: false,
    docsUrl: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user_externalid.html',
    message: (ev) =>
      sentence(
        `${ev.s('roleArn', 'The provision role (role B)')} does not demand exactly your External ID from the service — ${externalIdLoophole(ev)}.
         Another tenant who learns the role's ARN could then have this service act in
         ${ev.has('accountId') ? `account ${ev.s('accountId')}` : 'your account'} (the "confused deputy"), so the service refuses to use it.`,
      ),
    remediation: (ev) => [
      sentence(
        `Replace the trust policy of role ${ev.has('roleArn') ? roleNameOf(ev.s('roleArn')) : 'B'} (IAM console → Roles → the role → Trust relationships → Edit trust policy) with:
         ${JSON.stringify(
           provisionRoleTrustPolicy(
             ev.s('serviceAccountId', '<service Account ID from GET /v1/setup>'),
             ev.s('externalId', '<your External ID from GET /v1/setup>'),
             partitionOf(ev.s('roleArn')),
           ),
         )}`,
      ),
      ...(ev.has('offendingStatement') ? [`The statement at fault: ${ev.s('offendingStatement')}`] : []),
      'Every statement that lets the service\'s account assume the role must say "StringEquals" on "sts:ExternalId" with your External ID alone: no pattern (StringLike), no "...IfExists", no Null, no negated or set operator, no other tenant\'s ID, and no Principal "*" or NotPrincipal.',
      'Then register the role again with POST /v1/roles (and resubmit the cluster). GET /v1/setup shows the same trust policy.',
    ],
  }),
  TRUST_POLICY_UNREADABLE: entry({
    title: 'The provision role may not read its own trust policy',
    retryable: false,
    docsUrl: 'https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRole.html',
    message: (ev) =>
      sentence(
        `Before using ${ev.s('roleArn', 'the provision role (role B)')} the service checks that its trust policy demands your External ID,
         by reading it with iam:GetRole as the role itself; that call was denied.${ev.aws()} The service does not use a role it cannot check.`,
      ),
    remediation: (ev) => [
      sentence(
        `Add this statement to role ${ev.has('roleArn') ? roleNameOf(ev.s('roleArn')) : 'B'}'s permissions (or attach the current provision policy from GET /v1/setup, which has it):
         ${JSON.stringify({ Sid: 'ReadOwnTrustPolicy', Effect: 'Allow', Action: 'iam:GetRole', Resource: ev.s('roleArn', '<role B ARN>') })}`,
      ),
      'Check that no explicit Deny, permission boundary or SCP blocks iam:GetRole on the role.',
      'Then register the role again with POST /v1/roles (and resubmit the cluster).',
    ],
  }),
  PASS_ROLE_DENIED: entry<{ serviceRoleArn?: string }>({
    title: 'The provision role may not pass a role to EKS',
    retryable: false,
    docsUrl: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html',
    message: (ev) =>
      sentence(
        `Role B ${ev.opt('roleArn', (v) => `(${v})`)} is not allowed to perform iam:PassRole on ${ev.s('resource', ev.s('serviceRoleArn', 'the cluster or node role'))}.${ev.aws()}`,
      ),
    remediation: (ev) => [
      `Allow role B iam:PassRole on ${ev.s('resource', ev.s('serviceRoleArn', 'role A and the node role'))} (condition iam:PassedToService = eks.amazonaws.com for role A and the node role, pods.eks.amazonaws.com for the EBS CSI driver role). ${provisionPolicyHint}`,
      ...leftoverStackStep(ev),
    ],
  }),
  PERMISSION_DENIED: entry({
    title: 'The provision role lacks a permission',
    retryable: false,
    docsUrl: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html',
    message: (ev) =>
      sentence(
        `Role B ${ev.opt('roleArn', (v) => `(${v})`)} is not allowed to perform ${ev.s('action', 'an action the service needs')}${ev.opt('resource', (v) => ` on ${v}`)}.${ev.aws()}`,
      ),
    remediation: (ev) => [
      `Add ${ev.s('action', 'the missing action')} to role B's policy. ${provisionPolicyHint}`,
      'Check that no explicit Deny, permission boundary or SCP blocks it.',
      ...leftoverStackStep(ev),
    ],
  }),
};
