/** Token buckets per account and region, and AWS's throttling errors from the sandbox. */
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS, RateLimiter, TokenBucket } from '../../local/sandbox/limits/rate-limits.js';
import { startSandbox, type Sandbox } from '../../local/sandbox/server.js';
import { CUSTOMER_ACCESS_KEY_ID, SERVICE_ACCESS_KEY_ID } from '../../local/sandbox/world/default-world.js';

describe('TokenBucket', () => {
  it('allows a burst, then refills at its rate, never above the burst', () => {
    let t = 0;
    const b = new TokenBucket(3, 2 / 1000, () => t); // 3 tokens, 2 per second
    expect([b.take(), b.take(), b.take(), b.take()]).toEqual([true, true, true, false]);
    t = 499;
    expect(b.take()).toBe(false); // 0.998 tokens
    t = 500;
    expect(b.take()).toBe(true);
    t = 100_000; // long idle: back to 3, not 200
    expect([b.take(), b.take(), b.take(), b.take()]).toEqual([true, true, true, false]);
  });

  it('refuses a bucket that could never serve a call', () => {
    expect(() => new TokenBucket(0, 1, () => 0)).toThrow(/burst ≥ 1/);
  });
});

describe('RateLimiter', () => {
  it('keeps one bucket per account, region and action; counts calls and throttles', () => {
    let t = 0;
    const limiter = new RateLimiter({ ec2: [{ operations: 'Describe.*', per: 'operation', burst: 2, ratePerSecond: 1, source: 'test' }] }, 1, () => t);
    const take = (op: string, account = '222222222222', region = 'us-east-1') => limiter.take('ec2', op, account, region);
    expect([take('DescribeSubnets'), take('DescribeSubnets'), take('DescribeSubnets')]).toEqual([true, true, false]);
    expect(take('DescribeVpcs')).toBe(true); // another action: its own bucket (EC2's model)
    expect(take('DescribeSubnets', '333333333333')).toBe(true); // another account
    expect(take('DescribeSubnets', '222222222222', 'us-west-2')).toBe(true); // another region
    expect(take('RunInstances')).toBe(true); // no rule: not limited
    expect(limiter.snapshot().throttled).toEqual({ ec2: { '222222222222': 1 } });
    expect(limiter.snapshot().calls.ec2!['222222222222']).toBe(6);
  });

  it('refills in sandbox time: ×100 means 100× the rate per wall second, the same burst', () => {
    let t = 0;
    const limiter = new RateLimiter({ eks: [{ operations: '.*', per: 'service', burst: 1, ratePerSecond: 1, source: 'test' }] }, 100, () => t);
    expect([limiter.take('eks', 'DescribeCluster', 'a', 'r'), limiter.take('eks', 'ListClusters', 'a', 'r')]).toEqual([true, false]);
    t = 10; // 10 ms wall = 1 s sandbox
    expect(limiter.take('eks', 'DescribeCluster', 'a', 'r')).toBe(true);
  });

  it('every default names its source and is a usable bucket', () => {
    expect(() => new RateLimiter(DEFAULT_RATE_LIMITS)).not.toThrow();
    for (const rules of Object.values(DEFAULT_RATE_LIMITS)) for (const r of rules) expect(r.source.length).toBeGreaterThan(10);
    expect(DEFAULT_RATE_LIMITS.ec2![0]).toMatchObject({ burst: 100, ratePerSecond: 20 });
  });
});

describe('the sandbox answers over-limit calls with the service’s own throttling error', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({
      port: 0,
      log: () => undefined,
      timeScale: 1,
      rateLimits: {
        ec2: [{ operations: 'Describe.*', per: 'operation', burst: 2, ratePerSecond: 0.001, source: 'test' }],
        sts: [{ operations: '.*', per: 'service', burst: 1, ratePerSecond: 0.001, source: 'test' }],
      },
    });
  });
  afterAll(() => sb.stop());

  const client = <T>(C: new (c: object) => T, accessKeyId: string, secret: string) =>
    new C({ region: 'us-east-1', endpoint: sb.url, maxAttempts: 1, credentials: { accessKeyId, secretAccessKey: secret } });
  const world = () => sb.world.data.users.flatMap((u) => u.accessKeys);
  const secretOf = (id: string) => world().find((k) => k.accessKeyId === id)!.secretAccessKey;

  it('EC2: RequestLimitExceeded, HTTP 503, per account', async () => {
    const ec2 = client(EC2Client, CUSTOMER_ACCESS_KEY_ID, secretOf(CUSTOMER_ACCESS_KEY_ID));
    await ec2.send(new DescribeSubnetsCommand({}));
    await ec2.send(new DescribeSubnetsCommand({}));
    const err = await ec2.send(new DescribeSubnetsCommand({})).catch((e: unknown) => e as { name: string; $metadata: { httpStatusCode: number } });
    expect(err).toMatchObject({ name: 'RequestLimitExceeded', $metadata: { httpStatusCode: 503 } });
    // The service account's bucket is its own: its call gets past the limit (to IAM, which denies it).
    const other = client(EC2Client, SERVICE_ACCESS_KEY_ID, secretOf(SERVICE_ACCESS_KEY_ID));
    expect(await other.send(new DescribeSubnetsCommand({})).then(() => 'ok', (e: Error) => e.name)).toBe('UnauthorizedOperation');
    ec2.destroy();
    other.destroy();
  });

  it('STS: Throttling, HTTP 400; counted in GET /_sandbox/rate-limits', async () => {
    const sts = client(STSClient, CUSTOMER_ACCESS_KEY_ID, secretOf(CUSTOMER_ACCESS_KEY_ID));
    await sts.send(new GetCallerIdentityCommand({}));
    const err = await sts.send(new GetCallerIdentityCommand({})).catch((e: unknown) => e as { name: string; $metadata: { httpStatusCode: number } });
    expect(err).toMatchObject({ name: 'Throttling', $metadata: { httpStatusCode: 400 } });
    sts.destroy();
    const stats = (await (await fetch(`${sb.url}/_sandbox/rate-limits`)).json()) as { throttled: Record<string, Record<string, number>> };
    expect(stats.throttled).toEqual({ ec2: { '222222222222': 1 }, sts: { '222222222222': 1 } });
  });
});
