/**
 * ReconcileExecutions (scheduled, every RECONCILE_PERIOD_SECONDS): settles runs whose end was never
 * recorded (see reconcile-executions.ts). Throws after the sweep if any run could not be handled,
 * so the function's Errors alarm fires; a re-run of the sweep is harmless.
 */
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { executionArnFor } from '../lib/cluster-ids.js';
import { loadConfig } from '../lib/config.js';
import { lambdaHandler } from '../lib/middleware.js';
import { defaultStore, documentClient } from '../lib/store/dynamo-store.js';
import { clearRun, runsStartedBefore } from '../lib/store/running-runs.js';
import { endedExecutionDeps } from '../record-ended-execution/aws-deps.js';
import { recordEndedExecution } from '../record-ended-execution/record-ended-execution.js';
import {
  type DescribedExecution,
  type ReconcileDeps,
  reconcileExecutions,
  statusChangeOf,
} from './reconcile-executions.js';

const config = loadConfig();
const doc = documentClient();
const sfn = new SFNClient({ maxAttempts: 5 });
const ended = endedExecutionDeps(config);

export const deps: ReconcileDeps = {
  runsStartedBefore: (cutoff) => runsStartedBefore(doc, config.tableName, cutoff),
  getCluster: (tenantId, clusterId) => defaultStore().getCluster(tenantId, clusterId),
  describeExecution: async (executionArn) => {
    try {
      return (await sfn.send(new DescribeExecutionCommand({ executionArn }))) as DescribedExecution;
    } catch (e) {
      if ((e as Error)?.name === 'ExecutionDoesNotExist') return undefined;
      throw e;
    }
  },
  recordEnded: (event) => recordEndedExecution(event, ended),
  // The update run's end goes the same way its lost status-change event would have (UPDATE_EXECUTION_ENDED).
  settleUpdate: async (_run, execution) => {
    const r = await recordEndedExecution(statusChangeOf(execution), ended);
    return r.action === 'skipped' ? `skipped: ${r.reason}` : r.code;
  },
  clearRun: (run) => clearRun(doc, config.tableName, run),
  createExecutionArn: (clusterId) => executionArnFor(config.stateMachineArn, clusterId),
  now: () => new Date(),
};

/**
 * The event: EventBridge's Scheduled Event in AWS (no grace given: RECONCILE_GRACE_SECONDS); the
 * local schedule passes `graceSeconds` scaled by its time factor.
 */
export const handler = lambdaHandler(async (event: { graceSeconds?: unknown } | undefined, { logger }) => {
  const g = event?.graceSeconds;
  const result = await reconcileExecutions(
    deps,
    typeof g === 'number' && Number.isFinite(g) && g >= 0 ? { graceSeconds: g } : {},
  );
  const acted = result.outcomes.filter((o) => o.action !== 'running');
  logger.info('reconciled running runs', {
    checked: result.checked,
    settled: result.settled,
    errors: result.errors,
    outcomes: acted.slice(0, 50),
  });
  if (result.errors > 0)
    throw new Error(
      `${result.errors} of ${result.checked} runs could not be reconciled (see the outcomes logged above)`,
    );
  return { checked: result.checked, settled: result.settled, errors: result.errors };
});
