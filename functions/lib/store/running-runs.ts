/**
 * The RunningRuns sparse index (layout in keys.ts): which records a run is working on, oldest
 * first. A Query of one partition bounded by start time — its cost follows what is running, never
 * the table's history.
 */

import { type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from './condition-failure.js';
import { keys, RUNNING_PARTITION, type RunKind, TABLE_KEYS } from './keys.js';

export interface RunningRun {
  tenantId: string;
  clusterId: string;
  kind: RunKind;
  /** From RUNSK. */
  startedAt: string;
  executionArn?: string;
  /** RUNSK as read: clearing is conditional on it, so a newer run's marker is never removed. */
  sortKey: string;
}

/** Runs that started before `cutoff` (ISO-8601), oldest first, every page followed. */
export async function runsStartedBefore(
  doc: DynamoDBDocumentClient,
  tableName: string,
  cutoff: string,
): Promise<RunningRun[]> {
  const out: RunningRun[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: TABLE_KEYS.running,
        KeyConditionExpression: '#pk = :pk AND #sk < :cutoff',
        ExpressionAttributeNames: { '#pk': TABLE_KEYS.runpk, '#sk': TABLE_KEYS.runsk },
        ExpressionAttributeValues: { ':pk': RUNNING_PARTITION, ':cutoff': cutoff },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      const run = runOfItem(item);
      if (run) out.push(run);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

export function runOfItem(item: Record<string, unknown>): RunningRun | undefined {
  const sortKey = item[TABLE_KEYS.runsk];
  const kind = item['runKind'];
  if (typeof sortKey !== 'string' || (kind !== 'create' && kind !== 'delete' && kind !== 'update')) return undefined;
  const [startedAt = '', tenantFromKey, clusterFromKey] = sortKey.split('#');
  const tenantId = typeof item['tenantId'] === 'string' ? item['tenantId'] : tenantFromKey;
  const clusterId = typeof item['id'] === 'string' ? item['id'] : clusterFromKey;
  if (!tenantId || !clusterId) return undefined;
  const executionArn = typeof item['runExecutionArn'] === 'string' ? item['runExecutionArn'] : undefined;
  return { tenantId, clusterId, kind, startedAt, sortKey, ...(executionArn ? { executionArn } : {}) };
}

/** Takes the record out of RunningRuns, only if it still carries this run's marker; false if it moved on. */
export async function clearRun(doc: DynamoDBDocumentClient, tableName: string, run: RunningRun): Promise<boolean> {
  try {
    await doc.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.cluster(run.tenantId, run.clusterId),
        UpdateExpression: 'REMOVE #pk, #sk, #kind, #arn',
        ConditionExpression: '#sk = :sk',
        ExpressionAttributeNames: {
          '#pk': TABLE_KEYS.runpk,
          '#sk': TABLE_KEYS.runsk,
          '#kind': 'runKind',
          '#arn': 'runExecutionArn',
        },
        ExpressionAttributeValues: { ':sk': run.sortKey },
      }),
    );
    return true;
  } catch (e) {
    if (isConditionFailure(e)) return false;
    throw e;
  }
}
