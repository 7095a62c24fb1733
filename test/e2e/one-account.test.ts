/**
 * Ten clusters at once in one customer account whose AWS rate limits are tight: calls get throttled
 * (the sandbox's token buckets), the product backs off and retries, and every cluster still reaches
 * CREATED — no diagnosis caused by throttling.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../local/runner/stack.js';
import { CUSTOMER_ACCOUNT_ID } from '../../local/sandbox/index.js';
import type { RateLimitConfig } from '../../local/sandbox/limits/rate-limits.js';
import { apiCaller, followAll, setUpTenant, submitAll } from '../support/load-clusters.js';

if (!process.env['E2E_VERBOSE']) process.env['POWERTOOLS_LOG_LEVEL'] = 'SILENT';

/**
 * Refill rates are per sandbox second; at ×100 they are 100× per wall second. Bursts are small.
 */
const TIME_SCALE = 100;
const TIGHT: RateLimitConfig = {
  ec2: [{ operations: '.*', per: 'operation', burst: 3, ratePerSecond: 0.05, source: 'test: tight' }],
  cloudformation: [{ operations: '.*', per: 'operation', burst: 2, ratePerSecond: 0.03, source: 'test: tight' }],
  eks: [{ operations: '.*', per: 'operation', burst: 2, ratePerSecond: 0.05, source: 'test: tight' }],
  iam: [{ operations: '.*', per: 'operation', burst: 3, ratePerSecond: 0.05, source: 'test: tight' }],
};

describe('one busy account under tight rate limits', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    const quiet = () => undefined;
    stack = await startLocalStack({
      sandboxPort: 0,
      apiPort: 0,
      timeScale: TIME_SCALE,
      rateLimits: TIGHT,
      log: quiet,
      apiLog: { info: quiet, error: quiet },
      validateDefinition: false,
    });
  }, 60_000);
  afterAll(() => stack?.stop());

  it('10 clusters at once: calls are throttled, all reach CREATED, no throttling diagnosis', async () => {
    const call = apiCaller(stack.apiUrl!, 'busy');
    const roleArn = await setUpTenant(call, stack.awsEndpoint!, 'eks-provisioner-busy');
    const { ids, refused } = await submitAll(
      call,
      roleArn,
      Array.from({ length: 10 }, (_, i) => `busy-${i + 1}`),
    );
    expect(refused).toEqual([]);
    const final = await followAll(call, ids.values(), 240_000, 250);
    const outcomes = [...final.values()];
    expect(
      outcomes.filter((o) => o.status !== 'CREATED'),
      JSON.stringify(outcomes),
    ).toEqual([]);
    expect(final.size).toBe(10);
    const throttled = stack.sandbox!.rateLimits!.snapshot().throttled;
    const inCustomer = Object.values(throttled).reduce((n, byAccount) => n + (byAccount[CUSTOMER_ACCOUNT_ID] ?? 0), 0);
    expect(inCustomer, JSON.stringify(throttled)).toBeGreaterThan(0);
  }, 300_000);
});
