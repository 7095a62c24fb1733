/**
 * The state machine's document, step by step. Each Lambda writes one key via
 * ResultPath, so later steps see everything earlier steps found. Nothing here ever holds a
 * credential: handlers assume role B themselves and return facts only.
 */
import type { ClusterSettings } from './schema/cluster-settings.js';

/** What a caller (API or console execution) starts the machine with. */
export interface ProvisionInput {
  tenantId: string;
  clusterId?: string;
  cluster: unknown;
  /**
   * Set by the local runner when it resumes a cluster whose execution died with the process that ran
   * it: the ARN of that execution. The new run adopts the stack and does not announce a second start.
   */
  resumeOf?: string;
}

/** ValidateRequest's result; it replaces the whole document (ResultPath `$`). */
export interface ValidatedRequest {
  tenantId: string;
  clusterId: string;
  /** Normalised settings, defaults applied (kubernetesVersion may still be absent: pre-flight resolves it). */
  cluster: ClusterSettings;
  /** Account of role B, read from its ARN. */
  accountId: string;
  region: string;
  /** CloudFormation stack name for this cluster. */
  stackName: string;
  executionArn: string;
  startedAt: string;
  /** ProvisionInput.resumeOf, passed on (the Started event was sent by the first execution). */
  resumeOf?: string;
}

/** AssumeProvisionRole → `$.identity`. */
export interface ProvisionIdentity {
  accountId: string;
  assumedRoleArn: string;
}

/** DescribeVpcResources → `$.preflight`. */
export interface PreflightResult {
  kubernetesVersion: string;
  vpcId: string;
  subnets: Array<{ subnetId: string; availabilityZone: string; availabilityZoneId: string }>;
  availabilityZones: string[];
  securityGroupIds: string[];
  serviceRoleArn: string;
  keyName?: string;
}

/** CreateClusterStack → `$.stack`. */
export interface StackRef {
  stackId: string;
  stackName: string;
  createdAt: string;
  /** True when a retry found the stack it had already made. */
  adopted: boolean;
}

export type PollOutcome = 'IN_PROGRESS' | 'COMPLETE' | 'FAILED';

/** PollClusterStack → `$.poll`. */
export interface PollResult {
  outcome: PollOutcome;
  stackStatus: string;
  phase: string;
  progress: { done: number; total: number; current?: string };
  /** Seconds for WaitForStack (SecondsPath `$.poll.nextWaitSeconds`). */
  nextWaitSeconds: number;
  elapsedSeconds: number;
  polls: number;
}

/** What ConfigureCluster found and did inside the cluster (on the record and the Succeeded event). */
export interface ClusterConfiguration {
  nodesReady: number;
  nodesExpected: number;
  /** The one default StorageClass; `created` when the service made it, `undefaulted` the extra defaults it turned off. */
  storageClass: { name: string; provisioner: string; created: boolean; undefaulted: string[] };
  /** Managed namespaces, each with its `deployer` service account bound to ClusterRole `edit`. */
  namespaces: Array<{ name: string; created: boolean; serviceAccount: string; clusterRole: string }>;
  configuredAt: string;
}

/** ConfigureCluster → `$.configure` (loops through WaitForNodes while WAITING). */
export interface ConfigureProgress {
  outcome: 'WAITING' | 'DONE';
  attempts: number;
  /** Seconds waited so far (sum of the Wait states). */
  elapsedSeconds: number;
  nextWaitSeconds: number;
  nodes: { ready: number; registered: number; expected: number };
  /** Why the last look could not reach the API (while still within the cap). */
  lastError?: string;
  configuration?: ClusterConfiguration;
}

/** Who can use the cluster's Kubernetes API, through which EKS access entry. */
export interface ClusterAccess {
  principalArn: string;
  /** `cluster-admin` (AmazonEKSClusterAdminPolicy, cluster scope) or `edit` (AmazonEKSEditPolicy in `namespaces`). */
  access: 'cluster-admin' | 'edit';
  namespaces?: string[];
  /** Why it has access: the creator (role B), or the setting that named it. */
  source: 'creator' | 'adminPrincipalArns' | 'deployPrincipalArns';
}

/** The cluster's outputs: FinalizeCluster returns them in `$.completion.outputs` (lib/completion). */
export interface ClusterOutputs {
  clusterName: string;
  clusterArn: string;
  endpoint: string;
  certificateAuthorityData: string;
  kubernetesVersion: string;
  oidcIssuer: string;
  nodeRoleArn: string;
  nodegroupName: string;
  nodegroupStatus: string;
  kubeconfig: string;
  /** ConfigureCluster's result (absent on records made before the step existed). */
  configuration?: ClusterConfiguration;
  /** Principals with access to the Kubernetes API. */
  access?: ClusterAccess[];
}

/** Step Functions' caught error at `$.error`. */
export interface CaughtError {
  Error: string;
  Cause?: string;
}

// ---- the update state machine (statemachine/update-cluster.asl.json) ----------------------------

/** What PATCH /v1/clusters/{id} starts the update machine with. */
export interface UpdateInput {
  tenantId: string;
  clusterId: string;
  /** The record version this update makes (the record was bumped to it when the run started). */
  version: number;
  /** The settings after the update (validated by the one schema). */
  settings: ClusterSettings;
  /** Changed settings, before → after. */
  changes: Array<{ field: string; from: unknown; to: unknown }>;
  /** Go on despite ERROR upgrade insights. */
  force: boolean;
}

// ---- the delete state machine (statemachine/delete-cluster.asl.json) ----------------------------

/** What the API (or a console execution) starts the delete machine with. */
export interface DeletionInput {
  tenantId: string;
  clusterId: string;
}

/**
 * The delete machine's document after ShapeRequest: the record's facts in the shape the provision
 * steps read (AssumeProvisionRole takes it as is).
 */
export interface DeletionRequest {
  tenantId: string;
  clusterId: string;
  name: string;
  environmentScope: string;
  accountId: string;
  region: string;
  cluster: { provisionRoleArn: string };
  executionArn: string;
  startedAt: string;
}

/** DeleteClusterStack → `$.stack`. */
export interface DeletionStackRef {
  stackName: string;
  /** Absent when no stack was ever found for the cluster. */
  stackId?: string;
  /** The stack is already gone (deleted by hand, or never made): nothing to follow. */
  alreadyGone: boolean;
  requestedAt: string;
}
