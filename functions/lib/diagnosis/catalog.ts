/**
 * The diagnosis catalog: one entry per code (title, message template, ordered remediation,
 * retryable, docs link). Templates read `evidence`; a missing fact is left out of the sentence
 * rather than shown as "undefined". The first six entries carry the seed's troubleshooting advice.
 *
 * Evidence keys the templates understand (all optional):
 *   roleArn, region, accountId, serviceAccountId, externalId, roleNamePrefix, stackName, stackId,
 *   clusterName, serviceRoleArn, vpcId, subnetIds, securityGroupIds, keyName, instanceType,
 *   kubernetesVersion, supportedVersions, availabilityZones, unsupportedZones, validZones, action,
 *   resource, awsErrorCode, awsMessage, quotaName, instanceIds, elapsedSeconds, maxSeconds, status,
 *   reason, logicalId, resourceType, operation, field, detail, clusterId, physicalId,
 *   trustProblem, why, statementIndex, offendingStatement (the External ID proof).
 */
import { provisionRoleTrustPolicy } from '../policy/trust-policy.js';
import type { Diagnosis, DiagnosisCode } from './types.js';

export type Evidence = NonNullable<Diagnosis['evidence']>;

export interface DiagnosisExtras {
  fields?: Diagnosis['fields'];
  problems?: Diagnosis['problems'];
  failedResource?: Diagnosis['failedResource'];
  cause?: Diagnosis['cause'];
}

/** Reads evidence for templates. */
class Ev {
  constructor(
    readonly raw: Evidence,
    readonly extras: DiagnosisExtras,
  ) {}
  has(key: string): boolean {
    const v = this.raw[key];
    return v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);
  }
  /** The value as text; arrays joined with ", ". */
  s(key: string, fallback = ''): string {
    const v = this.raw[key];
    if (v === undefined || v === null || v === '') return fallback;
    return Array.isArray(v) ? v.join(', ') : String(v);
  }
  /** `fmt(value)` when the key is present, '' otherwise. */
  opt(key: string, fmt: (v: string) => string): string {
    return this.has(key) ? fmt(this.s(key)) : '';
  }
  /** The AWS error, quoted, when known. */
  aws(prefix = ' AWS answered: '): string {
    if (!this.has('awsMessage') && !this.has('awsErrorCode')) return '';
    const code = this.s('awsErrorCode');
    const msg = this.s('awsMessage');
    return `${prefix}${code ? `${code}: ` : ''}${msg ? `"${msg}"` : ''}`.trimEnd() + '.';
  }
  region(): string {
    return this.s('region', 'the chosen region');
  }
  /** True when the key holds more than one value. */
  many(key: string): boolean {
    const v = this.raw[key];
    return Array.isArray(v) && v.length > 1;
  }
  /** "Subnet x does not" / "Subnets x, y do not". */
  noun(key: string, singular: string, plural: string): string {
    return this.many(key) ? plural : singular;
  }
}

interface CatalogEntry {
  title: string;
  retryable: boolean;
  docsUrl: string;
  message: (ev: Ev) => string;
  remediation: (ev: Ev) => string[];
}

/** The stack is real: CloudFormation gave it an id, or its events were read. */
const stackExists = (ev: Ev) => ev.has('stackName') && (ev.has('stackId') || ev.has('logicalId'));

const sentence = (s: string) => s.replace(/\s+/g, ' ').replace(/\s+([.,:;])/g, '$1').trim();

/** `arn:aws:iam::123:role/path/name` → `name`. */
export function roleNameOf(arn: string): string {
  const resource = arn.split(':').slice(5).join(':');
  return resource.replace(/^role\//, '').split('/').pop() ?? arn;
}

function partitionOf(arn: string): string {
  const p = arn.split(':')[1];
  return p && p.startsWith('aws') ? p : 'aws';
}

/** "does not exist" → "do not exist", "belongs to" → "belong to" for several ids. */
function pluralVerb(detail: string, many: boolean): string {
  return many ? detail.replace(/^does not/, 'do not').replace(/^belongs to/, 'belong to').replace(/^is /, 'are ') : detail;
}

/** EXTERNAL_ID_NOT_REQUIRED: what is wrong with role B's trust policy, and where (`why`, `statementIndex`). */
function externalIdLoophole(ev: Ev): string {
  const where = ev.has('statementIndex') ? `statement ${Number(ev.raw['statementIndex']) + 1} of its trust policy` : 'its trust policy';
  if (ev.has('why')) return `${where}: ${ev.s('why')}`;
  return `${where} does not require your External ID`;
}

const provisionPolicyHint = 'GET /v1/setup returns the exact provision policy to attach to role B.';

export const CATALOG: Record<DiagnosisCode, CatalogEntry> = {
  // ---- the seed's six troubleshooting entries -------------------------------------------------
  INVALID_ROLE_ARN: {
    title: 'Role ARN is not valid',
    retryable: false,
    docsUrl: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html',
    message: (ev) =>
      ev.has('detail')
        ? sentence(`${ev.s('field', 'The role ARN')} ${ev.opt('roleArn', (v) => `"${v}"`)} cannot be used: ${ev.s('detail')}.`)
        : sentence(`${ev.s('field', 'The role ARN')} ${ev.opt('roleArn', (v) => `"${v}"`)} must be a valid Amazon Resource Name of an IAM role.`),
    remediation: (ev) => [
      'Copy the Role ARN from the IAM console (Roles → the role → "ARN"); it looks like arn:aws:iam::123456789012:role/eks-provisioner-provision.',
      'Use an IAM role ARN, not a user, policy or instance-profile ARN; other partitions (arn:aws-cn:, arn:aws-us-gov:) are accepted.',
      `The provision role (role B) name must start with "${ev.s('roleNamePrefix', 'eks-provisioner-')}": the service may only assume roles with that prefix.`,
      ...(ev.has('roleArn') && ev.has('accountId')
        ? [`Check the role exists in account ${ev.s('accountId')}: aws iam get-role --role-name ${roleNameOf(ev.s('roleArn'))}`]
        : []),
    ],
  },
  ASSUME_ROLE_DENIED: {
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
  },
  SECURITY_GROUPS_NOT_LOADED: {
    title: 'Could not load security groups (or other VPC resources) for this VPC',
    retryable: false,
    docsUrl: 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html',
    message: (ev) =>
      sentence(
        `Role B ${ev.opt('roleArn', (v) => `(${v})`)} was assumed successfully, but it does not have enough permissions to read
         ${ev.s('resource', 'the VPC resources')} ${ev.opt('vpcId', (v) => `of ${v}`)} in ${ev.region()}${ev.opt('action', (v) => ` (${v} was denied)`)}.${ev.aws()}`,
      ),
    remediation: (ev) => [
      sentence(
        `Give role B the provision policy: it must allow ${ev.s('action', 'ec2:DescribeSecurityGroups')} along with ec2:DescribeVpcs,
         ec2:DescribeSubnets, ec2:DescribeKeyPairs and ec2:DescribeInstanceTypeOfferings. ${provisionPolicyHint}`,
      ),
      'Check that no explicit Deny, permission boundary or SCP blocks these read-only EC2 calls in that region.',
      'Then try again; nothing was created.',
    ],
  },
  KEY_PAIR_NOT_FOUND: {
    title: 'Key pair not found in this region',
    retryable: false,
    docsUrl: 'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-key-pairs.html',
    message: (ev) =>
      sentence(
        `Key pair ${ev.opt('keyName', (v) => `"${v}"`)} does not exist in ${ev.region()}. Key pairs are regional: a key pair made in another region cannot be used for nodes here.`,
      ),
    remediation: (ev) => [
      `List the key pairs of that region: aws ec2 describe-key-pairs --region ${ev.s('region', '<region>')}`,
      `Create or import the key pair in ${ev.region()} (EC2 console → Key pairs, with the console set to that region), or pick one that exists there.`,
      'Or leave keyName empty: an SSH key for the nodes is optional.',
    ],
  },
  ROLLBACK_FAILED: {
    title: 'The stack could not roll back: delete its resources by hand',
    retryable: false,
    docsUrl: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cfn-console-delete-stack.html',
    message: (ev) =>
      sentence(
        `Creating the cluster failed and CloudFormation could not roll back stack ${ev.s('stackName', '(unknown stack)')}
         ${ev.opt('region', (v) => `in ${v}`)}${ev.opt('accountId', (v) => ` (account ${v})`)}; its remaining resources still exist and must be deleted by hand.
         ${ev.extras.cause ? `The original failure: ${ev.extras.cause.message}` : ''}
         ${ev.opt('reason', (v) => `CloudFormation says: "${v}".`)}`,
      ),
    remediation: (ev) => {
      const stack = ev.s('stackName', '<stack name>');
      const region = ev.s('region', '<region>');
      return [
        sentence(
          `Inspect the stack: CloudFormation console${ev.opt('region', (v) => ` (region ${v})`)} → Stacks → ${stack} → Events and Resources tabs show which resource failed${ev.opt('logicalId', (v) => ` (${v})`)} and why.`,
        ),
        ...(ev.extras.cause ? [`Fix the original failure first: ${ev.extras.cause.remediation[0] ?? ev.extras.cause.message}`] : []),
        `Delete the stack with your own credentials (the provision role cannot delete by default): aws cloudformation delete-stack --stack-name ${stack} --region ${region}`,
        `If the deletion stops at a resource in DELETE_FAILED, delete that resource yourself (for an EKS cluster: its node groups first, then the cluster), or run delete-stack again with --retain-resources <LogicalId> and remove the retained resource afterwards.`,
        'Then create the cluster again.',
      ];
    },
  },
  CLUSTER_ROLE_MISSING_EKS_POLICY: {
    title: 'The cluster service role (role A) lacks AmazonEKSClusterPolicy',
    retryable: false,
    docsUrl: 'https://docs.aws.amazon.com/eks/latest/userguide/cluster-iam-role.html',
    message: (ev) =>
      sentence(
        `Amazon EKS rejects the cluster role ${ev.s('serviceRoleArn', '(role A)')}: "The provided role doesn't have the Amazon EKS Managed Policies associated with it."
         ${ev.opt('stackName', (v) => `Stack ${v} failed at the cluster resource.`)}`,
      ),
    remediation: (ev) => {
      const arn = ev.s('serviceRoleArn');
      const name = arn ? roleNameOf(arn) : '<role A name>';
      const partition = arn ? partitionOf(arn) : 'aws';
      return [
        `Attach the AWS managed policy AmazonEKSClusterPolicy to ${name}: aws iam attach-role-policy --role-name ${name} --policy-arn arn:${partition}:iam::aws:policy/AmazonEKSClusterPolicy`,
        'Role A must be created per the "Amazon EKS cluster IAM role" guide: its trust policy lets eks.amazonaws.com call sts:AssumeRole and sts:TagSession.',
        ...(ev.has('stackName')
          ? [`Delete the failed stack ${ev.s('stackName')} (aws cloudformation delete-stack --stack-name ${ev.s('stackName')}${ev.opt('region', (v) => ` --region ${v}`)}) and create the cluster again.`]
          : ['Then create the cluster again; nothing was created.']),
      ];
    },
  },
  // ---- input and credentials ------------------------------------------------------------------
  VALIDATION_FAILED: {
    title: 'The cluster settings are not valid',
    retryable: false,
    docsUrl: 'https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateCluster.html',
    message: (ev) => {
      const fields = ev.extras.fields ?? [];
      if (fields.length === 0) return sentence(`The cluster settings are not valid. ${ev.s('detail')}`);
      const list = fields.map((f) => `${f.path || '(settings)'}: ${f.message}`).join('; ');
      return `${fields.length === 1 ? '1 field needs' : `${fields.length} fields need`} fixing: ${list}`;
    },
    remediation: () => ['Correct each field listed in "fields" and submit the settings again. Nothing was created.'],
  },
  CREDENTIALS_NOT_CONFIGURED: {
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
  },
  REGION_NOT_ENABLED: {
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
  },
  // ---- pre-flight -----------------------------------------------------------------------------
  VPC_NOT_FOUND: {
    title: 'VPC not found',
    retryable: false,
    docsUrl: 'https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html',
    message: (ev) => sentence(`VPC ${ev.s('vpcId', '(unknown)')} does not exist in ${ev.region()}${ev.opt('accountId', (v) => ` of account ${v}`)}.`),
    remediation: (ev) => [
      `List the VPCs of that region: aws ec2 describe-vpcs --region ${ev.s('region', '<region>')} --query "Vpcs[].[VpcId,Tags]"`,
      'Pick a VPC of the same account and region as the cluster (VPCs are regional), and subnets and security groups of that VPC.',
    ],
  },
  SUBNET_NOT_FOUND: {
    title: 'Subnet not found',
    retryable: false,
    docsUrl: 'https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html',
    message: (ev) => sentence(`${ev.noun('subnetIds', 'Subnet', 'Subnets')} ${ev.s('subnetIds', '(unknown)')} ${ev.noun('subnetIds', 'does', 'do')} not exist in ${ev.region()}.`),
    remediation: (ev) => [
      `List the subnets of the VPC: aws ec2 describe-subnets --region ${ev.s('region', '<region>')} --filters Name=vpc-id,Values=${ev.s('vpcId', '<vpc id>')}`,
      'Replace the missing subnet ids with subnets of that VPC.',
    ],
  },
  SUBNET_NOT_IN_VPC: {
    title: 'Subnet belongs to another VPC',
    retryable: false,
    docsUrl: 'https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html',
    message: (ev) =>
      sentence(`${ev.noun('subnetIds', 'Subnet', 'Subnets')} ${ev.s('subnetIds', '(unknown)')} ${ev.noun('subnetIds', 'is', 'are')} not in VPC ${ev.s('vpcId', '(unknown)')}${ev.opt('detail', (v) => ` (${v})`)}.`),
    remediation: (ev) => [
      `Use only subnets of ${ev.s('vpcId', 'the chosen VPC')}: aws ec2 describe-subnets --filters Name=vpc-id,Values=${ev.s('vpcId', '<vpc id>')}`,
    ],
  },
  SECURITY_GROUP_NOT_IN_VPC: {
    title: 'Security group not found in the VPC',
    retryable: false,
    docsUrl: 'https://docs.aws.amazon.com/eks/latest/userguide/sec-group-reqs.html',
    message: (ev) =>
      sentence(
        `${ev.noun('securityGroupIds', 'Security group', 'Security groups')} ${ev.s('securityGroupIds', '(unknown)')} ${
          ev.has('detail') ? pluralVerb(ev.s('detail'), ev.many('securityGroupIds')) : `${ev.noun('securityGroupIds', 'is', 'are')} not in VPC ${ev.s('vpcId', '(unknown)')}`
        }.`,
      ),
    remediation: (ev) => [
      `List the security groups of the VPC: aws ec2 describe-security-groups --region ${ev.s('region', '<region>')} --filters Name=vpc-id,Values=${ev.s('vpcId', '<vpc id>')}`,
      'Use security groups of the cluster\'s VPC (at most 5), or leave securityGroupIds empty to let EKS create the cluster security group.',
    ],
  },
  SUBNETS_INSUFFICIENT: {
    title: 'Not enough subnets or Availability Zones',
    retryable: false,
    docsUrl: 'https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html',
    message: (ev) =>
      sentence(
        `Amazon EKS needs at least two subnets in at least two different Availability Zones;
         ${ev.has('availabilityZones') ? `the usable subnets are in ${ev.s('availabilityZones')} only` : 'fewer were given'}.`,
      ),
    remediation: (ev) => [
      `Choose subnets of ${ev.s('vpcId', 'the VPC')} in at least two Availability Zones${ev.opt('validZones', (v) => ` (EKS accepts: ${v})`)}.`,
      'If the VPC has only one zone, add a subnet in a second Availability Zone first.',
    ],
  },
  UNSUPPORTED_AVAILABILITY_ZONE: {
    title: 'Amazon EKS does not support an Availability Zone you chose',
    retryable: false,
    docsUrl: 'https://docs.aws.amazon.com/eks/latest/userguide/troubleshooting.html#ice',
    message: (ev) =>
      sentence(
        `Amazon EKS cannot place the control plane in ${ev.s('unsupportedZones', 'one of the chosen Availability Zones')}
         ${ev.opt('subnetIds', (v) => `(subnet ${v})`)}: the zone does not have sufficient capacity for EKS.
         ${ev.opt('validZones', (v) => `Zones EKS accepts here: ${v}.`)}`,
      ),
    remediation: (ev) => [
      `Replace the subnets in ${ev.s('unsupportedZones', 'that zone')} with subnets in ${ev.s('validZones', 'other Availability Zones')}.`,
      'Availability Zone names differ between accounts; the zone id (e.g. use1-az3) is what EKS rejects.',
    ],
  },
  INSTANCE_TYPE_NOT_OFFERED: {
    title: 'Instance type not offered in the chosen Availability Zones',
    retryable: false,
    docsUrl: 'https://docs.aws.amazon.com/ec2/latest/instancetypes/ec2-instance-regions.html',
    message: (ev) =>
      sentence(
        `Instance type ${ev.s('instanceType', '(unknown)')} is not offered in ${ev.s('unsupportedZones', ev.s('availabilityZones', ev.region()))}.`,
      ),
    remediation: (ev) => [
      `See where it is offered: aws ec2 describe-instance-type-offerings --location-type availability-zone --filters Name=instance-type,Values=${ev.s('instanceType', '<type>')} --region ${ev.s('region', '<region>')}`,
      'Choose an instance type offered in every chosen zone (e.g. t3.medium or m5.large), or subnets in zones that offer it.',
    ],
  },
  KUBERNETES_VERSION_UNSUPPORTED: {
    title: 'Kubernetes version not offered by Amazon EKS',
    retryable: false,
    docsUrl: 'https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html',
    message: (ev) =>
      sentence(
        `Amazon EKS does not offer Kubernetes ${ev.s('kubernetesVersion', '(unknown)')} in ${ev.region()}.
         ${ev.opt('supportedVersions', (v) => `Offered: ${v}.`)}`,
      ),
    remediation: () => [
      'Choose one of the offered versions, or leave kubernetesVersion empty to get the newest version in standard support.',
    ],
  },
  PASS_ROLE_DENIED: {
    title: 'The provision role may not pass a role to EKS',
    retryable: false,
    docsUrl: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html',
    message: (ev) =>
      sentence(
        `Role B ${ev.opt('roleArn', (v) => `(${v})`)} is not allowed to perform iam:PassRole on ${ev.s('resource', ev.s('serviceRoleArn', 'the cluster or node role'))}.${ev.aws()}`,
      ),
    remediation: (ev) => [
      `Allow role B iam:PassRole on ${ev.s('resource', ev.s('serviceRoleArn', 'role A and the node role'))} (condition iam:PassedToService = eks.amazonaws.com for role A and the node role, pods.eks.amazonaws.com for the EBS CSI driver role). ${provisionPolicyHint}`,
      ...(ev.has('stackName') ? [`Delete the failed stack ${ev.s('stackName')} if it is still there, then try again.`] : ['Then try again.']),
    ],
  },
  PERMISSION_DENIED: {
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
      ...(ev.has('stackName') ? [`Delete the failed stack ${ev.s('stackName')} if it is still there, then try again.`] : ['Then try again.']),
    ],
  },
  NAME_ALREADY_IN_USE: {
    title: 'Cluster name already in use',
    retryable: false,
    docsUrl: 'https://docs.aws.amazon.com/eks/latest/userguide/create-cluster.html',
    message: (ev) =>
      sentence(
        `The name ${ev.opt('clusterName', (v) => `"${v}"`)} is already used by ${ev.s('detail', 'another cluster or stack')}
         ${ev.opt('region', (v) => `in ${v}`)}${ev.opt('accountId', (v) => ` of account ${v}`)}.`,
      ),
    remediation: (ev) => [
      'Choose another cluster name (names are unique per account and region, for EKS clusters and CloudFormation stacks).',
      ...(ev.has('stackName')
        ? [`Or, if ${ev.s('stackName')} is a leftover of a failed attempt, delete it: aws cloudformation delete-stack --stack-name ${ev.s('stackName')}${ev.opt('region', (v) => ` --region ${v}`)}`]
        : []),
    ],
  },
  QUOTA_EXCEEDED: {
    title: 'A service quota was reached',
    retryable: false,
    docsUrl: 'https://docs.aws.amazon.com/eks/latest/userguide/service-quotas.html',
    message: (ev) =>
      sentence(
        `AWS refused to create ${ev.s('resourceType', 'a resource')}: the ${ev.s('quotaName', 'service quota')} was reached${ev.opt('region', (v) => ` in ${v}`)}.${ev.aws()}`,
      ),
    remediation: (ev) => [
      `Free capacity (delete unused ${ev.s('resourceType', 'resources')}) or request a quota increase in the Service Quotas console${ev.opt('quotaName', (v) => ` for "${v}"`)}.`,
      ...(ev.has('stackName') ? [`Delete the failed stack ${ev.s('stackName')} and create the cluster again.`] : ['Then try again.']),
    ],
  },
  NODE_CREATION_FAILURE: {
    title: 'Worker nodes failed to join the cluster',
    retryable: false,
    docsUrl: 'https://docs.aws.amazon.com/eks/latest/userguide/troubleshooting.html#worker-node-fail',
    message: (ev) =>
      sentence(
        `The managed node group could not bring nodes into the cluster${ev.opt('instanceIds', (v) => ` (instances ${v})`)}.${ev.opt('reason', (v) => ` EKS says: "${v}".`)}`,
      ),
    remediation: () => [
      'Check that the subnets can reach the EKS endpoint and ECR: public subnets need "auto-assign public IPv4"; private subnets need a NAT gateway or VPC endpoints (ecr.api, ecr.dkr, s3, sts, ec2).',
      'Check that the node IAM role has AmazonEKSWorkerNodePolicy, AmazonEC2ContainerRegistryReadOnly and AmazonEKS_CNI_Policy.',
      'Check that the security groups allow traffic between the nodes and the cluster security group.',
      'Then delete the failed stack and create the cluster again.',
    ],
  },
  PROVISIONING_TIMEOUT: {
    title: 'Provisioning did not finish in time',
    retryable: true,
    docsUrl: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/troubleshooting.html',
    message: (ev) =>
      sentence(
        `Stack ${ev.s('stackName', '(unknown)')} was still ${ev.s('status', 'in progress')} after ${ev.s('elapsedSeconds', ev.s('maxSeconds', 'the maximum'))} seconds; the service stopped following it.`,
      ),
    remediation: (ev) => [
      `Look at the stack's Events tab (CloudFormation console${ev.opt('region', (v) => `, region ${v}`)}) to see which resource is slow.`,
      'If the stack completes later, the cluster is usable; otherwise delete the stack and try again.',
    ],
  },
  // The execution ended without running its own failure handling (no Catch): recorded from Step
  // Functions' "Execution Status Change" event. Evidence: executionArn, consoleUrl, error, cause,
  // stackName, timeoutSeconds.
  EXECUTION_TIMED_OUT: {
    title: 'Provisioning ran out of time',
    retryable: true,
    docsUrl: 'https://docs.aws.amazon.com/step-functions/latest/dg/sfn-stuck-execution.html',
    message: (ev) =>
      sentence(
        `The provisioning run reached its time limit${ev.opt('timeoutSeconds', (v) => ` (${v} seconds)`)} and Step Functions stopped it before it could finish or explain a failure.
         ${ev.opt('executionArn', (v) => `Execution: ${v}.`)}`,
      ),
    remediation: (ev) => [
      `Open the execution${ev.opt('consoleUrl', (v) => ` (${v})`)} and look at the last state it was in.`,
      ev.has('stackName')
        ? `If CloudFormation stack ${ev.s('stackName')} exists, check its Events tab: it may still be creating, or have failed at a resource.`
        : 'If a CloudFormation stack was created for the cluster, check its Events tab.',
      'Submit the cluster again once the cause is clear.',
    ],
  },
  EXECUTION_ABORTED: {
    title: 'Provisioning was stopped',
    retryable: true,
    docsUrl: 'https://docs.aws.amazon.com/step-functions/latest/apireference/API_StopExecution.html',
    message: (ev) =>
      sentence(
        `Someone stopped the provisioning run (Step Functions StopExecution)${ev.opt('error', (v) => ` with error "${v}"`)}${ev.opt('cause', (v) => ` and cause "${v}"`)}.
         ${ev.opt('executionArn', (v) => `Execution: ${v}.`)}`,
      ),
    remediation: (ev) => [
      `Open the execution${ev.opt('consoleUrl', (v) => ` (${v})`)} to see the state it was stopped in.`,
      ev.has('stackName')
        ? `If CloudFormation stack ${ev.s('stackName')} exists, it keeps going without the service: delete it, or wait for it and submit again.`
        : 'Any CloudFormation stack already created keeps going without the service: check the CloudFormation console.',
      'Submit the cluster again if it is still wanted.',
    ],
  },
  EXECUTION_FAILED: {
    title: 'Provisioning stopped on an internal error',
    retryable: true,
    docsUrl: 'https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html',
    message: (ev) =>
      sentence(
        `The provisioning run failed before it could record why${ev.opt('error', (v) => ` (${v}${ev.has('cause') ? `: ${ev.s('cause')}` : ''})`)}.
         ${ev.opt('executionArn', (v) => `Execution: ${v}.`)}`,
      ),
    remediation: (ev) => [
      `Open the execution${ev.opt('consoleUrl', (v) => ` (${v})`)} and read the error of the last state.`,
      'If the error is States.Runtime or a quota, report it to the service operator: it is not caused by your settings.',
      'Submit the cluster again.',
    ],
  },
  NODES_NOT_READY: {
    title: 'Worker nodes did not become Ready',
    retryable: true,
    docsUrl: 'https://docs.aws.amazon.com/eks/latest/userguide/troubleshooting.html#worker-node-fail',
    message: (ev) =>
      sentence(
        `The cluster and its node group were created, but only ${ev.s('readyNodes', '0')} of ${ev.s('expectedNodes', 'the requested')} nodes were Ready after ${ev.s('elapsedSeconds', 'the')} seconds${ev.opt('registeredNodes', (v) => ` (${v} registered with the API server)`)}.${ev.opt('reason', (v) => ` Kubernetes says: "${v}".`)}`,
      ),
    remediation: (ev) => [
      `Look at the nodes: kubectl get nodes -o wide, then kubectl describe node <name> (Conditions) — or the node group's Health tab in the EKS console${ev.opt('clusterName', (v) => ` (cluster ${v})`)}.`,
      'Nodes that never register cannot reach the API server: the subnets need a route to the EKS endpoint and to ECR (public subnets with "auto-assign public IPv4", or a NAT gateway / VPC endpoints for private subnets), and the security groups must allow traffic to the cluster security group.',
      'Nodes registered but NotReady usually wait for the VPC CNI: check the aws-node pods in kube-system and that the node role has AmazonEKS_CNI_Policy.',
      'The cluster itself is kept; once the nodes are Ready, submit the cluster again under a new name or use it as it is.',
    ],
  },
  KUBERNETES_API_UNREACHABLE: {
    title: "The cluster's Kubernetes API could not be reached",
    retryable: true,
    docsUrl: 'https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html',
    message: (ev) =>
      sentence(
        `The cluster was created, but the service could not connect to its Kubernetes API${ev.opt('endpoint', (v) => ` at ${v}`)}${ev.opt('detail', (v) => `: ${v}`)}.${ev.has('privateOnly') && ev.s('privateOnly') === 'true' ? ' The endpoint is private only: it is reachable from inside the VPC, not from the service.' : ''}`,
      ),
    remediation: (ev) => [
      ev.has('privateOnly') && ev.s('privateOnly') === 'true'
        ? `Enable public access to the endpoint (EKS console → ${ev.s('clusterName', 'the cluster')} → Networking → Manage endpoint access → Public and private), optionally limited to known CIDR blocks, then configure the cluster again.`
        : `Check that the endpoint's public access CIDR blocks${ev.opt('publicAccessCidrs', (v) => ` (now ${v})`)} include the service's addresses, and that the endpoint answers (aws eks describe-cluster --name ${ev.s('clusterName', '<name>')}${ev.opt('region', (v) => ` --region ${v}`)}).`,
      'The cluster itself is kept; nothing inside it was changed by this step.',
    ],
  },
  KUBERNETES_FORBIDDEN: {
    title: 'The provision role may not configure the cluster',
    retryable: false,
    docsUrl: 'https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html',
    message: (ev) =>
      sentence(
        `The Kubernetes API answered ${ev.s('status', '403')} to the provision role${ev.opt('roleArn', (v) => ` ${v}`)}${ev.opt('operation', (v) => ` (${v})`)}${ev.opt('detail', (v) => `: "${v}"`)}. ${ev.s('status') === '401' ? 'The role has no access entry on the cluster (EKS maps it to no Kubernetes user).' : 'Its access entry does not allow this.'}`,
      ),
    remediation: (ev) => [
      `Give the provision role cluster-admin: aws eks create-access-entry --cluster-name ${ev.s('clusterName', '<name>')} --principal-arn ${ev.s('roleArn', '<role B ARN>')}${ev.opt('region', (v) => ` --region ${v}`)}, then aws eks associate-access-policy with --policy-arn arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy --access-scope type=cluster.`,
      "Check the cluster's authentication mode allows access entries (API or API_AND_CONFIG_MAP).",
      'The cluster itself is kept; submit it again (new name) or configure it by hand.',
    ],
  },
  UNKNOWN: {
    title: 'Provisioning failed',
    retryable: false,
    docsUrl: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/troubleshooting.html',
    // A stack is blamed (and its deletion asked for) only when it exists: `stackId` is known, or its
    // events were read. Before CreateStack succeeded the message says what was refused or failed.
    message: (ev) =>
      sentence(
        `${
          stackExists(ev)
            ? `Stack ${ev.s('stackName')} failed`
            : ev.has('operation')
              ? `AWS refused ${ev.s('operation')}${ev.opt('stackName', (v) => ` for stack ${v}, so the stack was not created`)}`
              : ev.has('step')
                ? `Step ${ev.s('step')} failed${ev.opt('stackName', () => ' before any CloudFormation stack was created')}`
                : 'A provisioning step failed'
        }${ev.opt('status', (v) => ` with status ${v}`)}${ev.opt('logicalId', (v) => ` at ${v}`)}${ev.opt('resourceType', (v) => ` (${v})`)}.
         ${ev.opt('reason', (v) => `Reason: "${v}".`)}${ev.has('reason') ? '' : ev.aws('AWS answered: ')}`,
      ),
    remediation: (ev) => [
      stackExists(ev)
        ? `Inspect the stack's Events tab in the CloudFormation console for the first failed resource, fix the cause, delete stack ${ev.s('stackName')} and try again.`
        : 'Fix the cause above and try again; no CloudFormation stack was created for this cluster.',
    ],
  },
  // ---- deleting a cluster ----------------------------------------------------------------------
  DELETE_NOT_PERMITTED: {
    title: 'The provision role may not delete the cluster stack',
    retryable: false,
    docsUrl: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cfn-console-delete-stack.html',
    message: (ev) =>
      sentence(
        `Role ${ev.s('roleArn', 'B (the provision role)')} is not allowed to perform ${ev.s('action', 'cloudformation:DeleteStack')}${ev.opt('resource', (v) => ` on ${v}`)},
         so stack ${ev.s('stackName', '(unknown)')}${ev.opt('region', (v) => ` in ${v}`)}${ev.opt('accountId', (v) => ` (account ${v})`)} was not deleted.
         By default role B may create clusters but never delete anything; deleting needs the optional delete statement, or your own credentials.${ev.aws()}`,
      ),
    remediation: (ev) => manualDeletionSteps(ev),
  },
  DELETE_FAILED: {
    title: 'The cluster stack could not be deleted',
    retryable: true,
    docsUrl: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/troubleshooting.html#troubleshooting-errors-delete-stack-fails',
    message: (ev) =>
      sentence(
        `Deleting stack ${ev.s('stackName', '(unknown)')}${ev.opt('region', (v) => ` in ${v}`)} stopped${ev.opt('status', (v) => ` in ${v}`)}${ev.opt('logicalId', (v) => `: ${v}`)}${ev.opt('resourceType', (v) => ` (${v})`)}${ev.opt('physicalId', (v) => ` ${v}`)}${ev.has('logicalId') ? ' could not be deleted' : ''}.
         ${ev.opt('reason', (v) => `AWS says: "${v}".`)}${ev.has('reason') ? '' : ev.aws('AWS answered: ')}
         ${inUse(ev) ? 'Something outside the stack still uses it: typically a load balancer that a Kubernetes Service of type LoadBalancer (or an Ingress) created, whose network interfaces keep the security group, subnets or VPC busy.' : ''}
         ${ev.opt('detail', (v) => v)}`,
      ),
    remediation: (ev) => {
      const region = ev.s('region', '<region>');
      const steps: string[] = [];
      if (inUse(ev)) {
        const sg = /\b(sg-[0-9a-f]+)/.exec(ev.s('reason'))?.[1];
        steps.push(
          'Before deleting a cluster, delete its Services of type LoadBalancer and its Ingresses (kubectl delete svc,ingress --all-namespaces --field-selector metadata.namespace!=kube-system … or per namespace) so their load balancers go too.',
          sg
            ? `If the cluster is already gone, find what still uses ${sg}: aws ec2 describe-network-interfaces --region ${region} --filters Name=group-id,Values=${sg} --query "NetworkInterfaces[].[NetworkInterfaceId,Description]"; delete the load balancer named in the description (aws elbv2 delete-load-balancer / aws elb delete-load-balancer), then its security group.`
            : `Find load balancers left in the VPC: aws elbv2 describe-load-balancers --region ${region} (and aws elb describe-load-balancers); delete the ones Kubernetes created (tag kubernetes.io/cluster/<name> or elbv2.k8s.aws/cluster).`,
        );
      } else if (/not authorized|AccessDenied|UnauthorizedOperation/i.test(ev.s('reason'))) {
        steps.push('Role B lacks a delete permission for this resource: add the delete statement from GET /v1/setup (provisionRoleDeleteStatement) to role B, complete.');
      } else if (ev.has('logicalId') || ev.s('status') === 'DELETE_FAILED') {
        steps.push(`Look at the stack's Events tab (CloudFormation console${ev.opt('region', (v) => `, region ${v}`)}) for the DELETE_FAILED resource and fix what AWS names.`);
      } else {
        // No resource failed: the stack was still deleting (or could not be looked at) when the run gave up.
        steps.push(`See where the stack stands: aws cloudformation describe-stacks --stack-name ${ev.s('stackName', '<stack>')} --region ${region} (DELETE_IN_PROGRESS: let it finish; DELETE_FAILED: its Events tab names the resource).`);
      }
      steps.push(
        ev.has('clusterId')
          ? `Then delete again: eks-provisioner delete ${ev.s('clusterId')} (or DELETE /v1/clusters/${ev.s('clusterId')}); the stack resumes from where it stopped.`
          : 'Then delete the cluster again; the stack resumes from where it stopped.',
        `If a resource cannot be deleted at all, remove it by hand and skip it: aws cloudformation delete-stack --stack-name ${ev.s('stackId', ev.s('stackName', '<stack>'))} --region ${region} --retain-resources ${ev.s('logicalId', '<LogicalId>')}`,
      );
      return steps;
    },
  },
  // A delete execution that ended without its own failure handling (record-ended-execution). The
  // record goes back to FAILED so that deleting again is allowed; the stack may still be deleting.
  DELETE_EXECUTION_TIMED_OUT: {
    title: 'Deleting the cluster ran out of time',
    retryable: true,
    docsUrl: 'https://docs.aws.amazon.com/step-functions/latest/dg/sfn-stuck-execution.html',
    message: (ev) =>
      sentence(
        `The deletion run reached its time limit${ev.opt('timeoutSeconds', (v) => ` (${v} seconds)`)} and Step Functions stopped it before it could record the end of the deletion.
         ${ev.opt('executionArn', (v) => `Execution: ${v}.`)}`,
      ),
    remediation: (ev) => deletionEndedSteps(ev, 'and look at the last state it was in'),
  },
  DELETE_EXECUTION_ABORTED: {
    title: 'Deleting the cluster was stopped',
    retryable: true,
    docsUrl: 'https://docs.aws.amazon.com/step-functions/latest/apireference/API_StopExecution.html',
    message: (ev) =>
      sentence(
        `Someone stopped the deletion run (Step Functions StopExecution)${ev.opt('error', (v) => ` with error "${v}"`)}${ev.opt('cause', (v) => ` and cause "${v}"`)}.
         ${ev.opt('executionArn', (v) => `Execution: ${v}.`)}`,
      ),
    remediation: (ev) => deletionEndedSteps(ev, 'to see the state it was stopped in'),
  },
  DELETE_EXECUTION_FAILED: {
    title: 'Deleting the cluster stopped on an internal error',
    retryable: true,
    docsUrl: 'https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html',
    message: (ev) =>
      sentence(
        `The deletion run failed before it could record why${ev.opt('error', (v) => ` (${v}${ev.has('cause') ? `: ${ev.s('cause')}` : ''})`)}.
         ${ev.opt('executionArn', (v) => `Execution: ${v}.`)}`,
      ),
    remediation: (ev) => [
      ...deletionEndedSteps(ev, 'and read the error of the last state'),
      'If the error is States.Runtime or a quota, report it to the service operator: it is not caused by your cluster.',
    ],
  },
  EXTERNAL_ID_NOT_REQUIRED: {
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
  },
  // ---- the External ID proof: role B reads its own trust policy -----------------------------------
  TRUST_POLICY_UNREADABLE: {
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
  },

  // ---- Cluster updates (PATCH /v1/clusters/{id}, statemachine/update-cluster.asl.json) ----------
  UPDATE_ROLLED_BACK: {
    title: 'The update failed and CloudFormation rolled the cluster back',
    retryable: true,
    docsUrl: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-rollback-triggers.html',
    message: (ev) =>
      sentence(
        `Updating stack ${ev.s('stackName', '(unknown)')}${ev.opt('region', (v) => ` in ${v}`)} failed${ev.opt('logicalId', (v) => ` at ${v}`)}${ev.opt('resourceType', (v) => ` (${v})`)}${ev.opt('reason', (v) => `: "${v}"`)}.
         CloudFormation rolled every change back: the cluster runs as it did before the update${ev.opt('from', (v) => ` (${v})`)}.`,
      ),
    remediation: (ev) => [
      `See what failed: aws cloudformation describe-stack-events --stack-name ${ev.s('stackName', '<stack>')} --region ${ev.s('region', '<region>')} (the first UPDATE_FAILED event).`,
      'Fix the cause, then send the change again (PATCH /v1/clusters/{id} or eks-provisioner update): the cluster is CREATED and can be updated.',
    ],
  },
  UPDATE_ROLLBACK_FAILED: {
    title: 'The update failed and the rollback could not finish',
    retryable: false,
    docsUrl: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/troubleshooting.html#troubleshooting-errors-update-rollback-failed',
    message: (ev) =>
      sentence(
        `Updating stack ${ev.s('stackName', '(unknown)')}${ev.opt('region', (v) => ` in ${v}`)} failed, and rolling it back failed too${ev.opt('logicalId', (v) => ` at ${v}`)}${ev.opt('reason', (v) => `: "${v}"`)}.
         The stack is in UPDATE_ROLLBACK_FAILED: nothing can change it until the rollback is continued.`,
      ),
    remediation: (ev) => [
      `Fix what blocks the rollback${ev.opt('logicalId', (v) => ` of ${v}`)} if you can (e.g. a resource changed or deleted outside the stack), then continue it: aws cloudformation continue-update-rollback --stack-name ${ev.s('stackName', '<stack>')} --region ${ev.s('region', '<region>')}${ev.opt('skip', (v) => ` --resources-to-skip ${v}`)}`,
      'Skipped resources are left as they are and no longer match the stack: check them afterwards.',
      'Once the stack is UPDATE_ROLLBACK_COMPLETE, send the change again.',
    ],
  },
  NODEGROUP_UPDATE_BLOCKED_BY_PDB: {
    title: 'A PodDisruptionBudget blocked the node update',
    retryable: true,
    docsUrl: 'https://docs.aws.amazon.com/eks/latest/userguide/managed-node-update-behavior.html',
    message: (ev) =>
      sentence(
        `EKS could not drain the old nodes of node group ${ev.s('nodegroupName', '(unknown)')}: evicting pods failed (PodEvictionFailure)${ev.opt('pdb', (v) => ` because PodDisruptionBudget ${v}`)}${ev.opt('namespace', (v) => ` in namespace ${v}`)}${ev.has('pdb') ? ' allows no disruption' : ''}.${ev.opt('reason', (v) => ` EKS says: "${v}".`)}
         CloudFormation rolled the update back.`,
      ),
    remediation: (ev) => [
      `Find the budget: kubectl get pdb ${ev.has('namespace') ? `-n ${ev.s('namespace')}` : '-A'} — ALLOWED DISRUPTIONS 0 blocks every eviction.`,
      'Scale the workload up (so one pod may go) or relax the budget (maxUnavailable: 1) for the update, then send the change again.',
      'EKS can also force the drain (UpdateNodegroupVersion --force), which ignores the budget: only if losing those pods at once is acceptable.',
    ],
  },
  UPGRADE_BLOCKED_BY_INSIGHT: {
    title: 'EKS upgrade insights found a problem that blocks the upgrade',
    retryable: false,
    docsUrl: 'https://docs.aws.amazon.com/eks/latest/userguide/cluster-insights.html',
    message: (ev) =>
      sentence(
        `Before upgrading to ${ev.s('to', 'the next version')}, EKS upgrade insights report ${ev.s('insight', 'an ERROR')}${ev.opt('detail', (v) => `: ${v}`)}. Nothing was changed.`,
      ),
    remediation: (ev) => [
      `Read the insight: aws eks describe-insight --cluster-name ${ev.s('clusterName', '<cluster>')} --id ${ev.s('insightId', '<insight id>')} --region ${ev.s('region', '<region>')} (or the cluster's Upgrade insights tab).`,
      'Fix what it lists (typically move clients off Kubernetes APIs removed in the new version), wait for the insight to turn PASSING (EKS refreshes it daily), and send the change again.',
      'To upgrade anyway, send the change with ?force=true (eks-provisioner update --force): what the insight lists may break.',
    ],
  },
  CLUSTER_DRIFTED: {
    title: 'The cluster was changed outside the service',
    retryable: false,
    docsUrl: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-drift.html',
    message: (ev) =>
      sentence(
        `The live cluster no longer matches its stack ${ev.s('stackName', '')}: ${ev.s('detail', 'something differs')}. Updating now would undo that change, so nothing was changed.`,
      ),
    remediation: (ev) => [
      'Decide which is right. To keep the live value, send it as the new setting in your change (PATCH /v1/clusters/{id}), so the stack learns it.',
      `To return to the stack's value, change the cluster back (EKS console or aws eks …${ev.opt('region', (v) => ` --region ${v}`)}), then send the change again.`,
    ],
  },
  UPDATE_NOT_PERMITTED: {
    title: 'The provision role may not update the cluster',
    retryable: false,
    docsUrl: 'https://docs.aws.amazon.com/eks/latest/userguide/update-cluster.html',
    message: (ev) =>
      sentence(
        `Role ${ev.s('roleArn', 'B (the provision role)')} is not allowed to perform ${ev.s('action', 'an update action')}${ev.opt('resource', (v) => ` on ${v}`)}${ev.opt('logicalId', (v) => ` (stack resource ${v})`)}. ${ev.has('rolledBack') ? 'CloudFormation rolled the update back: the cluster is as before.' : 'Nothing was changed.'}${ev.aws()}`,
      ),
    remediation: (ev) => [
      `Role B was made with an older provision policy. Add the update statements to its policy (IAM console → Roles → role B → Permissions)${ev.opt('statements', (v) => `: ${v}`)} — or replace the policy with provisionRolePolicy from GET /v1/setup, which has them.`,
      'Then send the change again.',
    ],
  },
  SUBNET_IPS_EXHAUSTED: {
    title: "The cluster's subnets have too few free IP addresses",
    retryable: false,
    docsUrl: 'https://docs.aws.amazon.com/eks/latest/userguide/update-cluster.html',
    message: (ev) =>
      sentence(
        `An EKS control-plane upgrade needs up to five free IP addresses in the cluster's subnets; ${ev.s('detail', 'they have fewer')}. Nothing was changed.`,
      ),
    remediation: () => [
      'Free addresses in those subnets (delete unused network interfaces, scale down pods using them), or add a CIDR block to the VPC and subnets.',
      'Then send the change again.',
    ],
  },
  NODEGROUP_VERSION_SKEW: {
    title: 'The node group is too many versions behind the control plane',
    retryable: false,
    docsUrl: 'https://docs.aws.amazon.com/eks/latest/userguide/update-managed-node-group.html',
    message: (ev) =>
      sentence(
        `The node group runs Kubernetes ${ev.s('nodeVersion', '(unknown)')} and the control plane ${ev.s('clusterVersion', '(unknown)')}; after an upgrade to ${ev.s('to', 'the next version')} the nodes would be more than ${ev.s('maxSkew', '3')} minor versions behind, which Kubernetes does not support. Nothing was changed.`,
      ),
    remediation: (ev) => [
      `Bring the nodes up to the control plane first: aws eks update-nodegroup-version --cluster-name ${ev.s('clusterName', '<cluster>')} --nodegroup-name ${ev.s('nodegroupName', '<node group>')}${ev.opt('region', (v) => ` --region ${v}`)}.`,
      'Then send the upgrade again.',
    ],
  },
  UPDATE_EXECUTION_ENDED: {
    title: 'The update run ended before it finished',
    retryable: true,
    docsUrl: 'https://docs.aws.amazon.com/step-functions/latest/dg/sfn-stuck-execution.html',
    message: (ev) =>
      sentence(
        `The update run ${ev.s('ended', 'ended')} before it could finish or explain a failure${ev.opt('executionArn', (v) => ` (execution ${v})`)}.
         CloudFormation goes on with a change set it had started: the stack finishes the update or rolls it back on its own.`,
      ),
    remediation: (ev) => [
      `Open the execution${ev.opt('consoleUrl', (v) => ` (${v})`)} and look at the last state it was in.`,
      `See where the stack is: aws cloudformation describe-stacks --stack-name ${ev.s('stackName', '<stack>')} --region ${ev.s('region', '<region>')} (UPDATE_COMPLETE, or UPDATE_ROLLBACK_COMPLETE when it was rolled back).`,
      'Once it is stable, send the change again: the cluster is CREATED and can be updated.',
    ],
  },
};

/** A deletion failure caused by something outside the stack still using the resource. */
function inUse(ev: Ev): boolean {
  return /DependencyViolation|dependent object|in use|has dependencies/i.test(`${ev.s('reason')} ${ev.s('awsErrorCode')} ${ev.s('awsMessage')}`);
}

/** DELETE_NOT_PERMITTED: the exact commands to delete by hand, or to let the service do it. */
/** What to do after a deletion run ended without recording its end: look, then delete again (it picks the stack up where it is). */
function deletionEndedSteps(ev: Ev, look: string): string[] {
  const region = ev.s('region', '<region>');
  const stack = ev.s('stackId', ev.s('stackName'));
  const again = ev.has('clusterId') ? `eks-provisioner delete ${ev.s('clusterId')} (or DELETE /v1/clusters/${ev.s('clusterId')})` : 'eks-provisioner delete <cluster id> (or DELETE /v1/clusters/<id>)';
  return [
    `Open the execution${ev.opt('consoleUrl', (v) => ` (${v})`)} ${look}.`,
    stack
      ? `CloudFormation goes on deleting without the service: see where stack ${ev.s('stackName', stack)} is with aws cloudformation describe-stacks --stack-name ${stack} --region ${region} (DELETE_IN_PROGRESS, DELETE_FAILED, or DELETE_COMPLETE once gone).`
      : "CloudFormation goes on deleting without the service: check the cluster's stack in the CloudFormation console.",
    `Then delete again: ${again}. It follows the stack from where it is, and records DELETED at once if the stack is already gone.`,
  ];
}

function manualDeletionSteps(ev: Ev): string[] {
  const stack = ev.s('stackName', '<stack name>');
  const stackId = ev.s('stackId', stack);
  const region = ev.s('region', '<region>');
  const role = ev.has('roleArn') ? roleNameOf(ev.s('roleArn')) : '<role B name>';
  const again = ev.has('clusterId') ? `eks-provisioner delete ${ev.s('clusterId')} (or DELETE /v1/clusters/${ev.s('clusterId')})` : 'DELETE /v1/clusters/<id>';
  return [
    `Either let the service delete it: add the delete statement from GET /v1/setup (provisionRoleDeleteStatement, scoped to what the service made) to role B, e.g. save it as delete-statement.json and run aws iam put-role-policy --role-name ${role} --policy-name eks-provisioner-delete --policy-document file://delete-statement.json; then ${again} again.`,
    `Or delete it yourself, with credentials of account ${ev.s('accountId', '<account>')} that may delete the stack's EKS cluster, node group, add-ons, access entries and IAM roles: aws cloudformation delete-stack --stack-name ${stackId} --region ${region}`,
    `Wait for it to finish: aws cloudformation wait stack-delete-complete --stack-name ${stackId} --region ${region} (an EKS cluster takes 10–15 minutes).`,
    `If it stops in DELETE_FAILED, see why: aws cloudformation describe-stack-events --stack-name ${stackId} --region ${region} --query "StackEvents[?ResourceStatus=='DELETE_FAILED'].[LogicalResourceId,ResourceStatusReason]"`,
    `Once the stack is gone, run ${again} again: the record becomes DELETED and the name is free.`,
  ];
}

/** Builds the diagnosis for `code`, filling the entry's templates from `evidence`. */
export function makeDiagnosis(code: DiagnosisCode, evidence: Evidence = {}, extras: DiagnosisExtras = {}): Diagnosis {
  const entry = CATALOG[code] ?? CATALOG.UNKNOWN;
  const ev = new Ev(evidence, extras);
  const diagnosis: Diagnosis = {
    code,
    title: entry.title,
    message: entry.message(ev),
    remediation: entry.remediation(ev).map((s) => s.trim()).filter(Boolean),
    retryable: entry.retryable,
    docsUrl: entry.docsUrl,
    evidence,
  };
  if (extras.fields) diagnosis.fields = extras.fields;
  if (extras.problems) diagnosis.problems = extras.problems;
  if (extras.failedResource) diagnosis.failedResource = extras.failedResource;
  if (extras.cause) diagnosis.cause = extras.cause;
  return diagnosis;
}

/**
 * Several problems found at once (pre-flight) → one diagnosis: the first problem's code, every
 * problem listed in `problems`, remediation steps of all of them (duplicates dropped).
 */
export function combineDiagnoses(diagnoses: Diagnosis[]): Diagnosis | undefined {
  const [first] = diagnoses;
  if (!first) return undefined;
  if (diagnoses.length === 1) return { ...first, problems: [{ code: first.code, message: first.message }] };
  const remediation = [...new Set(diagnoses.flatMap((d) => d.remediation))];
  const fields = diagnoses.flatMap((d) => d.fields ?? []);
  const evidence: Evidence = { ...Object.assign({}, ...diagnoses.map((d) => d.evidence ?? {})), ...(first.evidence ?? {}) };
  return {
    ...first,
    title: `${diagnoses.length} problems found before creating anything`,
    message: diagnoses.map((d, i) => `${i + 1}) ${d.message}`).join(' '),
    remediation,
    retryable: diagnoses.every((d) => d.retryable),
    evidence,
    ...(fields.length ? { fields } : {}),
    problems: diagnoses.map((d) => ({ code: d.code, message: d.message })),
  };
}
