/**
 * AWS API rate limits, per account and region, as token buckets — the algorithm EC2 documents for its
 * own throttling (a bucket of `burst` tokens refilled at `ratePerSecond`; a call takes one token, a call
 * that finds none gets the service's throttling error). All runs in one customer account share its
 * buckets, which is what makes many clusters at once in one account a different load from many
 * accounts.
 *
 * Buckets refill in sandbox time (rate × time scale): the sandbox compresses AWS's durations and the
 * product's waits by the same factor, so a limit keeps its meaning relative to them. Burst stays as
 * published — simultaneous calls are simultaneous at any time scale.
 *
 * Defaults (DEFAULT_RATE_LIMITS, each with its source):
 * - EC2: AWS's published request token buckets, per API action: non-mutating (Describe*) 100 tokens,
 *   20/s; mutating 200 tokens, 5/s ("Request throttling for the Amazon EC2 API").
 * - STS: 600 requests/s per account and Region (AWS STS request quota), modelled as one bucket.
 * - EventBridge PutEvents: 10,000/s (us-east-1 default quota); other EventBridge actions 50/s.
 * - Step Functions StartExecution: bucket 1,300, refill 300/s (Standard workflows, us-east-1).
 * - CloudFormation, EKS, IAM: AWS publishes no per-action rate; conservative assumptions, per action:
 *   CloudFormation reads 20 tokens / 10/s, writes 10 / 2/s; EKS reads 20 / 10/s, writes 10 / 2/s;
 *   IAM (global, per account) reads 40 / 20/s, writes 15 / 5/s.
 * - DynamoDB: no request-rate quota (capacity is per table and on-demand here): not limited.
 */

export interface RateLimitRule {
  /** Regular expression on the operation name (anchored). */
  operations: string;
  /** One bucket per operation (EC2's model) or one for every matching operation of the service. */
  per: 'operation' | 'service';
  burst: number;
  ratePerSecond: number;
  /** Where the numbers come from (shown by GET /_sandbox/rate-limits). */
  source: string;
}

/** Service key → rules, first match wins; a call no rule matches is not limited. */
export type RateLimitConfig = Record<string, RateLimitRule[]>;

const READS = '(Describe|Get|List|Lookup|Validate|Estimate).*';
const EC2_DOC = "AWS: 'Request throttling for the Amazon EC2 API' (request token buckets)";
const CONSERVATIVE = 'not published by AWS: conservative sandbox assumption';

export const DEFAULT_RATE_LIMITS: RateLimitConfig = {
  ec2: [
    { operations: READS, per: 'operation', burst: 100, ratePerSecond: 20, source: `${EC2_DOC}, non-mutating actions` },
    { operations: '.*', per: 'operation', burst: 200, ratePerSecond: 5, source: `${EC2_DOC}, mutating actions` },
  ],
  sts: [{ operations: '.*', per: 'service', burst: 600, ratePerSecond: 600, source: 'AWS STS request quota: 600 requests per second per account and Region' }],
  events: [
    { operations: 'PutEvents', per: 'operation', burst: 10_000, ratePerSecond: 10_000, source: 'EventBridge PutEvents quota, us-east-1 default' },
    { operations: '.*', per: 'operation', burst: 50, ratePerSecond: 50, source: 'EventBridge control-plane actions' },
  ],
  states: [{ operations: 'StartExecution', per: 'operation', burst: 1_300, ratePerSecond: 300, source: 'Step Functions API action throttling, StartExecution (Standard, us-east-1)' }],
  cloudformation: [
    { operations: READS, per: 'operation', burst: 20, ratePerSecond: 10, source: CONSERVATIVE },
    { operations: '.*', per: 'operation', burst: 10, ratePerSecond: 2, source: CONSERVATIVE },
  ],
  eks: [
    { operations: READS, per: 'operation', burst: 20, ratePerSecond: 10, source: CONSERVATIVE },
    { operations: '.*', per: 'operation', burst: 10, ratePerSecond: 2, source: CONSERVATIVE },
  ],
  iam: [
    { operations: READS, per: 'operation', burst: 40, ratePerSecond: 20, source: CONSERVATIVE },
    { operations: '.*', per: 'operation', burst: 15, ratePerSecond: 5, source: CONSERVATIVE },
  ],
};

/** One token bucket; time in milliseconds from `now`. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly burst: number,
    /** Tokens per millisecond. */
    private readonly ratePerMs: number,
    private readonly now: () => number,
  ) {
    if (!(burst >= 1) || !(ratePerMs > 0)) throw new Error(`A token bucket needs burst ≥ 1 and a positive rate (got burst ${burst}, rate ${ratePerMs * 1000}/s).`);
    this.tokens = burst;
    this.last = now();
  }

  /** Takes one token if there is one. */
  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + Math.max(0, t - this.last) * this.ratePerMs);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export interface RateLimitStats {
  /** Calls seen / throttled, by service and account (all regions). */
  calls: Record<string, Record<string, number>>;
  throttled: Record<string, Record<string, number>>;
}

export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly compiled: Record<string, Array<RateLimitRule & { re: RegExp }>>;
  private stats: RateLimitStats = { calls: {}, throttled: {} };

  constructor(
    readonly config: RateLimitConfig,
    private readonly timeScale = 1,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.compiled = Object.fromEntries(
      Object.entries(config).map(([service, rules]) => {
        return [service, rules.map((r, i) => {
          if (!(r.burst >= 1) || !(r.ratePerSecond > 0)) throw new Error(`rateLimits.${service}[${i}]: burst must be ≥ 1 and ratePerSecond > 0.`);
          return { ...r, re: new RegExp(`^(?:${r.operations})$`) };
        })];
      }),
    );
  }

  /** Counts the call; false when the account's bucket for it is empty (answer with the throttling error). */
  take(service: string, operation: string, accountId: string, region: string): boolean {
    bump(this.stats.calls, service, accountId);
    const rule = this.compiled[service]?.find((r) => r.re.test(operation));
    if (!rule) return true;
    const key = `${accountId}/${region}/${service}/${rule.per === 'operation' ? operation : rule.operations}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(rule.burst, (rule.ratePerSecond * this.timeScale) / 1000, this.now);
      this.buckets.set(key, bucket);
    }
    if (bucket.take()) return true;
    bump(this.stats.throttled, service, accountId);
    return false;
  }

  snapshot(): RateLimitStats {
    return structuredClone(this.stats);
  }

  /** Forget counts and refill every bucket (POST /_sandbox/reset). */
  reset(): void {
    this.buckets.clear();
    this.stats = { calls: {}, throttled: {} };
  }
}

function bump(table: Record<string, Record<string, number>>, service: string, accountId: string): void {
  const row = (table[service] ??= {});
  row[accountId] = (row[accountId] ?? 0) + 1;
}
