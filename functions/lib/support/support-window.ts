/**
 * A cluster's Kubernetes version support, from the version's dates (eks:DescribeClusterVersions
 * `endOfStandardSupportDate` / `endOfExtendedSupportDate`) and the cluster's upgrade policy:
 * which support it is in now, when that ends, how many days are left, and which "support ending"
 * reminders (90, 30, 7 days) are due. Pure: the API view and the daily support check share it.
 *
 * Upgrade policy: `STANDARD` — EKS upgrades the cluster when standard support ends; `EXTENDED` —
 * the cluster enters (paid) extended support then, and is upgraded when that ends. A record made
 * before the template set `UpgradePolicy` has no `settings.upgradePolicy`: its stack left the
 * cluster at AWS's default, EXTENDED, and the view says so (`upgradePolicyAssumed`).
 */

export type UpgradePolicy = 'STANDARD' | 'EXTENDED';

/** Days before the end of the current support at which one "EKS Cluster Support Ending" event goes out. */
export const SUPPORT_REMINDER_DAYS = [90, 30, 7] as const;
/** The view warns from this many days left. */
export const SUPPORT_WARNING_DAYS = 90;

/** What the support check stores on the record (the version's dates when it last looked). */
export interface SupportDates {
  kubernetesVersion: string;
  standardSupportEndsAt?: string;
  extendedSupportEndsAt?: string;
  checkedAt: string;
}

export interface ClusterSupport {
  /** The support the cluster's version is in now. */
  type: 'STANDARD' | 'EXTENDED' | 'ENDED';
  upgradePolicy: UpgradePolicy;
  /** True when the record has no upgradePolicy (stack made without UpgradePolicy: AWS's default EXTENDED). */
  upgradePolicyAssumed: boolean;
  kubernetesVersion: string;
  standardSupportEndsAt?: string;
  extendedSupportEndsAt?: string;
  /** Whole days until the current support ends (0 on the day; negative once past). */
  daysLeft?: number;
  /** When fewer than SUPPORT_WARNING_DAYS remain: what happens then, in words. */
  warning?: string;
}

const DAY_MS = 86_400_000;

export function supportOf(policy: UpgradePolicy | undefined, dates: SupportDates, now: Date): ClusterSupport {
  const upgradePolicy = policy ?? 'EXTENDED';
  const std = dates.standardSupportEndsAt ? Date.parse(dates.standardSupportEndsAt) : undefined;
  const ext = dates.extendedSupportEndsAt ? Date.parse(dates.extendedSupportEndsAt) : undefined;
  const t = now.getTime();
  let type: ClusterSupport['type'];
  let endsAt: number | undefined;
  if (std === undefined || t < std) {
    type = 'STANDARD';
    endsAt = std;
  } else if (upgradePolicy === 'EXTENDED' && (ext === undefined || t < ext)) {
    type = 'EXTENDED';
    endsAt = ext;
  } else {
    type = 'ENDED';
    endsAt = upgradePolicy === 'EXTENDED' ? ext : std;
  }
  const daysLeft = endsAt === undefined ? undefined : Math.floor((endsAt - t) / DAY_MS);
  const base: ClusterSupport = {
    type,
    upgradePolicy,
    upgradePolicyAssumed: policy === undefined,
    kubernetesVersion: dates.kubernetesVersion,
    ...(dates.standardSupportEndsAt ? { standardSupportEndsAt: dates.standardSupportEndsAt } : {}),
    ...(dates.extendedSupportEndsAt ? { extendedSupportEndsAt: dates.extendedSupportEndsAt } : {}),
    ...(daysLeft !== undefined ? { daysLeft } : {}),
  };
  if (daysLeft === undefined || daysLeft >= SUPPORT_WARNING_DAYS) return base;
  return { ...base, warning: warningFor(base, daysLeft) };
}

function warningFor(s: ClusterSupport, daysLeft: number): string {
  const when = daysLeft <= 0 ? 'has ended' : `ends in ${daysLeft} day${daysLeft === 1 ? '' : 's'}`;
  const assumed = s.upgradePolicyAssumed
    ? ' (this cluster was made without an explicit upgrade policy, so AWS applies its default, EXTENDED)'
    : '';
  if (s.type === 'STANDARD' && s.upgradePolicy === 'STANDARD') {
    return `Standard support for Kubernetes ${s.kubernetesVersion} ${when}; then Amazon EKS upgrades the control plane automatically. Upgrade the cluster before then.`;
  }
  if (s.type === 'STANDARD') {
    return `Standard support for Kubernetes ${s.kubernetesVersion} ${when}; then the cluster enters extended support, billed at the extended-support rate${assumed}. Upgrade the cluster before then, or accept the cost.`;
  }
  return `Extended support for Kubernetes ${s.kubernetesVersion} ${when}; then Amazon EKS upgrades the control plane automatically${assumed}. Upgrade the cluster before then.`;
}

/**
 * The reminder due now, if any, and every key it settles. A reminder is keyed by the end date it
 * counts down to and its threshold (`<endsAt>#<days>`), so the extended window gets its own three.
 * When several thresholds were crossed at once (a check that starts at 20 days), one event goes out
 * (the tightest) and the wider ones are settled with it: never a burst of stale reminders.
 */
export function dueReminder(
  s: ClusterSupport,
  sent: readonly string[],
): { days: number; keys: string[]; endsAt: string } | undefined {
  if (s.type === 'ENDED' || s.daysLeft === undefined || s.daysLeft < 0) return undefined;
  const endsAt = s.type === 'STANDARD' ? s.standardSupportEndsAt : s.extendedSupportEndsAt;
  if (!endsAt) return undefined;
  const unsent = SUPPORT_REMINDER_DAYS.filter((d) => s.daysLeft! <= d && !sent.includes(`${endsAt}#${d}`));
  if (!unsent.length) return undefined;
  return { days: Math.min(...unsent), keys: unsent.map((d) => `${endsAt}#${d}`), endsAt };
}
