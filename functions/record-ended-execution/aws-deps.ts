/**
 * record-ended-execution's dependencies over AWS (the table, the service bus), shared by its own
 * handler and by the reconciler, which settles runs through the same core.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { EVENT_SOURCE } from '../lib/completion/completion.js';
import type { ServiceConfig } from '../lib/config.js';
import { DynamoStore, documentClient } from '../lib/store/dynamo-store.js';
import { applyRecordUpdate } from '../lib/store/record-update.js';
import type { RecordEndedExecutionDeps } from './record-ended-execution.js';

export function endedExecutionDeps(
  config: ServiceConfig,
  ddb = new DynamoDBClient({ maxAttempts: 3 }),
  events = new EventBridgeClient({ maxAttempts: 5 }),
): RecordEndedExecutionDeps {
  const store = new DynamoStore(documentClient(ddb), config.tableName);
  return {
    getCluster: (tenantId, clusterId) => store.getCluster(tenantId, clusterId),
    updateRecord: (u) => applyRecordUpdate(ddb, config.tableName, u),
    publish: async (detailType, detail, resources) => {
      const out = await events.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: config.eventBusName,
              Source: EVENT_SOURCE,
              DetailType: detailType,
              Detail: JSON.stringify(detail),
              Resources: resources,
            },
          ],
        }),
      );
      if ((out.FailedEntryCount ?? 0) > 0)
        throw new Error(
          `EventBridge refused the ${detailType} event: ${out.Entries?.[0]?.ErrorCode ?? ''} ${out.Entries?.[0]?.ErrorMessage ?? ''}`.trim(),
        );
    },
    now: () => new Date(),
  };
}
