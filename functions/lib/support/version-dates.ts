/**
 * Each Kubernetes version's end of standard and of extended support, as EKS's DescribeClusterVersions
 * answers them in a region (through role B). Read by the daily support check (every version, once per
 * account and region) and right after an upgrade (the new version only), so both store the same dates.
 */
import { type EKSClient, paginateDescribeClusterVersions } from '@aws-sdk/client-eks';

export type VersionDates = { standardSupportEndsAt?: string; extendedSupportEndsAt?: string };

const iso = (d: Date | string | undefined): string | undefined =>
  d === undefined ? undefined : d instanceof Date ? d.toISOString() : new Date(d).toISOString();

/** Dates by version; `versions` narrows the question (default: every version, old ones included). */
export async function describeVersionDates(eks: EKSClient, versions?: string[]): Promise<Map<string, VersionDates>> {
  const out = new Map<string, VersionDates>();
  // includeAll: a version already in extended support (or past it) still has its dates.
  const input = versions ? { clusterVersions: versions, includeAll: true } : { includeAll: true };
  for await (const page of paginateDescribeClusterVersions({ client: eks }, input)) {
    for (const v of page.clusterVersions ?? []) {
      if (!v.clusterVersion) continue;
      // Keys left out when EKS gives no date: these are stored as they are, and DynamoDB has no undefined.
      const dates: VersionDates = {};
      const std = iso(v.endOfStandardSupportDate);
      const ext = iso(v.endOfExtendedSupportDate);
      if (std) dates.standardSupportEndsAt = std;
      if (ext) dates.extendedSupportEndsAt = ext;
      out.set(v.clusterVersion, dates);
    }
  }
  return out;
}
