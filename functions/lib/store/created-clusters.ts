/**
 * The CreatedClusters sparse index (layout in keys.ts): every tenant's CREATED cluster records,
 * grouped by account and region. One partition, every page followed: the cost follows the clusters
 * alive, never the table's history (the table's grants have no Scan).
 */

import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { CREATED_PARTITION, keys, TABLE_KEYS } from './keys.js';

/** Every item in CreatedClusters (an eventually consistent read: the check's writes are conditional). */
export async function createdClusterItems(
  doc: DynamoDBDocumentClient,
  tableName: string,
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: TABLE_KEYS.created,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': TABLE_KEYS.livepk },
        ExpressionAttributeValues: { ':pk': CREATED_PARTITION },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    out.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

/**
 * Takes a record that is no longer CREATED out of the index (a write that changed its status without
 * removing the marker); false when it is CREATED again or gone.
 */
export async function dropStaleCreated(
  doc: DynamoDBDocumentClient,
  tableName: string,
  tenantId: string,
  clusterId: string,
): Promise<boolean> {
  try {
    await doc.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.cluster(tenantId, clusterId),
        UpdateExpression: 'REMOVE #pk, #sk',
        ConditionExpression: 'attribute_exists(PK) AND #status <> :created',
        ExpressionAttributeNames: { '#pk': TABLE_KEYS.livepk, '#sk': TABLE_KEYS.livesk, '#status': 'status' },
        ExpressionAttributeValues: { ':created': 'CREATED' },
      }),
    );
    return true;
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException || (e as Error)?.name === 'ConditionalCheckFailedException')
      return false;
    throw e;
  }
}
