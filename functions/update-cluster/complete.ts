/**
 * The end of an update run: the record (settings and outputs on success; `update.status` and the
 * diagnosis either way — the cluster stays CREATED) and the event detail the next state publishes.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { redactSecrets } from '../lib/aws/aws-error.js';
import { type ContextEvidence, type EvidenceOf, makeDiagnosis } from '../lib/diagnosis/catalog.js';
import { diagnoseStepError } from '../lib/diagnosis/from-step-error.js';
import { diagnoseUpdateEvents } from '../lib/diagnosis/from-update-events.js';
import type { Diagnosis } from '../lib/diagnosis/types.js';
import { KubeError } from '../lib/kubernetes/client.js';
import { type DisruptionReader, describeBudget, findBlockingBudgets } from '../lib/kubernetes/disruption.js';
import type { CaughtError, ClusterOutputs } from '../lib/state.js';
import type { ClusterUpdate, Store } from '../lib/store/types.js';
import type { SupportDates } from '../lib/support/support-window.js';
import type { VersionDates } from '../lib/support/version-dates.js';
import { type UpdateRun, updateOnRecord } from '../lib/update/run.js';
import { eventsSince } from './poll.js';
import { eventDetail, type UpdateEventDetail } from './prepare.js';
import { updateStatementsFor } from './statements.js';

export interface UpdateCompletion {
  status: 'SUCCEEDED' | 'FAILED';
  diagnosis?: Diagnosis;
  event: { detail: UpdateEventDetail };
}

export async function completeUpdateSucceeded(
  run: UpdateRun & { finalize?: { outputs?: ClusterOutputs } },
  deps: {
    store: Store;
    now: () => Date;
    /** The new version's support dates (DescribeClusterVersions through role B); read only after an upgrade. */
    versionDates?: (version: string) => Promise<VersionDates | undefined>;
  },
): Promise<UpdateCompletion> {
  const now = deps.now();
  const outputs = run.finalize?.outputs;
  const supportDates = await newSupportDates(run, deps, now);
  const phase =
    run.changeSet?.status === 'NO_CHANGES' ? 'Update complete (the stack already matched)' : 'Update complete';
  await deps.store.updateCluster(run.tenantId, run.clusterId, {
    settings: run.cluster,
    ...(outputs ? { outputs } : {}),
    ...(supportDates ? { supportDates } : {}),
    update: updateOnRecord(run, {
      status: 'SUCCEEDED',
      phase,
      ...(run.preflight?.stages?.length
        ? {
            stages: run.preflight.stages.map((st) => ({
              name: st.name,
              title: st.title,
              status: 'SUCCEEDED' as const,
            })),
          }
        : {}),
      finishedAt: now.toISOString(),
      resources: { done: run.poll?.progress.total ?? 0, total: run.poll?.progress.total ?? 0 },
    }),
    updatedAt: now.toISOString(),
  });
  return { status: 'SUCCEEDED', event: { detail: eventDetail(run, 'UPDATED', now) } };
}

/**
 * After an upgrade the record's support dates are the old version's: the view would show them as the
 * new one's until the next daily check. Read the new version's now; if EKS cannot answer, the view
 * shows none (it never shows another version's) and the daily check fills them in.
 */
async function newSupportDates(
  run: UpdateRun & { finalize?: { outputs?: ClusterOutputs } },
  deps: { now: () => Date; versionDates?: (version: string) => Promise<VersionDates | undefined> },
  now: Date,
): Promise<SupportDates | undefined> {
  const upgraded = run.update.changes.some((c) => c.field === 'kubernetesVersion');
  const version = run.finalize?.outputs?.kubernetesVersion ?? run.cluster.kubernetesVersion;
  if (!upgraded || !version || !deps.versionDates) return undefined;
  const dates = await deps.versionDates(version).catch(() => undefined);
  return dates ? { kubernetesVersion: version, ...dates, checkedAt: now.toISOString() } : undefined;
}

export async function completeUpdateFailed(
  run: UpdateRun & { error?: CaughtError },
  deps: {
    store: Store;
    now: () => Date;
    cloudformation: () => Promise<CloudFormationClient>;
    disruption?: () => Promise<DisruptionReader>;
  },
): Promise<UpdateCompletion> {
  const found = await diagnoseUpdate(run, deps).catch(() => diagnoseStepError(run.error, evidenceOf(run)));
  const staged = stagesOutcome(run);
  const diagnosis = staged?.done ? withStagesDone(found, staged.done) : found;
  const now = deps.now();
  await deps.store.updateCluster(run.tenantId, run.clusterId, {
    update: updateOnRecord(run, {
      status: 'FAILED',
      phase: diagnosis.title,
      ...(staged ? { stages: staged.stages, versions: staged.versions } : {}),
      finishedAt: now.toISOString(),
      resources: {
        done: run.poll?.progress.done ?? 0,
        total: run.poll?.progress.total ?? run.changeSet?.changes.length ?? 0,
      },
      diagnosis,
    }),
    updatedAt: now.toISOString(),
  });
  return { status: 'FAILED', diagnosis, event: { detail: eventDetail(run, 'UPDATE_FAILED', now, diagnosis) } };
}

const PDB = 'NODEGROUP_UPDATE_BLOCKED_BY_PDB';
/** The look at the budgets stays well inside the step's Lambda timeout (120 s): the record comes first. */
export const BUDGET_LOOKUP_MS = 30_000;

function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new KubeError('unreachable', `no answer within ${ms / 1000} s`, 'list pod disruption budgets')),
      ms,
    );
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/**
 * EKS's PodEvictionFailure does not name the budget: list the cluster's PodDisruptionBudgets (role B,
 * cluster-admin as the creator) and name those allowing no disruption that select pods on the node
 * group's nodes. Listing denied or unreachable: say so, keep EKS's text.
 */
export async function withBlockingBudgets(
  d: Diagnosis,
  run: UpdateRun,
  reader: () => Promise<DisruptionReader>,
): Promise<Diagnosis> {
  const blocked = d.code === PDB ? d : d.cause?.code === PDB ? d.cause : undefined;
  if (!blocked) return d;
  const nodegroupName =
    run.preflight?.nodegroupName ??
    (typeof blocked.evidence?.nodegroupName === 'string' ? blocked.evidence.nodegroupName : undefined);
  let facts: EvidenceOf<typeof PDB>;
  try {
    const found = await withDeadline(findBlockingBudgets(await reader(), nodegroupName), BUDGET_LOOKUP_MS);
    // None allows no disruption any more (relaxed since, or deleted): EKS's words are all there is.
    if (!found.budgets.length) return d;
    const first = found.budgets[0]!;
    facts = {
      budgets: found.budgets.map(describeBudget).join('; '),
      budgetsMatched: String(found.matchedToPods),
      pdb: first.name,
      namespace: first.namespace,
    };
  } catch (err) {
    const why =
      err instanceof KubeError
        ? `${err.kind === 'forbidden' || err.kind === 'unauthorized' ? 'no access' : err.kind}: ${err.message}`
        : redactSecrets((err as Error)?.message ?? String(err));
    facts = { budgetListError: why.slice(0, 300) };
  }
  const named = makeDiagnosis(
    PDB,
    { ...(blocked.evidence as EvidenceOf<typeof PDB>), ...(nodegroupName ? { nodegroupName } : {}), ...facts },
    blocked.failedResource ? { failedResource: blocked.failedResource } : {},
  );
  return blocked === d ? named : { ...d, cause: named };
}

/**
 * How a run of stages ended: each stage's status and the versions the cluster runs (the failed
 * stage was rolled back; those before it stay). Undefined before the stages were planned.
 */
export function stagesOutcome(
  run: UpdateRun,
):
  | { stages: NonNullable<ClusterUpdate['stages']>; versions: NonNullable<ClusterUpdate['versions']>; done?: string }
  | undefined {
  const planned = run.preflight?.stages;
  if (!planned?.length || !run.stage) return undefined;
  const failedAt = Math.min(run.stage.index, planned.length - 1);
  const stages = planned.map((s, i) => ({
    name: s.name,
    title: s.title,
    status: i < failedAt ? ('SUCCEEDED' as const) : i === failedAt ? ('FAILED' as const) : ('NOT_STARTED' as const),
  }));
  const last = failedAt > 0 ? planned[failedAt - 1]! : undefined;
  const versions = last
    ? { controlPlane: last.controlPlaneVersion, nodegroup: last.nodegroupVersion }
    : {
        controlPlane: run.preflight!.clusterVersion,
        nodegroup: run.preflight!.nodegroupVersion ?? run.preflight!.clusterVersion,
      };
  const done = last
    ? `Stage ${failedAt} of ${planned.length} (${last.title}) had completed and stays: the control plane runs Kubernetes ${versions.controlPlane} and the nodes ${versions.nodegroup}${versions.controlPlane !== versions.nodegroup ? ', a skew Kubernetes supports' : ''}. Only stage ${failedAt + 1} (${planned[failedAt]!.title}) was rolled back.`
    : undefined;
  return { stages, versions, ...(done ? { done } : {}) };
}

/** The diagnosis of a later stage, saying what the completed stages changed and that the same change resumes. */
function withStagesDone(d: Diagnosis, done: string): Diagnosis {
  return {
    ...d,
    message: `${d.message} ${done}`,
    remediation: d.remediation.some((r) => /same change again/.test(r))
      ? d.remediation
      : [...d.remediation, 'Then send the same change again: it plans and runs only the stages not done yet.'],
  };
}

const evidenceOf = (run: UpdateRun): ContextEvidence & { from?: string } => ({
  stackName: run.stack?.stackName ?? '',
  ...(run.stack?.stackId ? { stackId: run.stack.stackId } : {}),
  region: run.region,
  accountId: run.accountId,
  clusterName: run.cluster?.name ?? '',
  clusterId: run.clusterId,
  from: Object.entries(run.update?.from ?? {})
    .map(([k, v]) => `${k} ${JSON.stringify(v)}`)
    .join(', '),
});

/** The caught error's diagnosis, or — when the stack update itself failed — one read from its events. */
export async function diagnoseUpdate(
  run: UpdateRun & { error?: CaughtError },
  deps: { cloudformation: () => Promise<CloudFormationClient>; disruption?: () => Promise<DisruptionReader> },
): Promise<Diagnosis> {
  if (run.error) return diagnoseStepError(run.error, evidenceOf(run));
  const cfn = await deps.cloudformation();
  const events = await eventsSince(cfn, run, run.changeSet?.executedAt, 10);
  const read = diagnoseUpdateEvents(events, run.poll?.stackStatus ?? 'UPDATE_ROLLBACK_COMPLETE', evidenceOf(run));
  const d = deps.disruption ? await withBlockingBudgets(read, run, deps.disruption) : read;
  // Denied during the stack update: show the statements to add (the catalog does not load the policy module).
  return d.code === 'UPDATE_NOT_PERMITTED'
    ? makeDiagnosis(
        'UPDATE_NOT_PERMITTED',
        {
          ...d.evidence,
          roleArn: run.cluster.provisionRoleArn,
          statements: updateStatementsFor(run.cluster.provisionRoleArn),
        },
        d.failedResource ? { failedResource: d.failedResource } : {},
      )
    : d;
}
