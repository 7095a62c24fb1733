/** A cluster record as the API shows it: no tenant id, no evidence internals. */
import type { Diagnosis } from '../../lib/diagnosis/types.js';
import type { ClusterRecord } from '../../lib/store/types.js';
import { supportOf, type UpgradePolicy } from '../../lib/support/support-window.js';

export interface DiagnosisView {
  code: string;
  title: string;
  message: string;
  remediation: string[];
  retryable: boolean;
  docsUrl?: string;
  fields?: Diagnosis['fields'];
  problems?: Diagnosis['problems'];
  failedResource?: Diagnosis['failedResource'];
  /** A failed rollback's first failure (e.g. a PodDisruptionBudget that blocked the node roll): what to fix first. */
  cause?: { code: string; title: string; message: string };
}

export function diagnosisView(d: Diagnosis): DiagnosisView {
  return {
    code: d.code,
    title: d.title,
    message: d.message,
    remediation: d.remediation,
    retryable: d.retryable,
    ...(d.docsUrl ? { docsUrl: d.docsUrl } : {}),
    ...(d.fields?.length ? { fields: d.fields } : {}),
    ...(d.problems?.length ? { problems: d.problems } : {}),
    ...(d.failedResource ? { failedResource: d.failedResource } : {}),
    ...(d.cause ? { cause: { code: d.cause.code, title: d.cause.title, message: d.cause.message } } : {}),
  };
}

/** Support of a CREATED cluster's version, once the daily support check has stored its dates. */
export function supportView(r: ClusterRecord, now: Date) {
  if (r.status !== 'CREATED' || !r.supportDates) return undefined;
  return supportOf((r.settings as { upgradePolicy?: UpgradePolicy }).upgradePolicy, r.supportDates, now);
}

export function clusterView(r: ClusterRecord, now: Date = new Date()) {
  const support = supportView(r, now);
  return {
    id: r.id,
    name: r.name,
    environmentScope: r.environmentScope,
    accountId: r.accountId,
    region: r.region,
    status: r.status,
    phase: r.phase,
    progress: r.progress,
    ...(r.executionArn ? { executionArn: r.executionArn } : {}),
    ...(r.stackId ? { stackId: r.stackId } : {}),
    ...(r.outputs ? { outputs: r.outputs } : {}),
    ...(r.diagnosis ? { diagnosis: diagnosisView(r.diagnosis) } : {}),
    ...(support ? { support } : {}),
    settings: r.settings,
    version: r.version ?? 1,
    ...(r.update
      ? {
          update: {
            status: r.update.status,
            phase: r.update.phase,
            from: r.update.from,
            to: r.update.to,
            startedAt: r.update.startedAt,
            ...(r.update.finishedAt ? { finishedAt: r.update.finishedAt } : {}),
            resources: r.update.resources,
            executionArn: r.update.executionArn,
            ...(r.update.stages ? { stages: r.update.stages } : {}),
            ...(r.update.versions ? { versions: r.update.versions } : {}),
            ...(r.update.diagnosis ? { diagnosis: diagnosisView(r.update.diagnosis) } : {}),
          },
        }
      : {}),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    ...(r.deletionStartedAt ? { deletionStartedAt: r.deletionStartedAt } : {}),
    ...(r.deletedAt ? { deletedAt: r.deletedAt } : {}),
  };
}
