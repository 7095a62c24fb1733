/** The API's shapes as the console reads them (see functions/api/openapi.json). */

export interface PolicyDocument {
  Version: string;
  Statement: unknown;
}

export interface Setup {
  accountId: string;
  externalId: string;
  provisionRolePolicy: PolicyDocument;
  provisionRoleTrustPolicy: PolicyDocument;
  clusterRoleManagedPolicies: string[];
  clusterRoleTrustedService?: string;
  roleNamePrefix?: string;
  exampleProvisionRoleArn?: string;
  /** Optional statement for role B's policy so the service may delete the clusters it created (where the API offers deletion). */
  provisionRoleDeleteStatement?: Record<string, unknown>;
  /** The caller as an IAM principal an access entry can name (API callers only). */
  requester?: string;
}

export interface RegisteredRole {
  roleArn: string;
  region: string;
  accountId: string;
}

export interface FormItem {
  id: string;
  name?: string;
  [k: string]: unknown;
}

export interface FormPage<T extends FormItem = FormItem> {
  items: T[];
  nextToken?: string;
  notice?: { code: string; message: string };
}

export interface SubnetItem extends FormItem {
  vpcId: string;
  availabilityZone: string;
  availabilityZoneId: string;
  cidrBlock?: string;
}

export interface RoleItem extends FormItem {
  arn?: string;
  hasAmazonEKSClusterPolicy?: boolean;
}

export interface FieldError {
  path: string;
  message: string;
}

export interface Problem {
  code: string;
  message: string;
  field?: string;
  path?: string;
}

export interface Diagnosis {
  code: string;
  title: string;
  message: string;
  remediation: string[];
  retryable?: boolean;
  docsUrl?: string;
  fields?: FieldError[];
  problems?: Problem[];
  failedResource?: { logicalId?: string; type?: string; status?: string; reason?: string; [k: string]: unknown };
  evidence?: Record<string, unknown>;
  cause?: { code?: string; message?: string };
}

/** `{ error: … }` bodies: a diagnosis-shaped error. */
export interface ApiErrorBody {
  code: string;
  message: string;
  title?: string;
  fields?: FieldError[];
  remediation?: string[];
  problems?: Problem[];
  docsUrl?: string;
  [k: string]: unknown;
}

export type ClusterStatus = 'CREATING' | 'CREATED' | 'FAILED' | 'DELETING' | 'DELETED' | 'DELETE_FAILED';

export interface ClusterRecord {
  id: string;
  name: string;
  environmentScope?: string;
  accountId?: string;
  region?: string;
  status: ClusterStatus | string;
  phase?: string;
  progress?: { done: number; total: number };
  stackId?: string;
  executionArn?: string;
  outputs?: Record<string, unknown> & {
    endpoint?: string;
    kubeconfig?: string;
    kubernetesVersion?: string;
    access?: ClusterAccess[];
  };
  diagnosis?: Diagnosis;
  settings?: Record<string, unknown> & {
    adminPrincipalArns?: string[];
    namespaces?: string[];
    deployPrincipalArns?: string[];
    managed?: boolean;
  };
  createdAt?: string;
  updatedAt?: string;
  /** When the last deletion started (DELETING / DELETED). */
  deletionStartedAt?: string;
  deletedAt?: string;
  /** The record's version (its ETag): sent as If-Match with a PATCH. */
  version?: number;
  /** The last update (PATCH): RUNNING while it runs; the record stays CREATED throughout. */
  update?: ClusterUpdate;
  /** Support of the cluster's version, once the daily support check has stored its dates. */
  support?: ClusterSupport;
}

export interface ClusterUpdate {
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | string;
  phase: string;
  from: Record<string, unknown>;
  to: Record<string, unknown>;
  startedAt: string;
  finishedAt?: string;
  resources: { done: number; total: number };
  executionArn?: string;
  diagnosis?: Diagnosis;
}

export interface ClusterSupport {
  type: 'STANDARD' | 'EXTENDED' | 'ENDED' | string;
  upgradePolicy: 'STANDARD' | 'EXTENDED' | string;
  upgradePolicyAssumed?: boolean;
  kubernetesVersion: string;
  standardSupportEndsAt?: string;
  extendedSupportEndsAt?: string;
  daysLeft?: number;
  warning?: string;
}

/** One step of an update's plan (PATCH ?dryRun=true), in the order it happens. */
export interface UpdateStep {
  component: 'control-plane' | 'node-group' | 'add-ons' | 'access-entries' | 'kubernetes' | string;
  action: string;
  disruption?: string;
}

export interface UpdatePlan {
  changes: Array<{ field: string; from: unknown; to: unknown }>;
  steps: UpdateStep[];
  nodesReplaced: boolean;
  disruptive?: boolean;
}

/** The dry run's pre-flight: the checks the update makes first, run now through role B. */
export type UpdatePreflight =
  | { checked: true; ok: true }
  | { checked: true; ok: false; diagnosis: Diagnosis }
  | { checked: false; message: string };

/** PATCH /v1/clusters/{id}?dryRun=true (200), or a PATCH that changes nothing (200, `changed: false`). */
export interface UpdatePlanAnswer {
  id: string;
  changed: boolean;
  version: number;
  plan: UpdatePlan;
  preflight?: UpdatePreflight;
  warning?: string;
}

/** Who may use a CREATED cluster's Kubernetes API (the record's `outputs.access`): one EKS access entry each. */
export interface ClusterAccess {
  principalArn: string;
  access: 'cluster-admin' | 'edit' | string;
  namespaces?: string[];
  source?: 'creator' | 'adminPrincipalArns' | 'deployPrincipalArns' | string;
}

export interface ClusterAccepted {
  id: string;
  status: string;
  executionArn?: string;
}

export interface ClusterSettings {
  name: string;
  environmentScope: string;
  region: string;
  provisionRoleArn: string;
  serviceRoleArn: string;
  kubernetesVersion?: string;
  upgradePolicy?: 'STANDARD' | 'EXTENDED';
  keyName?: string;
  vpcId: string;
  subnetIds: string[];
  securityGroupIds: string[];
  instanceType: string;
  nodeCount: number;
  managed: boolean;
  adminPrincipalArns?: string[];
  namespaces?: string[];
  deployPrincipalArns?: string[];
}
