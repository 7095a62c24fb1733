/**
 * Applies a RecordUpdate (completion.ts: the cluster record's conditional UpdateItem, already
 * marshalled) to the table. The Lambdas that end runs outside the state machine's own DynamoDB
 * tasks (record-ended-execution, the reconciler) write through this.
 */
import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { RecordUpdate } from '../completion/completion.js';
import { isConditionFailure } from './condition-failure.js';

/** True when the update was written; false when its condition failed (the record moved on). Other errors throw. */
export async function applyRecordUpdate(
  ddb: DynamoDBClient,
  tableName: string,
  update: RecordUpdate,
): Promise<boolean> {
  try {
    await ddb.send(new UpdateItemCommand({ TableName: tableName, ...update }));
    return true;
  } catch (e) {
    if (isConditionFailure(e)) return false;
    throw e;
  }
}
