/** Before anything is created: the settings, and the VPC, subnets, zones, key pair, instance type, version and name checked against the account. */
import { entry, pluralVerb, provisionPolicyHint, sentence } from '../entry.js';

export const PREFLIGHT = {
  VALIDATION_FAILED: entry<{ tenantId?: string }>({
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
  }),
  SECURITY_GROUPS_NOT_LOADED: entry({
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
  }),
  KEY_PAIR_NOT_FOUND: entry<{ keyName?: string }>({
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
  }),
  VPC_NOT_FOUND: entry({
    title: 'VPC not found',
    retryable: false,
    docsUrl: 'https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html',
    message: (ev) =>
      sentence(
        `VPC ${ev.s('vpcId', '(unknown)')} does not exist in ${ev.region()}${ev.opt('accountId', (v) => ` of account ${v}`)}.`,
      ),
    remediation: (ev) => [
      `List the VPCs of that region: aws ec2 describe-vpcs --region ${ev.s('region', '<region>')} --query "Vpcs[].[VpcId,Tags]"`,
      'Pick a VPC of the same account and region as the cluster (VPCs are regional), and subnets and security groups of that VPC.',
    ],
  }),
  SUBNET_NOT_FOUND: entry<{ subnetIds?: string[] }>({
    title: 'Subnet not found',
    retryable: false,
    docsUrl: 'https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html',
    message: (ev) =>
      sentence(
        `${ev.noun('subnetIds', 'Subnet', 'Subnets')} ${ev.s('subnetIds', '(unknown)')} ${ev.noun('subnetIds', 'does', 'do')} not exist in ${ev.region()}.`,
      ),
    remediation: (ev) => [
      `List the subnets of the VPC: aws ec2 describe-subnets --region ${ev.s('region', '<region>')} --filters Name=vpc-id,Values=${ev.s('vpcId', '<vpc id>')}`,
      'Replace the missing subnet ids with subnets of that VPC.',
    ],
  }),
  SUBNET_NOT_IN_VPC: entry<{ subnetIds?: string[] }>({
    title: 'Subnet belongs to another VPC',
    retryable: false,
    docsUrl: 'https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html',
    message: (ev) =>
      sentence(
        `${ev.noun('subnetIds', 'Subnet', 'Subnets')} ${ev.s('subnetIds', '(unknown)')} ${ev.noun('subnetIds', 'is', 'are')} not in VPC ${ev.s('vpcId', '(unknown)')}${ev.opt('detail', (v) => ` (${v})`)}.`,
      ),
    remediation: (ev) => [
      `Use only subnets of ${ev.s('vpcId', 'the chosen VPC')}: aws ec2 describe-subnets --filters Name=vpc-id,Values=${ev.s('vpcId', '<vpc id>')}`,
    ],
  }),
  SECURITY_GROUP_NOT_IN_VPC: entry<{ securityGroupIds?: string[] }>({
    title: 'Security group not found in the VPC',
    retryable: false,
    docsUrl: 'https://docs.aws.amazon.com/eks/latest/userguide/sec-group-reqs.html',
    message: (ev) =>
      sentence(
        `${ev.noun('securityGroupIds', 'Security group', 'Security groups')} ${ev.s('securityGroupIds', '(unknown)')} ${
          ev.has('detail')
            ? pluralVerb(ev.s('detail'), ev.many('securityGroupIds'))
            : `${ev.noun('securityGroupIds', 'is', 'are')} not in VPC ${ev.s('vpcId', '(unknown)')}`
        }.`,
      ),
    remediation: (ev) => [
      `List the security groups of the VPC: aws ec2 describe-security-groups --region ${ev.s('region', '<region>')} --filters Name=vpc-id,Values=${ev.s('vpcId', '<vpc id>')}`,
      "Use security groups of the cluster's VPC (at most 5), or leave securityGroupIds empty to let EKS create the cluster security group.",
    ],
  }),
  SUBNETS_INSUFFICIENT: entry<{ subnetIds?: string[]; availabilityZones?: string[]; validZones?: string[] }>({
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
  }),
  UNSUPPORTED_AVAILABILITY_ZONE: entry<{ subnetIds?: string[]; unsupportedZones?: string[]; validZones?: string[] }>({
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
  }),
  INSTANCE_TYPE_NOT_OFFERED: entry<{
    instanceType?: string;
    unsupportedZones?: string[];
    availabilityZones?: string[];
  }>({
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
  }),
  KUBERNETES_VERSION_UNSUPPORTED: entry<{ kubernetesVersion?: string; supportedVersions?: string[] }>({
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
  }),
  NAME_ALREADY_IN_USE: entry({
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
        ? [
            `Or, if ${ev.s('stackName')} is a leftover of a failed attempt, delete it: aws cloudformation delete-stack --stack-name ${ev.s('stackName')}${ev.opt('region', (v) => ` --region ${v}`)}`,
          ]
        : []),
    ],
  }),
};
