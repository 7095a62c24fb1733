/**
 * RecordEndedExecution (EventBridge rule target): Step Functions "Execution Status Change" events of
 * the service's state machines → FAILED record + Failed event when a run ended without its Catch.
 * A throw (PutEvents refused) makes EventBridge retry; the retry sends the event kept on the record.
 */
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { loadConfig } from '../lib/config.js';
import { EVENT_SOURCE } from '../lib/completion/completion.js';
import type { ExecutionStatusChangeEvent } from '../lib/execution-status/event.js';
import { lambdaHandler } from '../lib/middleware.js';
import { defaultStore } from '../lib/store/dynamo-store.js';
import { recordEndedExecution } from './record-ended-execution.js';

const config = loadConfig();
const ddb = new DynamoDBClient({ maxAttempts: 3 });
const events = new EventBridgeClient({ maxAttempts: 5 });

export const handler = lambdaHandler(async (event: ExecutionStatusChangeEvent, { logger }) => {
  const result = await recordEndedExecution(event, {
    getCluster: (tenantId, clusterId) => defaultStore().getCluster(tenantId, clusterId),
    updateRecord: async (u) => {
      try {
        await ddb.send(new UpdateItemCommand({ TableName: config.tableName, ...(u as unknown as Omit<ConstructorParameters<typeof UpdateItemCommand>[0], 'TableName'>) }));
        return true;
      } catch (e) {
        if ((e as Error).name === 'ConditionalCheckFailedException') return false;
        throw e;
      }
    },
    publish: async (detailType, detail, resources) => {
      const out = await events.send(
        new PutEventsCommand({ Entries: [{ EventBusName: config.eventBusName, Source: EVENT_SOURCE, DetailType: detailType, Detail: JSON.stringify(detail), Resources: resources }] }),
      );
      if ((out.FailedEntryCount ?? 0) > 0) throw new Error(`EventBridge refused the ${detailType} event: ${out.Entries?.[0]?.ErrorCode ?? ''} ${out.Entries?.[0]?.ErrorMessage ?? ''}`.trim());
    },
    now: () => new Date(),
  });
  logger.info('execution status change', { executionArn: event?.detail?.executionArn, status: event?.detail?.status, ...result });
  // The event is out but the record still says unpublished: a redelivery of this status change would send it again.
  if ('marked' in result && !result.marked) logger.warn('the Failed event was published but the record could not be marked', { executionArn: event?.detail?.executionArn, ...result });
  return result;
});
