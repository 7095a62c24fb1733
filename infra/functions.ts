/**
 * The service's Lambda functions and what each may touch. Permissions are derived from this list,
 * so a function's reach is reviewed here in one table rather than scattered over the stack.
 */
export type FunctionName =
  | 'validate-request'
  | 'assume-provision-role'
  | 'describe-vpc-resources'
  | 'create-cluster-stack'
  | 'poll-cluster-stack'
  | 'diagnose-failure'
  | 'finalize-cluster'
  | 'configure-cluster'
  | 'delete-cluster-stack'
  | 'poll-stack-deletion'
  | 'complete-deletion'
  | 'update-cluster'
  | 'record-ended-execution'
  | 'reconcile-executions'
  | 'support-check'
  | 'api';

/** What a function may do with the service table. */
export type TableAccess = 'read' | 'read-update' | 'read-write';

export interface FunctionSpec {
  name: FunctionName;
  /** CloudFormation logical id stem and the state machine substitution stem. */
  id: string;
  description: string;
  timeoutSeconds: number;
  memoryMb: number;
  /** Assumes role B in customer accounts (sts:AssumeRole on prefixed roles only). */
  assumesProvisionRole: boolean;
  table: TableAccess;
  /** Run by the state machine as a Task (gets a `${<id>FunctionArn}` substitution). */
  stateMachineTask: boolean;
  /** Run by the delete state machine as a Task (its own `${<id>FunctionArn}` substitution). */
  deletionTask?: boolean;
  /** Run by the update state machine as a Task. */
  updateTask?: boolean;
  /** May Query the CreatedClusters index (the support check's work list); no other function reads it. */
  readsCreatedClusters?: boolean;
}

export const FUNCTIONS: readonly FunctionSpec[] = [
  // Writes the cluster record and its name claim for console-started executions (store.createCluster).
  {
    name: 'validate-request',
    id: 'ValidateRequest',
    description: 'Validates cluster settings, checks the tenant has an External ID, records the cluster',
    timeoutSeconds: 30,
    memoryMb: 512,
    assumesProvisionRole: false,
    table: 'read-write',
    stateMachineTask: true,
  },
  {
    name: 'assume-provision-role',
    id: 'AssumeProvisionRole',
    description: 'Assumes the provision role (role B) with the External ID; returns identity only',
    timeoutSeconds: 30,
    memoryMb: 512,
    assumesProvisionRole: true,
    table: 'read',
    stateMachineTask: true,
    deletionTask: true,
    updateTask: true,
  },
  {
    name: 'describe-vpc-resources',
    id: 'DescribeVpcResources',
    description: 'Pre-flight checks of every VPC resource the cluster uses',
    timeoutSeconds: 120,
    memoryMb: 512,
    assumesProvisionRole: true,
    table: 'read',
    stateMachineTask: true,
  },
  {
    name: 'create-cluster-stack',
    id: 'CreateClusterStack',
    description: 'Creates the cluster CloudFormation stack in the customer account',
    timeoutSeconds: 60,
    memoryMb: 512,
    assumesProvisionRole: true,
    table: 'read-update',
    stateMachineTask: true,
  },
  {
    name: 'poll-cluster-stack',
    id: 'PollClusterStack',
    description: 'Follows the cluster stack and records progress',
    timeoutSeconds: 60,
    memoryMb: 512,
    assumesProvisionRole: true,
    table: 'read-update',
    stateMachineTask: true,
  },
  {
    name: 'diagnose-failure',
    id: 'DiagnoseFailure',
    description: 'Turns a failure into one plain-words diagnosis with the fix',
    timeoutSeconds: 60,
    memoryMb: 512,
    assumesProvisionRole: true,
    table: 'read',
    stateMachineTask: true,
  },
  {
    name: 'finalize-cluster',
    id: 'FinalizeCluster',
    description: 'Reads the finished cluster (endpoint, CA, OIDC issuer) and builds the kubeconfig',
    timeoutSeconds: 60,
    memoryMb: 512,
    assumesProvisionRole: true,
    table: 'read',
    stateMachineTask: true,
    updateTask: true,
  },
  // Talks to the cluster's Kubernetes API (HTTPS to the EKS endpoint), not only to AWS APIs.
  {
    name: 'configure-cluster',
    id: 'ConfigureCluster',
    description: 'Inside the new cluster: nodes Ready, one default StorageClass, managed namespaces',
    timeoutSeconds: 60,
    memoryMb: 512,
    assumesProvisionRole: true,
    table: 'read-update',
    stateMachineTask: true,
    updateTask: true,
  },
  // The delete state machine's own steps.
  {
    name: 'delete-cluster-stack',
    id: 'DeleteClusterStack',
    description: "Deletes a cluster's CloudFormation stack through role B",
    timeoutSeconds: 60,
    memoryMb: 512,
    assumesProvisionRole: true,
    table: 'read',
    stateMachineTask: false,
    deletionTask: true,
  },
  {
    name: 'poll-stack-deletion',
    id: 'PollStackDeletion',
    description: 'Follows a stack deletion and records progress',
    timeoutSeconds: 60,
    memoryMb: 512,
    assumesProvisionRole: true,
    table: 'read-update',
    stateMachineTask: false,
    deletionTask: true,
  },
  {
    name: 'complete-deletion',
    id: 'CompleteDeletion',
    description: 'Records the end of a deletion, with a diagnosis when it failed',
    timeoutSeconds: 120,
    memoryMb: 512,
    assumesProvisionRole: true,
    table: 'read',
    stateMachineTask: false,
    deletionTask: true,
  },
  // The update state machine's own steps: prepare, pre-flight, change set, poll, record the end.
  {
    name: 'update-cluster',
    id: 'UpdateCluster',
    description:
      "Updates a cluster's settings through a CloudFormation change set (pre-flight, change set, poll, record)",
    timeoutSeconds: 120,
    memoryMb: 512,
    assumesProvisionRole: true,
    table: 'read-update',
    stateMachineTask: false,
    updateTask: true,
  },
  // Target of the rule on Step Functions' "Execution Status Change" events: records runs that ended without their Catch.
  {
    name: 'record-ended-execution',
    id: 'RecordEndedExecution',
    description:
      'Records FAILED (timed out, stopped, failed uncaught) for executions whose record is still CREATING or DELETING',
    timeoutSeconds: 30,
    memoryMb: 512,
    assumesProvisionRole: false,
    table: 'read-update',
    stateMachineTask: false,
  },
  // Scheduled: settles runs whose status-change event was lost (reads the RunningRuns index, asks Step Functions).
  {
    name: 'reconcile-executions',
    id: 'ReconcileExecutions',
    description:
      'Every 5 minutes: settles CREATING/DELETING records whose execution ended without its end being recorded',
    timeoutSeconds: 120,
    memoryMb: 512,
    assumesProvisionRole: false,
    table: 'read-update',
    stateMachineTask: false,
  },
  // Scheduled daily: support dates and "Support Ending" reminders for every CREATED cluster (reads CreatedClusters, role B for DescribeClusterVersions).
  {
    name: 'support-check',
    id: 'SupportCheck',
    description:
      'Daily: Kubernetes version support dates of every CREATED cluster; EKS Cluster Support Ending events at 90, 30 and 7 days',
    timeoutSeconds: 300,
    memoryMb: 512,
    assumesProvisionRole: true,
    table: 'read-update',
    stateMachineTask: false,
    readsCreatedClusters: true,
  },
  // API Gateway gives an integration 29 s; the function must answer first.
  {
    name: 'api',
    id: 'Api',
    description: 'HTTP API (/v1): setup, roles, form data, clusters',
    timeoutSeconds: 28,
    memoryMb: 1024,
    assumesProvisionRole: true,
    table: 'read-write',
    stateMachineTask: false,
  },
];

export const functionEntry = (name: FunctionName): string => `functions/${name}/handler.ts`;
