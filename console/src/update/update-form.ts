/**
 * The "Update cluster" form and how it becomes a PATCH: the form starts from the cluster's current
 * settings, the merge patch carries only what differs (so an unchanged form is "nothing to change"),
 * and the browser checks the merged settings with the API's own schema. DOM-free, unit-tested in Node.
 */
import { type HourlyEstimate, hourlyEstimate } from '../../../shared/pricing/hourly-cost';
import type { ClusterRecord, ClusterSettings, FieldError } from '../api/types';
import { parseArnList } from '../wizard/deploy-roles';
import { formProblems } from '../wizard/form-check';

export type SupportPolicy = 'STANDARD' | 'EXTENDED';

/** What the form edits, as typed (node count as text: a half-typed number is not lost). */
export interface UpdateForm {
  kubernetesVersion: string;
  nodeCount: string;
  instanceType: string;
  upgradePolicy: SupportPolicy;
  /** Role or user ARNs, one per line or comma-separated. */
  adminPrincipalArns: string;
  deployPrincipalArns: string;
}

/** The settings an update may change, in the order the form shows them. */
export const UPDATE_FIELDS = [
  'kubernetesVersion',
  'upgradePolicy',
  'instanceType',
  'nodeCount',
  'adminPrincipalArns',
  'deployPrincipalArns',
] as const;
export type UpdateField = (typeof UPDATE_FIELDS)[number];

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** The Kubernetes version running now: the cluster's outputs (what EKS reported), else what was asked for. */
export function currentVersion(r: ClusterRecord): string {
  return str(r.outputs?.kubernetesVersion) || str(r.settings?.['kubernetesVersion']);
}

/**
 * A record made before support policies were explicit has none: its stack left EKS's own default,
 * EXTENDED (the API's support view says the same with `upgradePolicyAssumed`).
 */
export function currentPolicy(r: ClusterRecord): SupportPolicy {
  return r.settings?.['upgradePolicy'] === 'STANDARD' ? 'STANDARD' : 'EXTENDED';
}

export function formFromRecord(r: ClusterRecord): UpdateForm {
  const s = r.settings ?? {};
  return {
    kubernetesVersion: currentVersion(r),
    nodeCount: s['nodeCount'] === undefined ? '' : String(s['nodeCount']),
    instanceType: str(s['instanceType']),
    upgradePolicy: currentPolicy(r),
    adminPrincipalArns: list(s.adminPrincipalArns).join('\n'),
    deployPrincipalArns: list(s.deployPrincipalArns).join('\n'),
  };
}

/** `1.33` → `1.34`; undefined when not major.minor. */
export function nextMinor(version: string): string | undefined {
  const m = /^(\d+)\.(\d+)$/.exec(version);
  return m ? `${m[1]}.${Number(m[2]) + 1}` : undefined;
}

/**
 * The versions the form offers: the current one (keep it) and the next minor when EKS offers it in
 * this region. EKS upgrades one minor version at a time and never downgrades.
 */
export function offeredVersions<T extends { id: string }>(current: string, available: T[]): T[] {
  const next = nextMinor(current);
  const keep = available.find((v) => v.id === current) ?? ({ id: current } as T);
  const up = available.find((v) => v.id === next);
  return up ? [keep, up] : [keep];
}

const nodeCountOf = (text: string): number | string => {
  const n = text.trim() === '' ? Number.NaN : Number(text);
  // Not a number → sent as typed, so the schema's message names the field.
  return Number.isFinite(n) ? n : text;
};

/** The form's values as settings (only the fields an update may change). */
function formValues(f: UpdateForm): Record<UpdateField, unknown> {
  return {
    kubernetesVersion: f.kubernetesVersion.trim(),
    upgradePolicy: f.upgradePolicy,
    instanceType: f.instanceType.trim(),
    nodeCount: nodeCountOf(f.nodeCount),
    adminPrincipalArns: parseArnList(f.adminPrincipalArns),
    deployPrincipalArns: parseArnList(f.deployPrincipalArns),
  };
}

function currentValues(r: ClusterRecord): Record<UpdateField, unknown> {
  const s = r.settings ?? {};
  return {
    kubernetesVersion: currentVersion(r),
    upgradePolicy: currentPolicy(r),
    instanceType: str(s['instanceType']),
    nodeCount: s['nodeCount'],
    adminPrincipalArns: list(s.adminPrincipalArns),
    deployPrincipalArns: list(s.deployPrincipalArns),
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The JSON merge patch: only the fields whose value differs from the cluster's. An emptied list is
 * `null` (the setting is removed). `{}` means the form changes nothing.
 */
export function buildPatch(r: ClusterRecord, f: UpdateForm): Record<string, unknown> {
  const now = currentValues(r);
  const want = formValues(f);
  const patch: Record<string, unknown> = {};
  for (const field of UPDATE_FIELDS) {
    if (same(now[field], want[field])) continue;
    const v = want[field];
    patch[field] = Array.isArray(v) && v.length === 0 ? null : v;
  }
  return patch;
}

/**
 * Every problem the API's schema finds in the settings this form makes, on the update's fields only
 * (the cluster's other settings were accepted when it was created), phrased like the wizard's; plus
 * the version rule the schema cannot know: one minor version up at most, never down.
 */
export function updateProblems(r: ClusterRecord, f: UpdateForm, roleNamePrefix: string): FieldError[] {
  const patch = buildPatch(r, f);
  const merged: Record<string, unknown> = { ...(r.settings ?? {}), kubernetesVersion: currentVersion(r) };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete merged[k];
    else merged[k] = v;
  }
  const problems = formProblems(merged as unknown as ClusterSettings, roleNamePrefix).filter((p) =>
    (UPDATE_FIELDS as readonly string[]).includes(p.path.split(/[.[]/)[0] ?? ''),
  );
  const to = f.kubernetesVersion.trim();
  const from = currentVersion(r);
  if (to !== from && !problems.some((p) => p.path === 'kubernetesVersion') && to !== nextMinor(from)) {
    problems.push({
      path: 'kubernetesVersion',
      message: `Choose ${from} (no change) or ${nextMinor(from) ?? 'the next minor version'}: EKS upgrades one minor version at a time and never downgrades.`,
    });
  }
  return problems;
}

/** The hourly cost before and after, when the price table covers both (else undefined: nothing is guessed). */
export interface CostChange {
  before: HourlyEstimate & { total: number };
  after: HourlyEstimate & { total: number };
  /** after − before, USD per hour. */
  delta: number;
}

/**
 * `versionStatus` of a version: DescribeClusterVersions' `STANDARD_SUPPORT` / `EXTENDED_SUPPORT`. The
 * control plane costs the extended price only while its version is in extended support.
 */
export function costChange(
  r: ClusterRecord,
  f: UpdateForm,
  statusOf: (version: string) => string | undefined,
): CostChange | undefined {
  const region = r.region ?? str(r.settings?.['region']);
  const now = currentValues(r);
  const want = formValues(f);
  const estimate = (v: Record<UpdateField, unknown>) => {
    const status = statusOf(String(v.kubernetesVersion));
    return hourlyEstimate({
      region,
      instanceType: String(v.instanceType),
      nodeCount: Number(v.nodeCount),
      ...(status ? { versionStatus: status } : {}),
    });
  };
  const before = estimate(now);
  const after = estimate(want);
  if (before.total === undefined || after.total === undefined) return undefined;
  return {
    before: before as CostChange['before'],
    after: after as CostChange['after'],
    delta: Math.round((after.total - before.total) * 10_000) / 10_000,
  };
}
