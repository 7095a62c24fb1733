/** Following a cluster survives a throttled or briefly unavailable API; other refusals still end it. */
import { describe, expect, it } from 'vitest';
import { type ApiClient, ApiError, type ClusterRecordView } from '../../../cli/api-client.js';
import { followCluster, nextWait } from '../../../cli/follow.js';

const record = (status: ClusterRecordView['status']): ClusterRecordView => ({
  id: 'c-1',
  name: 'demo',
  status,
  phase: 'x',
  progress: { done: 1, total: 2 },
});

function fakeApi(answers: Array<ClusterRecordView | ApiError>): ApiClient & { calls: number } {
  const api = {
    calls: 0,
    async get() {
      const a = answers[Math.min(api.calls++, answers.length - 1)]!;
      if (a instanceof ApiError) throw a;
      return a;
    },
  };
  return api as unknown as ApiClient & { calls: number };
}

const busy = (status: number) =>
  new ApiError(
    status,
    { error: { code: status === 429 ? 'AWS_THROTTLED' : 'AWS_UNAVAILABLE', message: 'retry' } },
    'GET /v1/clusters/c-1',
  );

describe('followCluster', () => {
  it('waits out 429 and 503 answers and goes on to the final status', async () => {
    const api = fakeApi([record('CREATING'), busy(503), busy(429), record('CREATED')]);
    const r = await followCluster(api, 'c-1', { intervalMs: 1, show: false });
    expect(r.status).toBe('CREATED');
    expect(api.calls).toBe(4);
  }, 10_000);

  it('ends on any other refusal (404)', async () => {
    const api = fakeApi([
      new ApiError(404, { error: { code: 'NOT_FOUND', message: 'No cluster' } }, 'GET /v1/clusters/c-1'),
    ]);
    await expect(followCluster(api, 'c-1', { intervalMs: 1, show: false })).rejects.toMatchObject({ status: 404 });
    expect(api.calls).toBe(1);
  });

  it('polls less often while nothing changes, and briskly again after a change', async () => {
    const waits: number[] = [];
    let w = 250;
    for (const changed of [true, false, false, false, false, false, false, false, true, false])
      waits.push((w = nextWait(w, changed, 250, 2000)));
    expect(waits).toEqual([250, 375, 563, 845, 1268, 1902, 2000, 2000, 250, 375]);
    // A long quiet phase: 10 minutes cost ~300 calls at the cap instead of 2,400 at 250 ms.
    const api = fakeApi([record('CREATING'), record('CREATING'), record('CREATING'), record('CREATED')]);
    const started = Date.now();
    await followCluster(api, 'c-1', { intervalMs: 20, maxIntervalMs: 40, show: false });
    expect(api.calls).toBe(4);
    expect(Date.now() - started).toBeGreaterThanOrEqual(20 + 30 + 40 - 5);
  }, 10_000);
});
