/** A cluster record as the API shows it: no tenant id, no evidence internals. */
import type { Diagnosis } from '../../lib/diagnosis/types.js';
import type { ClusterRecord } from '../../lib/store/types.js';

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
  };
}

export function clusterView(r: ClusterRecord) {
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
    settings: r.settings,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    ...(r.deletionStartedAt ? { deletionStartedAt: r.deletionStartedAt } : {}),
    ...(r.deletedAt ? { deletedAt: r.deletedAt } : {}),
  };
}
