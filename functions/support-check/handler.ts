/**
 * SupportCheck (daily, an EventBridge schedule): stores each CREATED cluster's version support dates
 * and publishes "EKS Cluster Support Ending" at 90, 30 and 7 days (support-check.ts). "Now" is the
 * scheduled event's `time` (the local stack passes the sandbox's clock the same way). Throws after
 * the run if any cluster could not be checked, so the function's Errors alarm fires; a re-run sends
 * nothing twice.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { eksClient } from '../lib/aws/clients.js';
import { roleBSession } from '../lib/aws/tenant-role.js';
import { loadConfig } from '../lib/config.js';
import { lambdaHandler } from '../lib/middleware.js';
import { defaultStore, documentClient } from '../lib/store/dynamo-store.js';
import { supportCheckAwsDeps } from './aws-deps.js';
import { checkSupport, type SupportRecord } from './support-check.js';

const config = loadConfig();
const doc = documentClient();
const events = new EventBridgeClient({ maxAttempts: 5 });

/** The run's clock: the scheduled event's `time` when it is a valid date, else the function's own. */
export function runTime(event: unknown, fallback: () => Date = () => new Date()): Date {
  const t = (event as { time?: unknown } | undefined)?.time;
  const ms = typeof t === 'string' ? Date.parse(t) : NaN;
  return Number.isFinite(ms) ? new Date(ms) : fallback();
}

async function eksFor(record: SupportRecord) {
  const { session } = await roleBSession(
    {
      tenantId: record.tenantId,
      clusterId: record.id,
      region: record.region,
      cluster: { provisionRoleArn: record.settings.provisionRoleArn },
    },
    { store: defaultStore(), config },
  );
  return eksClient(session);
}

export const handler = lambdaHandler(async (event: { time?: unknown } | undefined, { logger }) => {
  const now = runTime(event);
  const outcomes = await checkSupport(
    supportCheckAwsDeps({
      doc,
      tableName: config.tableName,
      events,
      eventBusName: config.eventBusName,
      eksFor,
      now: () => now,
    }),
  );
  const errors = outcomes.filter((o) => o.action === 'error');
  const sent = outcomes.filter((o) => o.action === 'sent').length;
  logger.info('support check', {
    checked: outcomes.length,
    sent,
    errors: errors.length,
    outcomes: outcomes.filter((o) => o.action !== 'ok').slice(0, 50),
  });
  if (errors.length)
    throw new Error(
      `${errors.length} of ${outcomes.length} clusters could not be checked (see the outcomes logged above)`,
    );
  return { checked: outcomes.length, sent, errors: 0 };
});
