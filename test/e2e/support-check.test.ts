/**
 * The daily support check on the sandbox's clock: a cluster on Kubernetes 1.32 (the default
 * world's standard support ends 2027-03-23) with upgradePolicy STANDARD. Moving the sandbox clock
 * to 95, 90, 30 and 7 days before that end and running the check (as the daily rule would, its
 * event's time = the sandbox's now): one "EKS Cluster Support Ending" event at 90, one at 30, one
 * at 7 — never a second one for the same threshold, however often the check runs, and not from a
 * fresh schedule either. The cluster is in CreatedClusters while CREATED and leaves it on delete.
 */
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { CREATED_PARTITION, TABLE_KEYS } from '../../functions/lib/store/keys.js';
import { DEFAULT_WORLD } from '../../local/runner/environment.js';
import { moduleHandlerResolver } from '../../local/runner/lambda.js';
import { startLocalStack } from '../../local/runner/stack.js';
import { supportSchedule } from '../../local/runner/support-schedule.js';
import { placement } from './ended-harness.js';
import { E2E, E2E_TIME_SCALE } from './harness.js';

const STD_END = Date.parse('2027-03-23T00:00:00.000Z'); // local/sandbox/world/default-world.ts, 1.32
const DAY = 86_400_000;
const DETAIL_TYPE = 'EKS Cluster Support Ending';

let x: E2E | undefined;
afterAll(async () => x?.stop());

async function start(): Promise<E2E> {
  const silent = { info: () => undefined, error: () => undefined };
  // No periodic run: the test runs the checks it counts.
  const stack = await startLocalStack({
    sandboxPort: 0,
    apiPort: 0,
    timeScale: E2E_TIME_SCALE,
    log: () => undefined,
    apiLog: silent,
    validateDefinition: false,
    reconcileSchedule: false,
    supportSchedule: false,
  });
  x = new E2E(stack);
  return x;
}

/** Moves the sandbox clock to `days` (and one hour) before standard support ends. */
async function clockTo(e: E2E, days: number): Promise<string> {
  const now = Date.parse(
    (await e.http<{ now: string }>('POST', `${e.sandboxUrl}/_sandbox/clock`, { advanceMs: 0 })).body.now,
  );
  const target = STD_END - days * DAY - 3_600_000;
  expect(target, 'the sandbox clock is already past this point').toBeGreaterThanOrEqual(now);
  return (await e.http<{ now: string }>('POST', `${e.sandboxUrl}/_sandbox/clock`, { advanceMs: target - now })).body
    .now;
}

async function createdIndex(e: E2E): Promise<string[]> {
  const ddb = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: e.sandboxUrl,
    credentials: {
      accessKeyId: DEFAULT_WORLD.service.accessKeyId,
      secretAccessKey: DEFAULT_WORLD.service.secretAccessKey,
    },
  });
  try {
    const out = await ddb.send(
      new QueryCommand({
        TableName: placement.tableName,
        IndexName: TABLE_KEYS.created,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': TABLE_KEYS.livepk },
        ExpressionAttributeValues: { ':pk': { S: CREATED_PARTITION } },
      }),
    );
    return (out.Items ?? []).map((i) => i['id']?.S ?? '');
  } finally {
    ddb.destroy();
  }
}

describe('daily support check (sandbox clock)', () => {
  it('one Support Ending event at 90, 30 and 7 days, never twice; out of the index once deleted', async () => {
    const e = await start();
    const tenant = 'e2e-support';
    const roleArn = await e.createRoleB({ name: 'eks-provisioner-support', tenant, withDeleteStatement: true });
    expect((await e.api('POST', '/v1/roles', { roleArn, region: 'us-east-1' }, tenant)).status).toBe(200);
    const r = await e.api(
      'POST',
      '/v1/clusters',
      e.settings({ name: 'support', provisionRoleArn: roleArn, kubernetesVersion: '1.32', upgradePolicy: 'STANDARD' }),
      tenant,
    );
    expect(r.status, r.text).toBe(202);
    const id = r.body.id as string;
    const created = await e.follow(id, tenant);
    expect(created.status, JSON.stringify(created.diagnosis)).toBe('CREATED');
    expect(await createdIndex(e)).toEqual([id]);

    const reminders = async () =>
      (await e.events(id)).filter((ev) => ev.detailType === DETAIL_TYPE).map((ev) => ev.detail);
    const run = () => e.stack.supportCheck.runNow() as Promise<{ checked: number; sent: number; errors: number }>;

    // 95 days left: dates stored, no reminder yet.
    await clockTo(e, 95);
    expect(await run()).toEqual({ checked: 1, sent: 0, errors: 0 });
    expect(await reminders()).toEqual([]);
    const view = (await e.api('GET', `/v1/clusters/${id}`, undefined, tenant)).body;
    expect(view.support).toMatchObject({
      type: 'STANDARD',
      upgradePolicy: 'STANDARD',
      kubernetesVersion: '1.32',
      standardSupportEndsAt: new Date(STD_END).toISOString(),
    });

    for (const days of [90, 30, 7]) {
      const now = await clockTo(e, days);
      expect(await run(), `${days} days`).toEqual({ checked: 1, sent: 1, errors: 0 });
      // The same day again, and from a fresh schedule (nothing carried in memory): nothing more.
      expect(await run()).toEqual({ checked: 1, sent: 0, errors: 0 });
      const fresh = supportSchedule({
        placement: { ...placement, accountId: e.stack.accountId },
        resolveHandler: moduleHandlerResolver(),
        timeScale: E2E_TIME_SCALE,
        now: () => Date.parse(now),
        log: () => undefined,
        periodic: false,
      });
      expect(await fresh.runNow()).toEqual({ checked: 1, sent: 0, errors: 0 });
      await fresh.stop();
    }
    const sent = await reminders();
    expect(sent.map((d) => d['thresholdDays'])).toEqual([90, 30, 7]);
    expect(sent.map((d) => d['support']['daysLeft'])).toEqual([90, 30, 7]);
    expect(sent[0]).toMatchObject({
      clusterId: id,
      tenantId: tenant,
      name: 'support',
      accountId: DEFAULT_WORLD.customer.accountId,
      region: 'us-east-1',
      kubernetesVersion: '1.32',
    });
    expect(sent[2]!['support']['warning']).toMatch(/ends in 7 days/);

    // Deleted: out of CreatedClusters, so the check no longer reads it.
    expect((await e.api('DELETE', `/v1/clusters/${id}`, undefined, tenant)).status).toBe(202);
    for (const until = Date.now() + 10_000; (await createdIndex(e)).length && Date.now() < until; )
      await new Promise((res) => setTimeout(res, 50));
    expect(await createdIndex(e)).toEqual([]);
    expect(await run()).toEqual({ checked: 0, sent: 0, errors: 0 });
  }, 180_000);
});
