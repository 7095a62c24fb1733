/**
 * SupportCheck (daily): for every CREATED cluster, the version's support dates (read through role B
 * with eks:DescribeClusterVersions, once per account and region), stored on the record for the API
 * view, and at 90, 30 and 7 days before the current support ends one "EKS Cluster Support Ending"
 * event — the reminder Amazon EKS does not send.
 *
 * Once per threshold, across retries and restarts: the reminder is claimed on the record first
 * (a conditional ADD of its key to `supportRemindersSent`, refused when the key is there), and only
 * the claimant publishes; a refused PutEvents gives the claim back so the next run sends it.
 */
import { errorSummary } from '../lib/aws/aws-error.js';
import type { ClusterRecord } from '../lib/store/types.js';
import {
  type ClusterSupport,
  dueReminder,
  type SupportDates,
  supportOf,
  type UpgradePolicy,
} from '../lib/support/support-window.js';

export const SUPPORT_ENDING_DETAIL_TYPE = 'EKS Cluster Support Ending';

/** The record as the check needs it: the settings' upgrade policy and what was already sent. */
export type SupportRecord = ClusterRecord & {
  supportRemindersSent?: string[];
  settings: ClusterRecord['settings'] & { upgradePolicy?: UpgradePolicy };
};

export interface SupportEndingDetail {
  clusterId: string;
  tenantId: string;
  name: string;
  accountId: string;
  region: string;
  kubernetesVersion: string;
  /** The threshold this reminder is for (90, 30 or 7). */
  thresholdDays: number;
  support: ClusterSupport;
}

export interface SupportCheckDeps {
  /** Every CREATED cluster record (all tenants). */
  createdClusters(): Promise<SupportRecord[]>;
  /** The version's dates in that account and region (through the cluster's role B). */
  versionDates(
    record: SupportRecord,
    version: string,
  ): Promise<Omit<SupportDates, 'checkedAt' | 'kubernetesVersion'> | undefined>;
  saveDates(record: SupportRecord, dates: SupportDates): Promise<void>;
  /** Adds the keys to the record's sent set unless one is there already; false = someone else claimed it. */
  claimReminder(record: SupportRecord, keys: string[]): Promise<boolean>;
  /** Gives the claim back (the event did not go out). */
  releaseReminder(record: SupportRecord, keys: string[]): Promise<void>;
  publish(detail: SupportEndingDetail): Promise<void>;
  now(): Date;
}

export type SupportCheckOutcome =
  | { clusterId: string; action: 'ok' | 'sent' | 'already-sent' | 'no-dates'; thresholdDays?: number }
  | { clusterId: string; action: 'error'; detail: string };

export async function checkSupport(deps: SupportCheckDeps): Promise<SupportCheckOutcome[]> {
  const out: SupportCheckOutcome[] = [];
  for (const record of await deps.createdClusters()) {
    try {
      out.push(await checkOne(record, deps));
    } catch (e) {
      out.push({ clusterId: record.id, action: 'error', detail: errorSummary(e) });
    }
  }
  return out;
}

async function checkOne(record: SupportRecord, deps: SupportCheckDeps): Promise<SupportCheckOutcome> {
  const version = record.outputs?.kubernetesVersion ?? record.settings.kubernetesVersion;
  if (!version) return { clusterId: record.id, action: 'no-dates' };
  const found = await deps.versionDates(record, version);
  if (!found) return { clusterId: record.id, action: 'no-dates' };
  const now = deps.now();
  const dates: SupportDates = { kubernetesVersion: version, ...found, checkedAt: now.toISOString() };
  await deps.saveDates(record, dates);
  const support = supportOf(record.settings.upgradePolicy, dates, now);
  const due = dueReminder(support, record.supportRemindersSent ?? []);
  if (!due) return { clusterId: record.id, action: 'ok' };
  if (!(await deps.claimReminder(record, due.keys)))
    return { clusterId: record.id, action: 'already-sent', thresholdDays: due.days };
  try {
    await deps.publish({
      clusterId: record.id,
      tenantId: record.tenantId,
      name: record.name,
      accountId: record.accountId,
      region: record.region,
      kubernetesVersion: version,
      thresholdDays: due.days,
      support,
    });
  } catch (e) {
    await deps.releaseReminder(record, due.keys).catch(() => undefined);
    throw e;
  }
  return { clusterId: record.id, action: 'sent', thresholdDays: due.days };
}
