/**
 * Kubernetes version support in words, shared by the create wizard's version picker, the update
 * form and the cluster page: each version's end of standard and of extended support (from
 * GET /v1/aws/kubernetes-versions, i.e. eks:DescribeClusterVersions) and what each support policy
 * costs and does. DOM-free, unit-tested in Node.
 */
import { EKS_CONTROL_PLANE_USD_PER_HOUR } from '../../../shared/pricing/hourly-cost';

/** One entry of GET /v1/aws/kubernetes-versions. */
export interface VersionItem {
  id: string;
  name?: string;
  status?: string;
  defaultVersion?: boolean;
  recommended?: boolean;
  endOfStandardSupportDate?: string;
  endOfExtendedSupportDate?: string;
}

const usd = (n: number) => `$${n.toFixed(2)}`;

/** What each support policy does at the end of standard support, and what it costs (the API's own wording). */
export const SUPPORT_POLICY_TEXT = {
  STANDARD: `At the end of standard support Amazon EKS upgrades the control plane to the next version automatically. No extra charge (${usd(EKS_CONTROL_PLANE_USD_PER_HOUR.standard)} per cluster hour).`,
  EXTENDED: `At the end of standard support the cluster stays on its version for up to 12 more months of extended support, billed at ${usd(EKS_CONTROL_PLANE_USD_PER_HOUR.extended)} per cluster hour instead of ${usd(EKS_CONTROL_PLANE_USD_PER_HOUR.standard)} (six times the standard price) while it is in extended support.`,
} as const;

/** `2026-03-23T00:00:00.000Z` → `2026-03-23` (the day in UTC, as AWS publishes these dates). */
export function day(iso: string | undefined): string | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? new Date(t).toISOString().slice(0, 10) : undefined;
}

export const inExtendedSupport = (v: Pick<VersionItem, 'status'>) => v.status === 'EXTENDED_SUPPORT';

/** "Standard support until 2026-03-23 · extended support until 2027-03-23", or, already past the first, "In extended support (…)". */
export function versionSupportText(v: VersionItem): string {
  const std = day(v.endOfStandardSupportDate);
  const ext = day(v.endOfExtendedSupportDate);
  const extended = ext ? `extended support until ${ext}` : undefined;
  if (inExtendedSupport(v)) {
    return [
      `In extended support${std ? ` since ${std}` : ''} (${usd(EKS_CONTROL_PLANE_USD_PER_HOUR.extended)} per cluster hour)`,
      extended,
    ]
      .filter(Boolean)
      .join(' · ');
  }
  return (
    [std ? `Standard support until ${std}` : undefined, extended].filter(Boolean).join(' · ') ||
    'Support dates not published'
  );
}

/** The Select tags of a version: its support status and whether it is EKS's default. */
export function versionTags(v: VersionItem): string[] {
  return [
    inExtendedSupport(v)
      ? 'extended support'
      : String(v.status ?? '')
          .replace(/_/g, ' ')
          .toLowerCase(),
    v.defaultVersion ? 'default' : '',
  ].filter(Boolean);
}
