/** Updating a cluster (PATCH /v1/clusters/{id}, statemachine/update-cluster.asl.json): the change set, the rollback, the checks before it. */
import { entry, sentence } from '../entry.js';

export const UPDATE = {
  UPDATE_ROLLED_BACK: entry<{ from?: string }>({
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
  }),
  UPDATE_ROLLBACK_FAILED: entry<{ skip?: string }>({
    title: 'The update failed and the rollback could not finish',
    retryable: false,
    docsUrl:
      'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/troubleshooting.html#troubleshooting-errors-update-rollback-failed',
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
  }),
  NODEGROUP_UPDATE_BLOCKED_BY_PDB: entry<{
    nodegroupName?: string;
    pdb?: string;
    namespace?: string;
    /** The blocking budgets as listed through the Kubernetes API ("ns/name (minAvailable 1; …)", "; "-joined). */
    budgets?: string;
    /** 'true': matched to pods on the node group's nodes; 'false': every budget allowing no disruption. */
    budgetsMatched?: string;
    /** Why the budgets could not be listed. */
    budgetListError?: string;
  }>({
    title: 'A PodDisruptionBudget blocked the node update',
    retryable: true,
    docsUrl: 'https://docs.aws.amazon.com/eks/latest/userguide/managed-node-update-behavior.html',
    message: (ev) =>
      sentence(
        `EKS could not drain the old nodes of node group ${ev.s('nodegroupName', '(unknown)')}: evicting pods failed (PodEvictionFailure)${
          ev.has('budgets')
            ? ev.s('budgetsMatched') === 'true'
              ? `, blocked by PodDisruptionBudgets that select pods on its nodes and allow no disruption: ${ev.s('budgets')}`
              : `; these PodDisruptionBudgets allow no disruption: ${ev.s('budgets')}`
            : `${ev.opt('pdb', (v) => ` because PodDisruptionBudget ${v}`)}${ev.opt('namespace', (v) => ` in namespace ${v}`)}${ev.has('pdb') ? ' allows no disruption' : ''}`
        }.${ev.opt('budgetListError', (v) => ` The PodDisruptionBudgets could not be listed to name the one that blocks (${v}).`)}${ev.opt('reason', (v) => ` EKS says: "${v}".`)}
         CloudFormation rolled the node group update back.`,
      ),
    remediation: (ev) => [
      ev.has('pdb')
        ? `Look at the budget: kubectl get pdb ${ev.s('pdb')}${ev.opt('namespace', (v) => ` -n ${v}`)} -o yaml — ALLOWED DISRUPTIONS 0 blocks every eviction.`
        : `Find the budget: kubectl get pdb ${ev.has('namespace') ? `-n ${ev.s('namespace')}` : '-A'} — ALLOWED DISRUPTIONS 0 blocks every eviction.`,
      'Let one pod go: relax the budget for the update (a lower minAvailable, or maxUnavailable: 1) or scale the workload up so a pod may be evicted, keeping the budget in place.',
      'Then send the same change again (PATCH /v1/clusters/{id} or eks-provisioner update): it runs only what is not done yet.',
    ],
  }),
  UPGRADE_BLOCKED_BY_INSIGHT: entry<{ to?: string; insight?: string; insightId?: string }>({
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
  }),
  CLUSTER_DRIFTED: entry({
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
  }),
  UPDATE_NOT_PERMITTED: entry<{ rolledBack?: boolean; statements?: string }>({
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
  }),
  SUBNET_IPS_EXHAUSTED: entry({
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
  }),
  NODEGROUP_VERSION_SKEW: entry<{
    nodegroupName?: string;
    nodeVersion?: string;
    clusterVersion?: string;
    to?: string;
    maxSkew?: number;
  }>({
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
  }),
  UPDATE_EXECUTION_ENDED: entry<{
    ended?: string;
    executionArn?: string;
    consoleUrl?: string;
    error?: string;
    cause?: string;
  }>({
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
  }),
};
