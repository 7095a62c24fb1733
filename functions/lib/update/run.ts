/**
 * The update state machine's document (statemachine/update-cluster.asl.json). It has the shape the
 * provisioning steps read (ValidatedRequest + stack), so AssumeProvisionRole, ConfigureCluster and
 * FinalizeCluster run unchanged; `cluster` holds the settings *after* the update. Never a credential.
 */
import type { ConfigureProgress, PollResult, ProvisionIdentity, StackRef, ValidatedRequest } from '../state.js';
import type { ClusterUpdate } from '../store/types.js';
import { planUpdateStages, type UpdateStage } from './stages.js';

export interface UpdateFacts {
  /** The record version this run makes. */
  version: number;
  from: Record<string, unknown>;
  to: Record<string, unknown>;
  changes: Array<{ field: string; from: unknown; to: unknown }>;
  force: boolean;
  /** The Kubernetes version the cluster runs when the update starts. */
  liveVersion: string;
}

export interface UpdateRun extends ValidatedRequest {
  stack: StackRef;
  update: UpdateFacts;
  identity?: ProvisionIdentity;
  preflight?: UpdatePreflightResult;
  /** The stage running now (index into preflight.stages); set by the ASL's StartStages / NextStage. */
  stage?: { index: number; count: number };
  changeSet?: ChangeSetState;
  poll?: PollResult;
  configure?: ConfigureProgress;
}

/** UpdatePreflight → `$.preflight`: what was checked (every problem refuses the update before it starts). */
export interface UpdatePreflightResult {
  clusterVersion: string;
  nodegroupName?: string;
  nodegroupVersion?: string;
  freeIpAddresses: number;
  insights: Array<{ id: string; name: string; status: string }>;
  /** ERROR insights passed over because the request said force. */
  forcedPast: string[];
  /** The add-on version parameters the stack has now (by add-on name; '' = EKS's default). */
  addonVersions: Record<string, string>;
  /** The stages this update runs, in order (lib/update/stages.ts). */
  stages: UpdateStage[];
  stageCount: number;
  /** The stack's values of the parameters a control-plane stage leaves alone. */
  stackParameters: Record<string, string>;
}

/** CreateChangeSet / ExecuteChangeSet → `$.changeSet`. */
export interface ChangeSetState {
  changeSetName: string;
  changeSetId?: string;
  /** PENDING: CloudFormation is still computing it; READY: executable; NO_CHANGES: the stack already matches. */
  status: 'PENDING' | 'READY' | 'NO_CHANGES' | 'EXECUTING';
  nextWaitSeconds: number;
  /** What the change set modifies or replaces (the plan, resource by resource). */
  changes: Array<{ logicalId: string; type: string; action: string; replacement?: string }>;
  /** When ExecuteChangeSet was accepted: stack events before it belong to earlier runs (and stages). */
  executedAt?: string;
  /** When the first stage's change set was executed: the poll cap covers all stages together. */
  firstExecutedAt?: string;
  /** The add-on versions the change set sets (by add-on name). */
  addonVersions?: Record<string, string>;
}

/** The stage running now; a run from before stages existed (no preflight.stages) has one, planned here. */
export function currentStage(run: UpdateRun): UpdateStage {
  const planned = run.preflight?.stages?.length
    ? run.preflight.stages
    : planUpdateStages(
        {
          controlPlaneVersion: run.preflight?.clusterVersion || run.update.liveVersion,
          ...(run.preflight?.nodegroupVersion ? { nodegroupVersion: run.preflight.nodegroupVersion } : {}),
        },
        run.update.changes,
      );
  return planned[Math.min(run.stage?.index ?? 0, planned.length - 1)]!;
}

/** "stage 1 of 2: Control plane to Kubernetes 1.33: " while a run of several stages goes; '' for one. */
export function stagePrefix(run: UpdateRun): string {
  const count = run.preflight?.stages?.length ?? 1;
  if (count < 2) return '';
  const i = Math.min(run.stage?.index ?? 0, count - 1);
  return `Stage ${i + 1} of ${count} (${run.preflight!.stages[i]!.title}): `;
}

export function updateOnRecord(run: UpdateRun, over: Partial<ClusterUpdate>): ClusterUpdate {
  return {
    status: 'RUNNING',
    phase: 'Updating',
    from: run.update.from,
    to: run.update.to,
    startedAt: run.startedAt,
    resources: { done: 0, total: run.changeSet?.changes.length ?? 0 },
    executionArn: run.executionArn,
    ...over,
  };
}
