/**
 * Stack records as the engine keeps them: plain JSON inside `WorldData.services.cloudformation`, so the
 * sandbox's dump and reset cover them. Field names follow the CloudFormation API where they surface.
 */
import type { ResolvedParameter } from '../template/analyze.js';
import type { ResourceValues } from '../template/intrinsics.js';
import type { StoredLaunchTemplate } from '../providers/eks.js';

export type StackStatus =
  | 'CREATE_IN_PROGRESS'
  | 'CREATE_FAILED'
  | 'CREATE_COMPLETE'
  | 'ROLLBACK_IN_PROGRESS'
  | 'ROLLBACK_FAILED'
  | 'ROLLBACK_COMPLETE'
  | 'DELETE_IN_PROGRESS'
  | 'DELETE_FAILED'
  | 'DELETE_COMPLETE';

export type ResourceStatus =
  | 'NOT_STARTED'
  | 'CREATE_IN_PROGRESS'
  | 'CREATE_FAILED'
  | 'CREATE_COMPLETE'
  | 'DELETE_IN_PROGRESS'
  | 'DELETE_FAILED'
  | 'DELETE_COMPLETE'
  | 'DELETE_SKIPPED';

export interface StackEvent {
  StackId: string;
  EventId: string;
  StackName: string;
  LogicalResourceId: string;
  PhysicalResourceId: string;
  ResourceType: string;
  Timestamp: string;
  ResourceStatus: string;
  ResourceStatusReason?: string;
  ResourceProperties?: string;
  ClientRequestToken?: string;
}

export interface ResourceRecord {
  logicalId: string;
  type: string;
  /** Logical ids this resource waits for (DependsOn + Ref/GetAtt/Sub after conditions). */
  dependsOn: string[];
  status: ResourceStatus;
  statusReason?: string;
  physicalId?: string;
  /** Properties as resolved when the resource started, NoEcho values shown as '****'. */
  properties?: Record<string, unknown>;
  values?: ResourceValues;
  providerState?: unknown;
  deletionPolicy?: string;
  lastUpdated: string;
  /**
   * Sandbox time (ISO) at which the handler's answer is due while the resource is in progress: a
   * sandbox restarted from a saved world (--data-dir) finishes it then, as AWS kept working meanwhile.
   */
  dueAt?: string;
}

/**
 * Identity a stack operation runs as: the SigV4 caller of CreateStack/DeleteStack (no service role).
 * Only the ARN is recorded; `handle` points at the credentials the engine keeps in memory, so no access
 * key id ends up in world state.
 */
export interface StackCaller {
  arn: string;
  handle: string;
}

export interface StackRecord {
  stackId: string;
  stackName: string;
  accountId: string;
  region: string;
  templateBody: string;
  description?: string;
  parameters: ResolvedParameter[];
  conditions: Record<string, boolean>;
  capabilities: string[];
  tags: { Key: string; Value: string }[];
  onFailure: 'ROLLBACK' | 'DO_NOTHING' | 'DELETE';
  disableRollback: boolean;
  status: StackStatus;
  statusReason?: string;
  creationTime: string;
  lastUpdatedTime?: string;
  deletionTime?: string;
  clientRequestToken?: string;
  /** ClientRequestToken of the operation now running (events carry it). */
  operationToken?: string;
  timeScale: number;
  caller: StackCaller;
  /** In template order. */
  resources: ResourceRecord[];
  /** Chronological; DescribeStackEvents returns them newest first. */
  events: StackEvent[];
  outputs?: { OutputKey: string; OutputValue: string; Description?: string; ExportName?: string }[];
  notificationArns: string[];
  timeoutInMinutes?: number;
}

export interface CloudFormationState {
  stacks: StackRecord[];
  launchTemplates?: StoredLaunchTemplate[];
}
