/** After the stack: the ConfigureCluster step inside the cluster (Kubernetes API, nodes). */
import { entry, sentence } from '../entry.js';

export const CLUSTER = {
  NODES_NOT_READY: entry<{
    readyNodes?: number;
    expectedNodes?: number;
    registeredNodes?: number;
    elapsedSeconds?: number;
  }>({
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
  }),
  KUBERNETES_API_UNREACHABLE: entry<{ endpoint?: string; privateOnly?: string; publicAccessCidrs?: string[] }>({
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
  }),
  KUBERNETES_FORBIDDEN: entry({
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
  }),
};
