/**
 * The support check over AWS: the CreatedClusters Query follows every page (never a Scan), records
 * no longer CREATED leave the index, DescribeClusterVersions is asked once per account and region
 * through role B, and a reminder is claimed conditionally on the record before it is published.
 */
import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeClusterVersionsCommand, EKSClient } from '@aws-sdk/client-eks';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CREATED_PARTITION, TABLE_KEYS } from '../../../functions/lib/store/keys.js';
import { supportCheckAwsDeps } from '../../../functions/support-check/aws-deps.js';
import { runTime } from '../../../functions/support-check/handler.js';
import { checkSupport, type SupportRecord } from '../../../functions/support-check/support-check.js';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const ddb = mockClient(doc);
const events = new EventBridgeClient({ region: 'us-east-1' });
const eb = mockClient(events);
const eksMock = mockClient(EKSClient);

const STD_END = new Date('2027-03-23T00:00:00.000Z');
const DAY = 86_400_000;

function item(id: string, region = 'us-east-1', over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    PK: `TENANT#t1`,
    SK: `CLUSTER#${id}`,
    id,
    tenantId: 't1',
    name: id,
    environmentScope: '*',
    accountId: '222222222222',
    region,
    status: 'CREATED',
    phase: 'Cluster ready',
    progress: { done: 1, total: 1 },
    settings: {
      kubernetesVersion: '1.32',
      upgradePolicy: 'STANDARD',
      provisionRoleArn: 'arn:aws:iam::222222222222:role/eks-provisioner-b',
      region,
    },
    outputs: { kubernetesVersion: '1.32' },
    [TABLE_KEYS.livepk]: CREATED_PARTITION,
    [TABLE_KEYS.livesk]: `222222222222#${region}#t1#${id}`,
    createdAt: '',
    updatedAt: '',
    ...over,
  };
}

function deps(now: Date, eksCalls: string[]) {
  return supportCheckAwsDeps({
    doc,
    tableName: 'tbl',
    events,
    eventBusName: 'bus',
    now: () => now,
    eksFor: async (r: SupportRecord) => {
      eksCalls.push(`${r.accountId}#${r.region}`);
      return new EKSClient({ region: r.region });
    },
  });
}

beforeEach(() => {
  ddb.reset();
  eb.reset();
  eksMock.reset();
  eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
  eksMock.on(DescribeClusterVersionsCommand).resolves({
    clusterVersions: [
      {
        clusterVersion: '1.32',
        endOfStandardSupportDate: STD_END,
        endOfExtendedSupportDate: new Date(STD_END.getTime() + 365 * DAY),
      },
    ],
  });
  ddb.on(UpdateCommand).resolves({});
});

describe('support check over AWS', () => {
  it('Queries CreatedClusters page by page (LastEvaluatedKey followed), never another index or a Scan', async () => {
    ddb
      .on(QueryCommand)
      .callsFake((input: { ExclusiveStartKey?: unknown }) =>
        input.ExclusiveStartKey
          ? { Items: [item('c-3')] }
          : { Items: [item('c-1'), item('c-2')], LastEvaluatedKey: { PK: 'TENANT#t1', SK: 'CLUSTER#c-2' } },
      );
    const got = await deps(new Date(STD_END.getTime() - 200 * DAY), []).createdClusters();
    expect(got.map((r) => r.id)).toEqual(['c-1', 'c-2', 'c-3']);
    const queries = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(queries).toHaveLength(2);
    expect(
      queries.every(
        (q) => q.IndexName === TABLE_KEYS.created && q.ExpressionAttributeValues?.[':pk'] === CREATED_PARTITION,
      ),
    ).toBe(true);
    expect(queries[1]!.ExclusiveStartKey).toEqual({ PK: 'TENANT#t1', SK: 'CLUSTER#c-2' });
  });

  it('a record in the index that is no longer CREATED is skipped and taken out of the index (conditionally)', async () => {
    ddb.on(QueryCommand).resolves({ Items: [item('c-1'), item('c-gone', 'us-east-1', { status: 'DELETING' })] });
    const got = await deps(new Date(), []).createdClusters();
    expect(got.map((r) => r.id)).toEqual(['c-1']);
    const drops = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(drops).toHaveLength(1);
    expect(drops[0]).toMatchObject({
      Key: { PK: 'TENANT#t1', SK: 'CLUSTER#c-gone' },
      UpdateExpression: 'REMOVE #pk, #sk',
      ConditionExpression: 'attribute_exists(PK) AND #status <> :created',
    });
  });

  it('DescribeClusterVersions once per account and region, whatever the number of clusters there', async () => {
    ddb.on(QueryCommand).resolves({ Items: [item('c-1'), item('c-2'), item('c-3'), item('c-w', 'us-west-2')] });
    const eksCalls: string[] = [];
    const out = await checkSupport(deps(new Date(STD_END.getTime() - 200 * DAY), eksCalls));
    expect(out.map((o) => o.action)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(eksCalls).toEqual(['222222222222#us-east-1', '222222222222#us-west-2']);
    expect(eksMock.commandCalls(DescribeClusterVersionsCommand)).toHaveLength(2);
    expect(eksMock.commandCalls(DescribeClusterVersionsCommand)[0]!.args[0].input).toMatchObject({ includeAll: true });
    // The dates are stored on each record (conditionally: a record deleted meanwhile is left alone).
    const saves = ddb
      .commandCalls(UpdateCommand)
      .map((c) => c.args[0].input)
      .filter((u) => u.UpdateExpression === 'SET #dates = :dates');
    expect(saves).toHaveLength(4);
    expect(saves[0]!.ExpressionAttributeValues?.[':dates']).toMatchObject({
      kubernetesVersion: '1.32',
      standardSupportEndsAt: STD_END.toISOString(),
    });
  });

  it('90 days before: the reminder is claimed on the record (ADD, conditional) and then published once', async () => {
    ddb.on(QueryCommand).resolves({ Items: [item('c-1')] });
    const out = await checkSupport(deps(new Date(STD_END.getTime() - 90 * DAY), []));
    expect(out).toEqual([{ clusterId: 'c-1', action: 'sent', thresholdDays: 90 }]);
    const claim = ddb
      .commandCalls(UpdateCommand)
      .map((c) => c.args[0].input)
      .find((u) => u.UpdateExpression === 'ADD #sent :keys')!;
    expect(claim.ConditionExpression).toBe('#status = :created AND NOT contains(#sent, :k0)');
    expect(claim.ExpressionAttributeValues?.[':keys']).toEqual(new Set([`${STD_END.toISOString()}#90`]));
    const put = eb.commandCalls(PutEventsCommand);
    expect(put).toHaveLength(1);
    const entry = put[0]!.args[0].input.Entries![0]!;
    expect(entry).toMatchObject({
      EventBusName: 'bus',
      Source: 'eks-provisioner',
      DetailType: 'EKS Cluster Support Ending',
    });
    const detail = JSON.parse(entry.Detail!);
    expect(detail).toMatchObject({ clusterId: 'c-1', thresholdDays: 90, support: { type: 'STANDARD', daysLeft: 90 } });
    // events/eventbridge-support-ending.json shows exactly this shape.
    const sample = JSON.parse(
      readFileSync(new URL('../../../events/eventbridge-support-ending.json', import.meta.url), 'utf8'),
    );
    expect(sample['detail-type']).toBe(entry.DetailType);
    expect(Object.keys(sample.detail).sort()).toEqual(Object.keys(detail).sort());
    // `warning` only under 90 days left: the sample (89 days) has it, this event (90) not.
    const noWarning = (o: object) =>
      Object.keys(o)
        .filter((k) => k !== 'warning')
        .sort();
    expect(noWarning(sample.detail.support)).toEqual(noWarning(detail.support));
    expect(sample.detail.support.warning).toMatch(/ends in 89 days/);
  });

  it('a claim refused (another run sent it) publishes nothing; a refused PutEvents gives the claim back', async () => {
    ddb.on(QueryCommand).resolves({ Items: [item('c-1')] });
    ddb
      .on(UpdateCommand, { UpdateExpression: 'ADD #sent :keys' })
      .rejects(Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' }));
    expect(await checkSupport(deps(new Date(STD_END.getTime() - 30 * DAY), []))).toEqual([
      { clusterId: 'c-1', action: 'already-sent', thresholdDays: 30 },
    ]);
    expect(eb.commandCalls(PutEventsCommand)).toHaveLength(0);

    ddb.reset();
    ddb.on(QueryCommand).resolves({ Items: [item('c-1')] });
    ddb.on(UpdateCommand).resolves({});
    eb.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
    });
    const out = await checkSupport(deps(new Date(STD_END.getTime() - 30 * DAY), []));
    expect(out[0]).toMatchObject({ clusterId: 'c-1', action: 'error' });
    const release = ddb
      .commandCalls(UpdateCommand)
      .map((c) => c.args[0].input)
      .find((u) => u.UpdateExpression === 'DELETE #sent :keys');
    expect(release?.ExpressionAttributeValues?.[':keys']).toEqual(
      new Set([`${STD_END.toISOString()}#90`, `${STD_END.toISOString()}#30`]),
    );
  });

  it("the run's clock is the scheduled event's time", () => {
    expect(runTime({ time: '2027-01-02T03:04:05Z' }).toISOString()).toBe('2027-01-02T03:04:05.000Z');
    const fallback = new Date('2020-01-01T00:00:00Z');
    expect(runTime({ time: 'yesterday' }, () => fallback)).toBe(fallback);
    expect(runTime(undefined, () => fallback)).toBe(fallback);
    const sample = JSON.parse(
      readFileSync(new URL('../../../events/scheduled-support-check.json', import.meta.url), 'utf8'),
    );
    expect(runTime(sample).toISOString()).toBe('2026-12-23T00:00:00.000Z');
  });
});
