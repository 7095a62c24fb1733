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
    // Views are sent as JSON, which drops undefined; only empty lists are left out on purpose.
    docsUrl: d.docsUrl || undefined,
    ...(d.fields?.length ? { fields: d.fields } : {}),
    ...(d.problems?.length ? { problems: d.problems } : {}),
    failedResource: d.failedResource,
    cause: d.cause ? { code: d.cause.code, title: d.cause.title, message: d.cause.message } : undefined,
  };
}

/** Support of a CREATED cluster's version, once the daily support check has stored its dates. */
export function supportView(r: ClusterRecord, now: Date) {
  if (r.status !== 'CREATED' || !r.supportDates) return undefined;
  // Dates stored for another version (read before an upgrade the update could not refresh) are not this one's.
  const running = r.outputs?.kubernetesVersion ?? (r.settings as { kubernetesVersion?: string }).kubernetesVersion;
  if (running && r.supportDates.kubernetesVersion !== running) return undefined;
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
    // Sent as JSON, which drops undefined.
    executionArn: r.executionArn || undefined,
    stackId: r.stackId || undefined,
    outputs: r.outputs,
    diagnosis: r.diagnosis ? diagnosisView(r.diagnosis) : undefined,
    support,
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
            finishedAt: r.update.finishedAt || undefined,
            resources: r.update.resources,
            executionArn: r.update.executionArn,
            stages: r.update.stages,
            versions: r.update.versions,
            diagnosis: r.update.diagnosis ? diagnosisView(r.update.diagnosis) : undefined,
          },
        }
      : {}),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    deletionStartedAt: r.deletionStartedAt || undefined,
    deletedAt: r.deletedAt || undefined,
  };
}
