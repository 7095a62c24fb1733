/** Deleting a cluster (DELETE /v1/clusters/{id}): the stack could not, or may not, be deleted. */
import { type ContextEvidence, type Ev, entry, roleNameOf, sentence } from '../entry.js';

/** A deletion failure caused by something outside the stack still using the resource. */
function inUse(ev: Ev<ContextEvidence>): boolean {
  return /DependencyViolation|dependent object|in use|has dependencies/i.test(
    `${ev.s('reason')} ${ev.s('awsErrorCode')} ${ev.s('awsMessage')}`,
  );
}

/** DELETE_NOT_PERMITTED: the exact commands to delete by hand, or to let the service do it. */
function manualDeletionSteps(ev: Ev<ContextEvidence>): string[] {
  const stack = ev.s('stackName', '<stack name>');
  const stackId = ev.s('stackId', stack);
  const region = ev.s('region', '<region>');
  const role = ev.has('roleArn') ? roleNameOf(ev.s('roleArn')) : '<role B name>';
  const again = ev.has('clusterId')
    ? `eks-provisioner delete ${ev.s('clusterId')} (or DELETE /v1/clusters/${ev.s('clusterId')})`
    : 'DELETE /v1/clusters/<id>';
  return [
    `Either let the service delete it: add the delete statement from GET /v1/setup (provisionRoleDeleteStatement, scoped to what the service made) to role B, e.g. save it as delete-statement.json and run aws iam put-role-policy --role-name ${role} --policy-name eks-provisioner-delete --policy-document file://delete-statement.json; then ${again} again.`,
    `Or delete it yourself, with credentials of account ${ev.s('accountId', '<account>')} that may delete the stack's EKS cluster, node group, add-ons, access entries and IAM roles: aws cloudformation delete-stack --stack-name ${stackId} --region ${region}`,
    `Wait for it to finish: aws cloudformation wait stack-delete-complete --stack-name ${stackId} --region ${region} (an EKS cluster takes 10–15 minutes).`,
    `If it stops in DELETE_FAILED, see why: aws cloudformation describe-stack-events --stack-name ${stackId} --region ${region} --query "StackEvents[?ResourceStatus=='DELETE_FAILED'].[LogicalResourceId,ResourceStatusReason]"`,
    `Once the stack is gone, run ${again} again: the record becomes DELETED and the name is free.`,
  ];
}

export const DELETION = {
  DELETE_NOT_PERMITTED: entry({
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
  }),
  DELETE_FAILED: entry({
    title: 'The cluster stack could not be deleted',
    retryable: true,
    docsUrl:
      'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/troubleshooting.html#troubleshooting-errors-delete-stack-fails',
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
        steps.push(
          'Role B lacks a delete permission for this resource: add the delete statement from GET /v1/setup (provisionRoleDeleteStatement) to role B, complete.',
        );
      } else if (ev.has('logicalId') || ev.s('status') === 'DELETE_FAILED') {
        steps.push(
          `Look at the stack's Events tab (CloudFormation console${ev.opt('region', (v) => `, region ${v}`)}) for the DELETE_FAILED resource and fix what AWS names.`,
        );
      } else {
        // No resource failed: the stack was still deleting (or could not be looked at) when the run gave up.
        steps.push(
          `See where the stack stands: aws cloudformation describe-stacks --stack-name ${ev.s('stackName', '<stack>')} --region ${region} (DELETE_IN_PROGRESS: let it finish; DELETE_FAILED: its Events tab names the resource).`,
        );
      }
      steps.push(
        ev.has('clusterId')
          ? `Then delete again: eks-provisioner delete ${ev.s('clusterId')} (or DELETE /v1/clusters/${ev.s('clusterId')}); the stack resumes from where it stopped.`
          : 'Then delete the cluster again; the stack resumes from where it stopped.',
        `If a resource cannot be deleted at all, remove it by hand and skip it: aws cloudformation delete-stack --stack-name ${ev.s('stackId', ev.s('stackName', '<stack>'))} --region ${region} --retain-resources ${ev.s('logicalId', '<LogicalId>')}`,
      );
      return steps;
    },
  }),
};
