/** Every diagnosis the service can give. The catalog has one entry per code. */
export const DIAGNOSIS_CODES = [
  'INVALID_ROLE_ARN',
  'ASSUME_ROLE_DENIED',
  'SECURITY_GROUPS_NOT_LOADED',
  'KEY_PAIR_NOT_FOUND',
  'ROLLBACK_FAILED',
  'CLUSTER_ROLE_MISSING_EKS_POLICY',
  'VALIDATION_FAILED',
  'CREDENTIALS_NOT_CONFIGURED',
  'REGION_NOT_ENABLED',
  'VPC_NOT_FOUND',
  'SUBNET_NOT_FOUND',
  'SUBNET_NOT_IN_VPC',
  'SECURITY_GROUP_NOT_IN_VPC',
  'SUBNETS_INSUFFICIENT',
  'UNSUPPORTED_AVAILABILITY_ZONE',
  'INSTANCE_TYPE_NOT_OFFERED',
  'KUBERNETES_VERSION_UNSUPPORTED',
  'PASS_ROLE_DENIED',
  'PERMISSION_DENIED',
  'NAME_ALREADY_IN_USE',
  'QUOTA_EXCEEDED',
  'NODE_CREATION_FAILURE',
  'PROVISIONING_TIMEOUT',
  'EXECUTION_TIMED_OUT',
  'EXECUTION_ABORTED',
  'EXECUTION_FAILED',
  // After the stack: the ConfigureCluster step inside the cluster.
  'NODES_NOT_READY',
  'KUBERNETES_API_UNREACHABLE',
  'KUBERNETES_FORBIDDEN',
  'UNKNOWN',
  // Deleting a cluster (DELETE /v1/clusters/{id}).
  'DELETE_FAILED',
  'DELETE_NOT_PERMITTED',
  // A delete execution ended without its own failure handling (timed out, stopped, uncaught error).
  'DELETE_EXECUTION_TIMED_OUT',
  'DELETE_EXECUTION_ABORTED',
  'DELETE_EXECUTION_FAILED',
  'EXTERNAL_ID_NOT_REQUIRED',
  // The External ID proof over role B's trust policy: role B may not read itself (iam:GetRole).
  'TRUST_POLICY_UNREADABLE',
  // Cluster updates (PATCH /v1/clusters/{id}, statemachine/update-cluster.asl.json).
  'UPDATE_ROLLED_BACK',
  'UPDATE_ROLLBACK_FAILED',
  'NODEGROUP_UPDATE_BLOCKED_BY_PDB',
  'UPGRADE_BLOCKED_BY_INSIGHT',
  'CLUSTER_DRIFTED',
  'UPDATE_NOT_PERMITTED',
  'SUBNET_IPS_EXHAUSTED',
  'NODEGROUP_VERSION_SKEW',
  'UPDATE_EXECUTION_ENDED',
] as const;

export type DiagnosisCode = (typeof DIAGNOSIS_CODES)[number];

/** One field-level problem, as in the API's `error.fields`. */
export interface FieldProblem {
  path: string;
  message: string;
}

/** The failing stack resource a diagnosis was read from. */
export interface FailedResource {
  logicalId: string;
  type: string;
  status: string;
  reason: string;
  physicalId?: string;
  timestamp?: string;
}

/**
 * A finished diagnosis: what went wrong in plain words and how to fix it.
 * `evidence` keeps the raw facts (AWS error code, status, failed resource, ids) for people who dig.
 */
export interface Diagnosis {
  code: DiagnosisCode;
  title: string;
  message: string;
  remediation: string[];
  retryable: boolean;
  docsUrl?: string;
  fields?: FieldProblem[];
  /** When several problems were found at once (pre-flight), every one of them. */
  problems?: Array<{ code: DiagnosisCode; message: string }>;
  failedResource?: FailedResource;
  /** ROLLBACK_FAILED keeps the failure that caused the rollback. */
  cause?: Diagnosis;
  evidence?: Record<string, string | number | boolean | string[] | null>;
}
