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
 * Defaults (DEFAULT_RATE_LIMITS): each rule names its source. Where AWS publishes the numbers the rule
 * cites the page (checked against it); where AWS says throttling exists but publishes no numbers, the
 * rule says so and uses a conservative value — lower rather than higher, so the product meets
 * throttling here at least as early as in AWS. Burst sizes AWS does not give are one second of refill.
 * - EC2: per action, "Request throttling for the Amazon EC2 API": non-mutating 100 / 20 per s; the
 *   unfiltered-and-unpaginated subset (DescribeSecurityGroups, DescribeInstances, …, called with
 *   neither a filter nor pagination) 50 / 10; mutating 50 / 5.
 * - EventBridge: PutEvents per Region as published (10,000/s in us-east-1, us-west-2, eu-west-1; 400/s
 *   where no Region is named); control-plane actions 50/s.
 * - Step Functions (Standard): per action as published, by Region group (us-east-1, us-west-2,
 *   eu-west-1 vs all others), e.g. StartExecution 1,300 / 300 vs 800 / 150.
 * - STS, IAM, CloudFormation, EKS: AWS throttles them with token buckets but publishes no numbers:
 *   conservative assumptions (see each rule).
 * - DynamoDB: no request-rate quota (capacity is per table and on-demand here): not limited.
 */

export interface RateLimitRule {
  /** Regular expression on the operation name (anchored). */
  operations: string;
  /** One bucket per operation (EC2's model) or one for every matching operation of the service. */
  per: 'operation' | 'service';
  burst: number;
  ratePerSecond: number;
  /** Only in these Regions (some quotas are published per Region); without it, in every Region. */
  regions?: string[];
  /**
   * Only for requests with neither a filter nor pagination (no Filters, MaxResults or NextToken): EC2's
   * "unfiltered and unpaginated non-mutating actions", which draw on a smaller bucket of their own.
   */
  unfilteredOnly?: boolean;
  /** Where the numbers come from (shown by GET /_sandbox/rate-limits). */
  source: string;
}

/** Service key → rules, first match wins; a call no rule matches is not limited. */
export type RateLimitConfig = Record<string, RateLimitRule[]>;

const READS = '(Describe|Get|List|Lookup|Validate|Estimate).*';
/** Regions where AWS publishes the larger Step Functions and EventBridge quotas. */
const LARGE_REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'];

const EC2_DOC = 'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/throttling.html';
const EVENTS_DOC = 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html';
const SFN_DOC = 'https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html';
/** AWS: IAM and STS throttle per API with token buckets; the rates are not published and cannot be raised. */
const IAM_STS_DOC = 'https://repost.aws/knowledge-center/iam-sts-throttling-error';
const CFN_DOC = 'https://repost.aws/knowledge-center/cloudformation-rate-exceeded-error';
const EKS_DOC = 'https://docs.aws.amazon.com/eks/latest/userguide/service-quotas.html';
const NOT_PUBLISHED = 'not published by AWS';

/** EC2 describes that use the smaller bucket when called without a filter or pagination (EC2_DOC). */
const EC2_UNFILTERED =
  'DescribeInstances|DescribeInstanceStatus|DescribeNetworkInterfaces|DescribeSecurityGroups|DescribeSnapshots|DescribeSpotInstanceRequests|DescribeVolumes';

/** EventBridge PutEvents requests per second by Region (EVENTS_DOC, "PutEvents throttle limit in transactions per second"). */
const PUT_EVENTS_TPS: Array<[number, string[]]> = [
  [10_000, LARGE_REGIONS],
  [2_400, ['us-east-2', 'eu-central-1', 'eu-south-2']],
  [1_200, ['us-west-1', 'ap-northeast-1', 'ap-southeast-1', 'ap-southeast-2', 'eu-west-2']],
  [600, ['ap-east-1', 'ap-northeast-2', 'ap-south-1', 'ca-central-1', 'eu-north-1', 'eu-west-3', 'sa-east-1']],
];
const PUT_EVENTS_OTHER_TPS = 400;

/**
 * Step Functions API buckets (SFN_DOC: StartExecution under "Quotas related to API action throttling",
 * the others under "Other quotas"): [action, large Regions [burst, rate], other Regions [burst, rate]].
 * The actions the product, the runner's Step Functions API and the AWS CLI examples use.
 */
const SFN_BUCKETS: Array<[string, [number, number], [number, number]]> = [
  ['StartExecution', [1_300, 300], [800, 150]],
  ['DescribeExecution', [300, 15], [250, 10]],
  ['GetExecutionHistory', [400, 20], [400, 20]],
  ['ListExecutions', [200, 5], [100, 2]],
  ['StopExecution', [1_000, 200], [500, 25]],
  ['DescribeStateMachine', [200, 20], [200, 20]],
  ['DescribeStateMachineForExecution', [200, 1], [200, 1]],
  ['ListStateMachines', [100, 5], [100, 5]],
];

export const DEFAULT_RATE_LIMITS: RateLimitConfig = {
  ec2: [
    {
      operations: EC2_UNFILTERED,
      per: 'operation',
      unfilteredOnly: true,
      burst: 50,
      ratePerSecond: 10,
      source: `${EC2_DOC} (unfiltered and unpaginated non-mutating actions)`,
    },
    { operations: READS, per: 'operation', burst: 100, ratePerSecond: 20, source: `${EC2_DOC} (non-mutating actions)` },
    { operations: '.*', per: 'operation', burst: 50, ratePerSecond: 5, source: `${EC2_DOC} (mutating actions)` },
  ],
  // Not published: AWS says each STS API has token buckets and each Regional endpoint its own limits
  // (IAM_STS_DOC), without numbers. One bucket shared by every STS action (stricter than per action),
  // 100 at once and 100/s per account and Region: a sixth of the 600/s this sandbox assumed before (a
  // figure no AWS page states), and still ~50 runs starting in the same second (AssumeRole plus the
  // service's GetCallerIdentity for the External ID proof each).
  sts: [
    {
      operations: '.*',
      per: 'service',
      burst: 100,
      ratePerSecond: 100,
      source: `${NOT_PUBLISHED} (${IAM_STS_DOC}): conservative, one bucket for all STS actions`,
    },
  ],
  events: [
    ...PUT_EVENTS_TPS.map(
      ([tps, regions]): RateLimitRule => ({
        operations: 'PutEvents',
        per: 'operation',
        regions,
        burst: tps,
        ratePerSecond: tps,
        source: `${EVENTS_DOC} (PutEvents ${tps.toLocaleString('en-US')}/s; burst not published: one second)`,
      }),
    ),
    {
      operations: 'PutEvents',
      per: 'operation',
      burst: PUT_EVENTS_OTHER_TPS,
      ratePerSecond: PUT_EVENTS_OTHER_TPS,
      source: `${EVENTS_DOC} (PutEvents, each other Region ${PUT_EVENTS_OTHER_TPS}/s; burst not published: one second)`,
    },
    {
      operations: '.*',
      per: 'operation',
      burst: 50,
      ratePerSecond: 50,
      source: `${EVENTS_DOC} (control plane APIs 50/s; burst not published: one second)`,
    },
  ],
  states: SFN_BUCKETS.flatMap(([action, [lb, lr], [ob, or]]): RateLimitRule[] => [
    {
      operations: action,
      per: 'operation',
      regions: LARGE_REGIONS,
      burst: lb,
      ratePerSecond: lr,
      source: `${SFN_DOC} (${action}, Standard, us-east-1 / us-west-2 / eu-west-1)`,
    },
    {
      operations: action,
      per: 'operation',
      burst: ob,
      ratePerSecond: or,
      source: `${SFN_DOC} (${action}, Standard, all other Regions)`,
    },
  ]),
  // Not published (CFN_DOC: "Rate exceeded" exists, raise by support case; the quotas page lists no API
  // rates). Conservative: below EC2's published buckets (reads 100 / 20, writes 50 / 5).
  cloudformation: [
    {
      operations: READS,
      per: 'operation',
      burst: 20,
      ratePerSecond: 10,
      source: `${NOT_PUBLISHED} (${CFN_DOC}): conservative`,
    },
    {
      operations: '.*',
      per: 'operation',
      burst: 10,
      ratePerSecond: 2,
      source: `${NOT_PUBLISHED} (${CFN_DOC}): conservative`,
    },
  ],
  // Not published (EKS_DOC lists resource quotas, no API request rates). Conservative, as CloudFormation.
  eks: [
    {
      operations: READS,
      per: 'operation',
      burst: 20,
      ratePerSecond: 10,
      source: `${NOT_PUBLISHED} (${EKS_DOC}): conservative`,
    },
    {
      operations: '.*',
      per: 'operation',
      burst: 10,
      ratePerSecond: 2,
      source: `${NOT_PUBLISHED} (${EKS_DOC}): conservative`,
    },
  ],
  // Not published (IAM_STS_DOC). IAM is global: one set of buckets per account. Conservative: below
  // EC2's published buckets (reads 100 / 20, writes 50 / 5).
  iam: [
    {
      operations: READS,
      per: 'operation',
      burst: 40,
      ratePerSecond: 20,
      source: `${NOT_PUBLISHED} (${IAM_STS_DOC}): conservative`,
    },
    {
      operations: '.*',
      per: 'operation',
      burst: 15,
      ratePerSecond: 5,
      source: `${NOT_PUBLISHED} (${IAM_STS_DOC}): conservative`,
    },
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
    if (!(burst >= 1) || !(ratePerMs > 0))
      throw new Error(
        `A token bucket needs burst ≥ 1 and a positive rate (got burst ${burst}, rate ${ratePerMs * 1000}/s).`,
      );
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
  /** The same by `service:Operation` (which calls a busy account makes and loses). */
  callsByOperation: Record<string, Record<string, number>>;
  throttledByOperation: Record<string, Record<string, number>>;
}

export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly compiled: Record<string, Array<RateLimitRule & { re: RegExp }>>;
  private stats: RateLimitStats = { calls: {}, throttled: {}, callsByOperation: {}, throttledByOperation: {} };

  constructor(
    readonly config: RateLimitConfig,
    private readonly timeScale = 1,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.compiled = Object.fromEntries(
      Object.entries(config).map(([service, rules]) => {
        return [
          service,
          rules.map((r, i) => {
            if (!(r.burst >= 1) || !(r.ratePerSecond > 0))
              throw new Error(`rateLimits.${service}[${i}]: burst must be ≥ 1 and ratePerSecond > 0.`);
            if (r.regions !== undefined && (!Array.isArray(r.regions) || r.regions.length === 0))
              throw new Error(
                `rateLimits.${service}[${i}].regions: give at least one Region, or leave it out for every Region.`,
              );
            return { ...r, re: new RegExp(`^(?:${r.operations})$`) };
          }),
        ];
      }),
    );
  }

  /**
   * Counts the call; false when the account's bucket for it is empty (answer with the throttling error).
   * `input` (the decoded request) decides the rules for unfiltered, unpaginated calls.
   */
  take(
    service: string,
    operation: string,
    accountId: string,
    region: string,
    input?: Record<string, unknown>,
  ): boolean {
    bump(this.stats.calls, service, accountId);
    bump(this.stats.callsByOperation, `${service}:${operation}`, accountId);
    const rules = this.compiled[service];
    const at =
      rules?.findIndex(
        (r) =>
          r.re.test(operation) &&
          (!r.regions || r.regions.includes(region)) &&
          (!r.unfilteredOnly || isUnfiltered(input)),
      ) ?? -1;
    const rule = at >= 0 ? rules![at]! : undefined;
    if (!rule) return true;
    // The rule's index keeps apart buckets of one action (EC2: filtered and unfiltered calls).
    const key = `${accountId}/${region}/${service}/${at}/${rule.per === 'operation' ? operation : '*'}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(rule.burst, (rule.ratePerSecond * this.timeScale) / 1000, this.now);
      this.buckets.set(key, bucket);
    }
    if (bucket.take()) return true;
    bump(this.stats.throttled, service, accountId);
    bump(this.stats.throttledByOperation, `${service}:${operation}`, accountId);
    return false;
  }

  snapshot(): RateLimitStats {
    return structuredClone(this.stats);
  }

  /** Forget counts and refill every bucket (POST /_sandbox/reset). */
  reset(): void {
    this.buckets.clear();
    this.stats = { calls: {}, throttled: {}, callsByOperation: {}, throttledByOperation: {} };
  }
}

/** No filter and no pagination: EC2's test for its smaller "unfiltered and unpaginated" bucket. */
function isUnfiltered(input: Record<string, unknown> | undefined): boolean {
  if (!input) return true;
  const filters = input['Filters'];
  const filtered = Array.isArray(filters) ? filters.length > 0 : filters !== undefined;
  return !filtered && input['MaxResults'] === undefined && input['NextToken'] === undefined;
}

function bump(table: Record<string, Record<string, number>>, service: string, accountId: string): void {
  const row = (table[service] ??= {});
  row[accountId] = (row[accountId] ?? 0) + 1;
}
