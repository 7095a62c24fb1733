/**
 * PATCH /v1/clusters/{id}: a JSON merge patch (RFC 7396) of the cluster settings. Only what EKS and
 * CloudFormation change in place may change; everything else is a field error that says so. The
 * merged settings go through the one settings schema, so a patch can never make settings a create
 * would refuse. Pure: no I/O, no clock.
 */
import { makeDiagnosis } from '../diagnosis/catalog.js';
import type { Diagnosis, FieldProblem } from '../diagnosis/types.js';
import { CLUSTER_SETTINGS_FIELDS, type ClusterSettings, parseClusterSettings } from '../schema/cluster-settings.js';

/** Settings an update may change, in the order their work happens (control plane → node group → access → Kubernetes). */
export const MUTABLE_FIELDS = [
  'kubernetesVersion',
  'upgradePolicy',
  'instanceType',
  'nodeCount',
  'adminPrincipalArns',
  'deployPrincipalArns',
  'namespaces',
] as const;
export type MutableField = (typeof MUTABLE_FIELDS)[number];

/** Why a setting cannot change in place: the fix in the same sentence. */
const IMMUTABLE_REASONS: Partial<Record<keyof ClusterSettings, string>> = {
  name: 'names the EKS cluster and its stack, which EKS cannot rename',
  region: 'a cluster cannot move between regions',
  provisionRoleArn: 'the stack belongs to this provision role',
  serviceRoleArn: "EKS cannot change a cluster's service role",
  vpcId: 'EKS cannot move a cluster to another VPC',
  subnetIds: "the control plane's subnets are fixed by this service's template",
  securityGroupIds: "the control plane's security groups are fixed when the cluster is made",
  keyName: "a node group's SSH access is fixed when it is made",
};

export interface SettingChange {
  field: MutableField;
  from: unknown;
  to: unknown;
}

export type PatchResult =
  | { ok: true; settings: ClusterSettings; changes: SettingChange[] }
  | { ok: false; diagnosis: Diagnosis };

/** JSON with sorted keys: equal settings compare equal whatever their key order. */
export function sameValue(a: unknown, b: unknown): boolean {
  const canon = (v: unknown): string =>
    Array.isArray(v)
      ? `[${v.map(canon).join(',')}]`
      : v && typeof v === 'object'
        ? `{${Object.keys(v)
            .sort()
            .map((k) => `${JSON.stringify(k)}:${canon((v as Record<string, unknown>)[k])}`)
            .join(',')}}`
        : (JSON.stringify(v) ?? 'null');
  return canon(a) === canon(b);
}

/** `1.33` → [1, 33]; undefined when it is not major.minor. */
export function parseMinor(version: string | undefined): [number, number] | undefined {
  const m = /^(\d+)\.(\d+)$/.exec(version ?? '');
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** The next minor version EKS would accept (1.33 → 1.34). */
export function nextMinor(version: string): string | undefined {
  const v = parseMinor(version);
  return v ? `${v[0]}.${v[1] + 1}` : undefined;
}

/** EKS upgrades one minor version at a time and never downgrades. */
export function versionStepProblem(from: string, to: string): string | undefined {
  const a = parseMinor(from);
  const b = parseMinor(to);
  if (!a || !b || from === to) return undefined;
  if (b[0] < a[0] || (b[0] === a[0] && b[1] < a[1])) {
    return `cannot go down from ${from} to ${to}: EKS never downgrades a cluster. Keep ${from}, or create a new cluster on ${to} and move the workloads`;
  }
  if (b[0] !== a[0] || b[1] !== a[1] + 1) {
    return `can go up one minor version at a time (EKS refuses more): set ${nextMinor(from)} first, then ${to} once that update has finished`;
  }
  return undefined;
}

/**
 * Applies `patch` to `current`. `liveVersion` is the version the cluster runs now (the record's
 * outputs): settings made without a version resolved it at creation.
 */
export function applyClusterPatch(
  current: ClusterSettings,
  liveVersion: string | undefined,
  patch: unknown,
  opts: { roleNamePrefix: string },
): PatchResult {
  const fail = (fields: FieldProblem[]): PatchResult => ({
    ok: false,
    diagnosis: makeDiagnosis('VALIDATION_FAILED', {}, { fields }),
  });
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
    return fail([
      {
        path: 'settings',
        message: `must be a JSON object with the settings to change (JSON merge patch), e.g. {"nodeCount": 3}; changeable: ${MUTABLE_FIELDS.join(', ')}`,
      },
    ]);
  }
  const before: ClusterSettings = {
    ...current,
    ...(current.kubernetesVersion || !liveVersion ? {} : { kubernetesVersion: liveVersion }),
  };
  const merged: Record<string, unknown> = { ...before };
  const fields: FieldProblem[] = [];
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (!(CLUSTER_SETTINGS_FIELDS as readonly string[]).includes(key)) {
      fields.push({
        path: key,
        message: `is not a cluster setting: remove it (changeable settings: ${MUTABLE_FIELDS.join(', ')})`,
      });
      continue;
    }
    if (!(MUTABLE_FIELDS as readonly string[]).includes(key)) {
      // Sending the current value back (a whole settings object) is fine; a different one is not.
      if (sameValue(value, (before as Record<string, unknown>)[key])) continue;
      const why = IMMUTABLE_REASONS[key as keyof ClusterSettings];
      fields.push({
        path: key,
        message: `cannot change in place${why ? ` (${why})` : ''}: leave it out of the patch, or create a new cluster with the new value and move the workloads`,
      });
      continue;
    }
    if (value === null) {
      if (key === 'kubernetesVersion' || key === 'instanceType' || key === 'nodeCount') {
        fields.push({ path: key, message: 'cannot be removed: give a value, or leave it out of the patch to keep it' });
        continue;
      }
      delete merged[key]; // merge-patch removal: the setting's default applies again
      continue;
    }
    merged[key] = value;
  }
  if (fields.length) return fail(fields);

  const parsed = parseClusterSettings(merged, opts);
  if (!parsed.ok) return parsed;
  const after = parsed.settings;
  if (before.kubernetesVersion && after.kubernetesVersion) {
    const problem = versionStepProblem(before.kubernetesVersion, after.kubernetesVersion);
    if (problem) return fail([{ path: 'kubernetesVersion', message: problem }]);
  }
  const normalisedBefore = parseClusterSettings(before, opts);
  const base = normalisedBefore.ok ? normalisedBefore.settings : before;
  const changes: SettingChange[] = [];
  for (const field of MUTABLE_FIELDS) {
    const from = (base as Record<string, unknown>)[field];
    const to = (after as Record<string, unknown>)[field];
    if (!sameValue(from ?? null, to ?? null)) changes.push({ field, from: from ?? null, to: to ?? null });
  }
  // CloudFormation refuses an AWS::EKS::Nodegroup update that changes Version together with anything else
  // ("Version and ReleaseVersion updates cannot be combined with other updates"): the node stage of an
  // upgrade would fail and roll back. A new instance type is a new node group, so it may go with it.
  if (changes.some((c) => c.field === 'kubernetesVersion') && changes.some((c) => c.field === 'nodeCount')) {
    return fail([
      {
        path: 'nodeCount',
        message:
          'cannot change in the same update as kubernetesVersion: CloudFormation refuses a node group update that combines a version upgrade with other changes. Send the version upgrade first, then the node count',
      },
    ]);
  }
  return { ok: true, settings: after, changes };
}
