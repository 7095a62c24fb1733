/**
 * RecordEndedExecution (EventBridge rule target): Step Functions "Execution Status Change" events of
 * the service's state machines → FAILED record + Failed event when a run ended without its Catch.
 * A throw (PutEvents refused) makes EventBridge retry; the retry sends the event kept on the record.
 */
import { loadConfig } from '../lib/config.js';
import type { ExecutionStatusChangeEvent } from '../lib/execution-status/event.js';
import { lambdaHandler } from '../lib/middleware.js';
import { endedExecutionDeps } from './aws-deps.js';
import { recordEndedExecution } from './record-ended-execution.js';

const deps = endedExecutionDeps(loadConfig());

export const handler = lambdaHandler(async (event: ExecutionStatusChangeEvent, { logger }) => {
  const result = await recordEndedExecution(event, deps);
  logger.info('execution status change', {
    executionArn: event?.detail?.executionArn,
    status: event?.detail?.status,
    ...result,
  });
  // The event is out but the record still says unpublished: a redelivery of this status change would send it again.
  if ('marked' in result && !result.marked)
    logger.warn('the Failed event was published but the record could not be marked', {
      executionArn: event?.detail?.executionArn,
      ...result,
    });
  return result;
});
