/**
 * Stack records as the engine keeps them: plain JSON inside `WorldData.services.cloudformation`, so the
 * sandbox's dump and reset cover them. Field names follow the CloudFormation API where they surface.
 */

import type { StoredLaunchTemplate } from '../providers/eks.js';
import type { ResolvedParameter } from '../template/analyze.js';
import type { ResourceValues } from '../template/intrinsics.js';

export type StackStatus =
  | 'CREATE_IN_PROGRESS'
  | 'CREATE_FAILED'
  | 'CREATE_COMPLETE'
  | 'ROLLBACK_IN_PROGRESS'
  | 'ROLLBACK_FAILED'
  | 'ROLLBACK_COMPLETE'
  | 'DELETE_IN_PROGRESS'
  | 'DELETE_FAILED'
  | 'DELETE_COMPLETE'
  | 'UPDATE_IN_PROGRESS'
  | 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS'
  | 'UPDATE_COMPLETE'
  | 'UPDATE_ROLLBACK_IN_PROGRESS'
  | 'UPDATE_ROLLBACK_FAILED'
  | 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS'
  | 'UPDATE_ROLLBACK_COMPLETE';

export type ResourceStatus =
  | 'NOT_STARTED'
  | 'CREATE_IN_PROGRESS'
  | 'CREATE_FAILED'
  | 'CREATE_COMPLETE'
  | 'DELETE_IN_PROGRESS'
  | 'DELETE_FAILED'
  | 'DELETE_COMPLETE'
  | 'DELETE_SKIPPED'
  | 'UPDATE_IN_PROGRESS'
  | 'UPDATE_COMPLETE'
  | 'UPDATE_FAILED';

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
  /** The stack update running (or whose rollback failed), with what to roll back to. */
  update?: UpdateRun;
}

/** One resource change of a change set / stack update, as DescribeChangeSet shows it. */
export interface PlannedChange {
  action: 'Add' | 'Modify' | 'Remove';
  logicalId: string;
  physicalId?: string;
  type: string;
  replacement?: 'True' | 'False' | 'Conditional';
  scope: string[];
  details: {
    Target: { Attribute: string; Name?: string; RequiresRecreation: 'Always' | 'Never' | 'Conditionally' };
    Evaluation: 'Static' | 'Dynamic';
    ChangeSource: 'DirectModification' | 'ParameterReference' | 'ResourceReference';
    CausingEntity?: string;
  }[];
}

/** A planned stack update: the template, parameters and conditions it moves to, and its changes. */
export interface UpdatePlan {
  templateBody: string;
  description?: string;
  parameters: ResolvedParameter[];
  conditions: Record<string, boolean>;
  capabilities: string[];
  tags: { Key: string; Value: string }[];
  changes: PlannedChange[];
}

export interface UpdateRun {
  phase: 'UPDATE' | 'ROLLBACK';
  plan: UpdatePlan;
  /** The stack as it was before the update (restored by a rollback). */
  previous: {
    templateBody: string;
    description?: string;
    parameters: ResolvedParameter[];
    conditions: Record<string, boolean>;
    tags: { Key: string; Value: string }[];
    resources: ResourceRecord[];
    outputs?: StackRecord['outputs'];
  };
  /** Logical ids this run changed (in order), what they were, and the physical resource a replacement left behind. */
  touched: {
    logicalId: string;
    action: 'Add' | 'Modify';
    replacedPhysicalId?: string;
    oldProperties?: Record<string, unknown>;
  }[];
  /** Resources a ContinueUpdateRollback was told to skip. */
  skipped: string[];
}

export interface ChangeSetRecord {
  changeSetId: string;
  changeSetName: string;
  stackId: string;
  description?: string;
  status: 'CREATE_PENDING' | 'CREATE_IN_PROGRESS' | 'CREATE_COMPLETE' | 'DELETE_COMPLETE' | 'FAILED';
  statusReason?: string;
  executionStatus:
    | 'UNAVAILABLE'
    | 'AVAILABLE'
    | 'EXECUTE_IN_PROGRESS'
    | 'EXECUTE_COMPLETE'
    | 'EXECUTE_FAILED'
    | 'OBSOLETE';
  creationTime: string;
  /** Sandbox time (ISO) from which DescribeChangeSet shows CREATE_COMPLETE/FAILED (AWS computes for a few seconds). */
  readyAt: string;
  clientToken?: string;
  plan: UpdatePlan;
}

export interface CloudFormationState {
  stacks: StackRecord[];
  changeSets?: ChangeSetRecord[];
  launchTemplates?: StoredLaunchTemplate[];
}
