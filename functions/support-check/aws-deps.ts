/**
 * The support check's dependencies over AWS: the CreatedClusters index (paginated Query, never a
 * Scan), the record's conditional reminder claims, eks:DescribeClusterVersions through the tenant's
 * role B — once per account and region per run, whatever the number of clusters there — and the
 * service bus.
 */

import type { EKSClient } from '@aws-sdk/client-eks';
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { EVENT_SOURCE } from '../lib/completion/completion.js';
import { isConditionFailure } from '../lib/store/condition-failure.js';
import { createdClusterItems, dropStaleCreated } from '../lib/store/created-clusters.js';
import { keys } from '../lib/store/keys.js';
import { describeVersionDates, type VersionDates } from '../lib/support/version-dates.js';
import { SUPPORT_ENDING_DETAIL_TYPE, type SupportCheckDeps, type SupportRecord } from './support-check.js';

export interface SupportAwsOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
  events: EventBridgeClient;
  eventBusName: string;
  /** An EKS client on the record's role B session (its region). */
  eksFor(record: SupportRecord): Promise<EKSClient>;
  now(): Date;
}

/** Dependencies for one run: the per-region version cache lives as long as the returned object. */
export function supportCheckAwsDeps(o: SupportAwsOptions): SupportCheckDeps {
  const regions = new Map<string, Promise<Map<string, VersionDates>>>();
  const versionsOf = (record: SupportRecord) => {
    const key = `${record.accountId}#${record.region}`;
    let got = regions.get(key);
    if (!got) {
      got = o.eksFor(record).then((eks) => describeVersionDates(eks));
      // A failed region is retried by the next record there, not cached as a failure.
      got.catch(() => regions.delete(key));
      regions.set(key, got);
    }
    return got;
  };
  const reminderUpdate = (record: SupportRecord, keysToSet: string[], add: boolean) =>
    new UpdateCommand({
      TableName: o.tableName,
      Key: keys.cluster(record.tenantId, record.id),
      UpdateExpression: add ? 'ADD #sent :keys' : 'DELETE #sent :keys',
      // Claimed only on a CREATED record none of whose keys is there yet: only the claimant publishes.
      ...(add
        ? {
            ConditionExpression: `#status = :created AND ${keysToSet.map((_, i) => `NOT contains(#sent, :k${i})`).join(' AND ')}`,
          }
        : {}),
      ExpressionAttributeNames: { '#sent': 'supportRemindersSent', ...(add ? { '#status': 'status' } : {}) },
      ExpressionAttributeValues: {
        ':keys': new Set(keysToSet),
        ...(add ? { ':created': 'CREATED', ...Object.fromEntries(keysToSet.map((k, i) => [`:k${i}`, k])) } : {}),
      },
    });
  return {
    createdClusters: async () => {
      const live: SupportRecord[] = [];
      for (const item of await createdClusterItems(o.doc, o.tableName)) {
        const r = item as unknown as SupportRecord & { supportRemindersSent?: string[] | Set<string> };
        if (r.status !== 'CREATED') {
          // A status write that left the marker behind: out of the index, so it costs nothing again.
          if (r.tenantId && r.id) await dropStaleCreated(o.doc, o.tableName, r.tenantId, r.id);
          continue;
        }
        const sent = r.supportRemindersSent;
        live.push({ ...r, supportRemindersSent: sent instanceof Set ? [...sent] : (sent ?? []) });
      }
      return live;
    },
    versionDates: async (record, version) => (await versionsOf(record)).get(version),
    saveDates: async (record, dates) => {
      await o.doc
        .send(
          new UpdateCommand({
            TableName: o.tableName,
            Key: keys.cluster(record.tenantId, record.id),
            UpdateExpression: 'SET #dates = :dates',
            ConditionExpression: '#status = :created',
            ExpressionAttributeNames: { '#dates': 'supportDates', '#status': 'status' },
            ExpressionAttributeValues: { ':dates': dates, ':created': 'CREATED' },
          }),
        )
        .catch((e: unknown) => {
          // Deleted since the Query: nothing to store.
          if (!isConditionFailure(e)) throw e;
        });
    },
    claimReminder: async (record, keysToSet) => {
      try {
        await o.doc.send(reminderUpdate(record, keysToSet, true));
        return true;
      } catch (e) {
        if (isConditionFailure(e)) return false;
        throw e;
      }
    },
    releaseReminder: async (record, keysToSet) => {
      await o.doc.send(reminderUpdate(record, keysToSet, false));
    },
    publish: async (detail) => {
      const out = await o.events.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: o.eventBusName,
              Source: EVENT_SOURCE,
              DetailType: SUPPORT_ENDING_DETAIL_TYPE,
              Detail: JSON.stringify(detail),
              Resources: [],
            },
          ],
        }),
      );
      if ((out.FailedEntryCount ?? 0) > 0)
        throw new Error(
          `EventBridge refused the ${SUPPORT_ENDING_DETAIL_TYPE} event: ${out.Entries?.[0]?.ErrorCode ?? ''} ${out.Entries?.[0]?.ErrorMessage ?? ''}`.trim(),
        );
    },
    now: o.now,
  };
}
