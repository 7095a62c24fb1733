/** Token buckets per account and region, and AWS's throttling errors from the sandbox. */
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productWorld, SERVICE_ACCESS_KEY_ID } from '../../local/runner/product-world.js';
import { DEFAULT_RATE_LIMITS, RateLimiter, TokenBucket } from '../../local/sandbox/limits/rate-limits.js';
import { type Sandbox, startSandbox } from '../../local/sandbox/server.js';
import { CUSTOMER_ACCESS_KEY_ID } from '../../local/sandbox/world/default-world.js';

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
    const t = 0;
    const limiter = new RateLimiter(
      { ec2: [{ operations: 'Describe.*', per: 'operation', burst: 2, ratePerSecond: 1, source: 'test' }] },
      1,
      () => t,
    );
    const take = (op: string, account = '222222222222', region = 'us-east-1') =>
      limiter.take('ec2', op, account, region);
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
    const limiter = new RateLimiter(
      { eks: [{ operations: '.*', per: 'service', burst: 1, ratePerSecond: 1, source: 'test' }] },
      100,
      () => t,
    );
    expect([limiter.take('eks', 'DescribeCluster', 'a', 'r'), limiter.take('eks', 'ListClusters', 'a', 'r')]).toEqual([
      true,
      false,
    ]);
    t = 10; // 10 ms wall = 1 s sandbox
    expect(limiter.take('eks', 'DescribeCluster', 'a', 'r')).toBe(true);
  });

  it('a rule for some Regions applies there only; the next matching rule elsewhere', () => {
    const t = 0;
    const limiter = new RateLimiter(
      {
        states: [
          {
            operations: 'StartExecution',
            per: 'operation',
            regions: ['us-east-1'],
            burst: 3,
            ratePerSecond: 1,
            source: 'test',
          },
          { operations: 'StartExecution', per: 'operation', burst: 1, ratePerSecond: 1, source: 'test' },
        ],
      },
      1,
      () => t,
    );
    const burst = (region: string) =>
      Array.from({ length: 4 }, () => limiter.take('states', 'StartExecution', 'a', region)).filter(Boolean).length;
    expect(burst('us-east-1')).toBe(3);
    expect(burst('ap-east-1')).toBe(1);
    expect(
      () =>
        new RateLimiter({
          states: [{ operations: '.*', per: 'operation', regions: [], burst: 1, ratePerSecond: 1, source: 'test' }],
        }),
    ).toThrow(/regions: give at least one Region/);
  });

  it("EC2's unfiltered, unpaginated describes draw on their own bucket; with a filter or pagination, the standard one", () => {
    const t = 0;
    const limiter = new RateLimiter(
      {
        ec2: [
          {
            operations: 'DescribeSecurityGroups',
            per: 'operation',
            unfilteredOnly: true,
            burst: 1,
            ratePerSecond: 1,
            source: 'test',
          },
          { operations: 'Describe.*', per: 'operation', burst: 2, ratePerSecond: 1, source: 'test' },
        ],
      },
      1,
      () => t,
    );
    const take = (input?: Record<string, unknown>) =>
      limiter.take('ec2', 'DescribeSecurityGroups', 'a', 'us-east-1', input);
    expect([take({}), take({ Filters: [] })]).toEqual([true, false]); // an empty filter list is no filter
    expect([
      take({ Filters: [{ Name: 'vpc-id', Values: ['vpc-1'] }] }),
      take({ MaxResults: 5 }),
      take({ NextToken: 'x' }),
    ]).toEqual([true, true, false]);
  });
});

describe('default rate limits (AWS published quotas, or conservative where AWS publishes none)', () => {
  const limiter = () => {
    const t = 0;
    return new RateLimiter(DEFAULT_RATE_LIMITS, 1, () => t);
  };
  /** How many calls at once pass before the first throttle. */
  const burst = (
    l: RateLimiter,
    service: string,
    op: string,
    region = 'us-east-1',
    input?: Record<string, unknown>,
  ) => {
    let n = 0;
    while (l.take(service, op, '222222222222', region, input) && n < 100_000) n++;
    return n;
  };

  it('every rule cites an AWS page; the ones AWS does not publish say so', () => {
    for (const [service, rules] of Object.entries(DEFAULT_RATE_LIMITS)) {
      for (const r of rules) {
        expect(r.source, service).toMatch(/https:\/\/(docs\.aws\.amazon\.com|repost\.aws)\//);
        expect(r.source.includes('not published by AWS'), `${service}: ${r.source}`).toBe(
          ['sts', 'iam', 'cloudformation', 'eks'].includes(service),
        );
      }
    }
  });

  it('EC2: 100 describes at once (filtered or paginated), 50 unfiltered security-group describes', () => {
    expect(burst(limiter(), 'ec2', 'DescribeSubnets', 'us-east-1', { MaxResults: 1000 })).toBe(100);
    expect(
      burst(limiter(), 'ec2', 'DescribeSecurityGroups', 'us-east-1', {
        Filters: [{ Name: 'vpc-id', Values: ['vpc-1'] }],
      }),
    ).toBe(100);
    expect(burst(limiter(), 'ec2', 'DescribeSecurityGroups', 'us-east-1', {})).toBe(50);
    expect(burst(limiter(), 'ec2', 'CreateSecurityGroup')).toBe(50);
  });

  it('Step Functions StartExecution: 1,300 in us-east-1, us-west-2 and eu-west-1; 800 elsewhere', () => {
    const l = limiter();
    expect([
      burst(l, 'states', 'StartExecution', 'us-east-1'),
      burst(l, 'states', 'StartExecution', 'us-west-2'),
      burst(l, 'states', 'StartExecution', 'ap-east-1'),
    ]).toEqual([1_300, 1_300, 800]);
    expect(burst(l, 'states', 'DescribeExecution', 'us-east-1')).toBe(300);
  });

  it('EventBridge PutEvents by Region (10,000 us-east-1, 600 ap-east-1, 400 unnamed Regions); control plane 50', () => {
    const l = limiter();
    expect([
      burst(l, 'events', 'PutEvents', 'us-east-1'),
      burst(l, 'events', 'PutEvents', 'ap-east-1'),
      burst(l, 'events', 'PutEvents', 'me-central-1'),
    ]).toEqual([10_000, 600, 400]);
    expect(burst(l, 'events', 'DescribeEventBus')).toBe(50);
  });

  it('STS (not published): one bucket of 100 shared by every action, per account and Region', () => {
    const l = limiter();
    expect(burst(l, 'sts', 'AssumeRole')).toBe(100);
    expect(l.take('sts', 'GetCallerIdentity', '222222222222', 'us-east-1')).toBe(false);
    expect(l.take('sts', 'GetCallerIdentity', '222222222222', 'us-west-2')).toBe(true);
  });
});

describe('the sandbox answers over-limit calls with the service’s own throttling error', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({
      port: 0,
      log: () => undefined,
      world: productWorld(),
      timeScale: 1,
      rateLimits: {
        ec2: [
          {
            operations: 'DescribeSecurityGroups',
            per: 'operation',
            unfilteredOnly: true,
            burst: 1,
            ratePerSecond: 0.001,
            source: 'test',
          },
          { operations: 'Describe.*', per: 'operation', burst: 2, ratePerSecond: 0.001, source: 'test' },
        ],
        sts: [{ operations: '.*', per: 'service', burst: 1, ratePerSecond: 0.001, source: 'test' }],
      },
    });
  });
  afterAll(() => sb.stop());

  const client = <T>(C: new (c: object) => T, accessKeyId: string, secret: string) =>
    new C({
      region: 'us-east-1',
      endpoint: sb.url,
      maxAttempts: 1,
      credentials: { accessKeyId, secretAccessKey: secret },
    });
  const world = () => sb.world.data.users.flatMap((u) => u.accessKeys);
  const secretOf = (id: string) => world().find((k) => k.accessKeyId === id)!.secretAccessKey;

  it('EC2: RequestLimitExceeded, HTTP 503, per account', async () => {
    const ec2 = client(EC2Client, CUSTOMER_ACCESS_KEY_ID, secretOf(CUSTOMER_ACCESS_KEY_ID));
    await ec2.send(new DescribeSubnetsCommand({}));
    await ec2.send(new DescribeSubnetsCommand({}));
    const err = await ec2
      .send(new DescribeSubnetsCommand({}))
      .catch((e: unknown) => e as { name: string; $metadata: { httpStatusCode: number } });
    expect(err).toMatchObject({ name: 'RequestLimitExceeded', $metadata: { httpStatusCode: 503 } });
    // The service account's bucket is its own: its call gets past the limit (to IAM, which denies it).
    const other = client(EC2Client, SERVICE_ACCESS_KEY_ID, secretOf(SERVICE_ACCESS_KEY_ID));
    expect(
      await other.send(new DescribeSubnetsCommand({})).then(
        () => 'ok',
        (e: Error) => e.name,
      ),
    ).toBe('UnauthorizedOperation');
    ec2.destroy();
    other.destroy();
  });

  it('EC2: an unfiltered DescribeSecurityGroups is throttled on its own bucket; the filtered call is not', async () => {
    const ec2 = client(EC2Client, CUSTOMER_ACCESS_KEY_ID, secretOf(CUSTOMER_ACCESS_KEY_ID));
    await ec2.send(new DescribeSecurityGroupsCommand({}));
    expect(
      await ec2.send(new DescribeSecurityGroupsCommand({})).then(
        () => 'ok',
        (e: Error) => e.name,
      ),
    ).toBe('RequestLimitExceeded');
    const filtered = await ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: ['vpc-0a1b2c3d4e5f60001'] }] }),
    );
    expect(filtered.SecurityGroups?.length).toBeGreaterThan(0);
    ec2.destroy();
  });

  it('STS: Throttling, HTTP 400; counted in GET /_sandbox/rate-limits', async () => {
    const sts = client(STSClient, CUSTOMER_ACCESS_KEY_ID, secretOf(CUSTOMER_ACCESS_KEY_ID));
    await sts.send(new GetCallerIdentityCommand({}));
    const err = await sts
      .send(new GetCallerIdentityCommand({}))
      .catch((e: unknown) => e as { name: string; $metadata: { httpStatusCode: number } });
    expect(err).toMatchObject({ name: 'Throttling', $metadata: { httpStatusCode: 400 } });
    sts.destroy();
    const stats = (await (await fetch(`${sb.url}/_sandbox/rate-limits`)).json()) as {
      throttled: Record<string, Record<string, number>>;
    };
    expect(stats.throttled).toEqual({ ec2: { '222222222222': 2 }, sts: { '222222222222': 1 } });
  });
});
