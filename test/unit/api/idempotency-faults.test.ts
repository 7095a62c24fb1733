/**
 * POST /v1/clusters under faults: a fault at each step (each store call, StartExecution refused or
 * answered with an error after it started), then the client retries what it did not get (same
 * Idempotency-Key, same body). It must end with exactly one execution, whose record is CREATING,
 * and the 202 must name it; the same key with another body is always a 422; no 202 for a cluster
 * that does not run. Step Functions is modelled as AWS answers: same name and input → the same
 * execution; another input → ExecutionAlreadyExists; DescribeExecution knows what was started.
 */
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { IdempotencyRecord } from '../../../functions/lib/store/types.js';
import { MemoryStore, makeTestApi, seedRole, validSettings } from './helpers.js';

const sfn = mockClient(SFNClient);
const awsError = (name: string, status: number) =>
  Object.assign(new Error(`${name} (injected)`), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });

type SfnFault = 'none' | 'throttled' | 'started-then-500';
let executions: Map<string, string>;
let sfnFault: SfnFault;

beforeEach(() => {
  sfn.reset();
  executions = new Map();
  sfnFault = 'none';
  sfn.on(StartExecutionCommand).callsFake((i: { name: string; input: string; stateMachineArn: string }) => {
    const fault = sfnFault;
    sfnFault = 'none';
    if (fault === 'throttled') throw awsError('ThrottlingException', 400);
    const seen = executions.get(i.name);
    if (seen !== undefined && seen !== i.input) throw awsError('ExecutionAlreadyExists', 400);
    executions.set(i.name, i.input);
    if (fault === 'started-then-500') throw awsError('InternalServerError', 500);
    return {
      executionArn: `${i.stateMachineArn.replace(':stateMachine:', ':execution:')}:${i.name}`,
      startDate: new Date(),
    };
  });
  sfn.on(DescribeExecutionCommand).callsFake((i: { executionArn: string }) => {
    const name = i.executionArn.split(':').pop()!;
    if (!executions.has(name)) throw awsError('ExecutionDoesNotExist', 400);
    return { executionArn: i.executionArn, status: 'RUNNING' };
  });
});

/** A store whose n-th call (counting every call of one request) fails once, as DynamoDB throttling would. */
class FaultyStore extends MemoryStore {
  failAt = -1;
  count = 0;
  private maybeFail(): void {
    if (this.count++ === this.failAt) throw awsError('ProvisionedThroughputExceededException', 400);
  }
  override async putIdempotency(r: IdempotencyRecord) {
    this.maybeFail();
    return super.putIdempotency(r);
  }
  override async updateIdempotency(r: IdempotencyRecord, e: { id: string; attempt: number }) {
    this.maybeFail();
    return super.updateIdempotency(r, e);
  }
  override async getRole(t: string, a: string) {
    this.maybeFail();
    return super.getRole(t, a);
  }
  override async createCluster(...a: Parameters<MemoryStore['createCluster']>) {
    this.maybeFail();
    return super.createCluster(...a);
  }
  override async updateCluster(...a: Parameters<MemoryStore['updateCluster']>) {
    this.maybeFail();
    return super.updateCluster(...a);
  }
}

const KEY = { 'Idempotency-Key': 'retry-me-0001' };
/** Store calls of one undisturbed request: reserve key, role, create record, executionArn, answer. */
const STORE_STEPS = ['putIdempotency', 'getRole', 'createCluster', 'updateCluster', 'updateIdempotency'];

async function scenario(fault: { storeCall?: number; sfn?: SfnFault }) {
  const store = new FaultyStore();
  const api = makeTestApi({ store });
  await seedRole(store, 'team-a');
  const post = (body: unknown) =>
    api.call({ method: 'POST', path: '/v1/clusters', body, tenant: 'team-a', headers: KEY });
  store.count = 0;
  store.failAt = fault.storeCall ?? -1;
  sfnFault = fault.sfn ?? 'none';
  const answers = [await post(validSettings())];
  // The client retries until it gets an answer (a 4xx other than 429 is an answer too).
  while (answers.length < 6 && (answers.at(-1)!.statusCode >= 500 || answers.at(-1)!.statusCode === 429))
    answers.push(await post(validSettings()));
  return { store, answers, post };
}

const cases: Array<[string, { storeCall?: number; sfn?: SfnFault }]> = [
  ['no fault', {}],
  ...STORE_STEPS.map((name, i): [string, { storeCall: number }] => [`store.${name} fails`, { storeCall: i }]),
  ['StartExecution throttled (nothing started)', { sfn: 'throttled' }],
  ['StartExecution started, then answered 500', { sfn: 'started-then-500' }],
];

describe('POST /v1/clusters: a fault at each step, then retries with the same key and body', () => {
  it.each(cases)('%s → exactly one running cluster, and the answer names it', async (_label, fault) => {
    const { store, answers, post } = await scenario(fault);
    const last = answers.at(-1)!;
    expect(last.statusCode, JSON.stringify(answers.map((a) => [a.statusCode, a.body]))).toBe(202);
    // Every 202 given names the same cluster.
    const ids = new Set(answers.filter((a) => a.statusCode === 202).map((a) => a.body.id));
    expect(ids.size).toBe(1);
    // Exactly one execution exists, for that cluster, and its record is live.
    expect([...executions.keys()]).toEqual([last.body.id]);
    expect(JSON.parse(executions.get(last.body.id)!).clusterId).toBe(last.body.id);
    const record = await store.getCluster('team-a', last.body.id);
    expect(record?.status).toBe('CREATING');
    expect(last.body).toEqual({
      id: last.body.id,
      status: 'CREATING',
      executionArn: expect.stringMatching(new RegExp(`:execution:.*:${last.body.id}$`)),
    });
    // Nothing else holds a live record: a record whose run never started is closed.
    for (const c of store.clusters.values()) if (c.id !== last.body.id) expect(c.status).toBe('FAILED');
    // A further retry replays the same answer and starts nothing.
    const again = await post(validSettings());
    expect(again.statusCode).toBe(202);
    expect(again.body).toEqual(last.body);
    expect(executions.size).toBe(1);
    // The same key with another body is refused.
    const other = await post(validSettings({ name: 'other' }));
    expect(other.statusCode).toBe(422);
    expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it.each(cases)(
    '%s, then another body with the same key → 422 IDEMPOTENCY_KEY_REUSED, whatever failed',
    async (_label, fault) => {
      const store = new FaultyStore();
      const api = makeTestApi({ store });
      await seedRole(store, 'team-a');
      store.failAt = fault.storeCall ?? -1;
      sfnFault = fault.sfn ?? 'none';
      const first = await api.call({
        method: 'POST',
        path: '/v1/clusters',
        body: validSettings(),
        tenant: 'team-a',
        headers: KEY,
      });
      const other = await api.call({
        method: 'POST',
        path: '/v1/clusters',
        body: validSettings({ name: 'other' }),
        tenant: 'team-a',
        headers: KEY,
      });
      if (fault.storeCall === 0) {
        expect(first.statusCode).toBeGreaterThanOrEqual(429);
        // The key could not even be taken: nothing was done, so the other body may take it.
        expect(other.statusCode).toBe(202);
        return;
      }
      expect(other.statusCode, JSON.stringify(other.body)).toBe(422);
      expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
      // Resending the original body still works and starts exactly one cluster.
      let r = await api.call({
        method: 'POST',
        path: '/v1/clusters',
        body: validSettings(),
        tenant: 'team-a',
        headers: KEY,
      });
      if (r.statusCode !== 202)
        r = await api.call({
          method: 'POST',
          path: '/v1/clusters',
          body: validSettings(),
          tenant: 'team-a',
          headers: KEY,
        });
      expect(r.statusCode).toBe(202);
      expect([...executions.keys()]).toEqual([r.body.id]);
    },
  );
});
