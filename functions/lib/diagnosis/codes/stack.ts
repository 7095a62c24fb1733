/** The cluster's CloudFormation stack: a resource failed, the rollback failed, or it took too long. */
import { entry, partitionOf, roleNameOf, sentence, stackExists } from '../entry.js';

export const STACK = {
  ROLLBACK_FAILED: entry<{ resourcesToDelete?: string[] }>({
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
        ...(ev.extras.cause
          ? [`Fix the original failure first: ${ev.extras.cause.remediation[0] ?? ev.extras.cause.message}`]
          : []),
        `Delete the stack with your own credentials (the provision role cannot delete by default): aws cloudformation delete-stack --stack-name ${stack} --region ${region}`,
        `If the deletion stops at a resource in DELETE_FAILED, delete that resource yourself (for an EKS cluster: its node groups first, then the cluster), or run delete-stack again with --retain-resources <LogicalId> and remove the retained resource afterwards.`,
        'Then create the cluster again.',
      ];
    },
  }),
  CLUSTER_ROLE_MISSING_EKS_POLICY: entry<{ serviceRoleArn?: string; attachedPolicies?: string[] }>({
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
          ? [
              `Delete the failed stack ${ev.s('stackName')} (aws cloudformation delete-stack --stack-name ${ev.s('stackName')}${ev.opt('region', (v) => ` --region ${v}`)}) and create the cluster again.`,
            ]
          : ['Then create the cluster again; nothing was created.']),
      ];
    },
  }),
  QUOTA_EXCEEDED: entry<{ quotaName?: string }>({
    title: 'A service quota was reached',
    retryable: false,
    docsUrl: 'https://docs.aws.amazon.com/eks/latest/userguide/service-quotas.html',
    message: (ev) =>
      sentence(
        `AWS refused to create ${ev.s('resourceType', 'a resource')}: the ${ev.s('quotaName', 'service quota')} was reached${ev.opt('region', (v) => ` in ${v}`)}.${ev.aws()}`,
      ),
    remediation: (ev) => [
      `Free capacity (delete unused ${ev.s('resourceType', 'resources')}) or request a quota increase in the Service Quotas console${ev.opt('quotaName', (v) => ` for "${v}"`)}.`,
      ...(ev.has('stackName')
        ? [`Delete the failed stack ${ev.s('stackName')} and create the cluster again.`]
        : ['Then try again.']),
    ],
  }),
  NODE_CREATION_FAILURE: entry<{ instanceIds?: string[] }>({
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
  }),
  PROVISIONING_TIMEOUT: entry<{ elapsedSeconds?: number; maxSeconds?: number }>({
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
  }),
  UNKNOWN: entry<{ step?: string }>({
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
  }),
};
