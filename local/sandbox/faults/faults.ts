/**
 * Faults on demand. A rule selects calls by service and/or operation and injects, in this order:
 * added latency, then (at most one of) an expired-token failure, throttling, or a 5xx — each at a rate.
 * `times` bounds how many failures a rule injects (e.g. "throttle the next 2 DescribeStacks"), which keeps
 * tests deterministic with `rate: 1`.
 *
 * A deletion rule (`resourceType` + `dependencyViolationRate`) selects no call: it fails CloudFormation's
 * deletion of resources of that type as the service does when a dependent object still uses the resource
 * (EC2 `DependencyViolation`: "resource sg-… has a dependent object") — what a load balancer left behind by
 * a Kubernetes Service does to an EKS cluster's deletion. Remove the rule and deleting again succeeds.
 */
import { z } from 'zod';

export const faultRuleSchema = z
  .object({
    /** Service key (`sts`, `iam`, `ec2`, `cloudformation`, `eks`, `events`, `states`, `dynamodb`); omitted = all. */
    service: z.string().optional(),
    /** Operation name (`DescribeStacks`); omitted = all operations of the service. */
    operation: z.string().optional(),
    /** Added latency per matching call, ms. */
    latencyMs: z.number().int().min(0).max(120_000).optional(),
    /** Fraction (0–1) of matching calls answered with the service's throttling error. */
    throttleRate: z.number().min(0).max(1).optional(),
    /** Fraction (0–1) of matching calls answered with a 5xx (`InternalFailure`/`InternalError`/…). */
    errorRate: z.number().min(0).max(1).optional(),
    /** Which 5xx: 500 (internal, default) or 503 (unavailable). */
    errorStatus: z.union([z.literal(500), z.literal(503)]).optional(),
    /** Fraction (0–1) of matching calls signed with STS session credentials that fail as expired (early expiry). */
    expireTokensRate: z.number().min(0).max(1).optional(),
    /** Stop injecting failures after this many (latency keeps applying). */
    times: z.number().int().min(1).optional(),
    /** CloudFormation resource type (`AWS::EKS::Cluster`) whose deletions this rule fails; such a rule matches no API call. */
    resourceType: z
      .string()
      .regex(/^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$/, 'must be a resource type such as AWS::EKS::Cluster')
      .optional(),
    /** Fraction (0–1) of deletions of `resourceType` that fail: a dependent object still uses the resource. */
    dependencyViolationRate: z.number().min(0).max(1).optional(),
  })
  .strict()
  .superRefine((rule, ctx) => {
    const deletion = rule.resourceType !== undefined || rule.dependencyViolationRate !== undefined;
    if (!deletion) return;
    if (rule.resourceType === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['resourceType'],
        message: 'dependencyViolationRate needs the resourceType whose deletions fail (e.g. AWS::EKS::Cluster)',
      });
    if (rule.dependencyViolationRate === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['dependencyViolationRate'],
        message: 'a resourceType rule needs dependencyViolationRate (0–1)',
      });
    for (const field of [
      'service',
      'operation',
      'latencyMs',
      'throttleRate',
      'errorRate',
      'errorStatus',
      'expireTokensRate',
    ] as const) {
      if (rule[field] !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: `a deletion rule (resourceType) selects no API call: put ${field} in a rule of its own`,
        });
    }
  });

/** The deletion rule a load balancer left behind in an EKS cluster's security group amounts to. */
export const LOAD_BALANCER_LEFT_BEHIND: FaultRule = { resourceType: 'AWS::EKS::Cluster', dependencyViolationRate: 1 };

export type FaultRule = z.infer<typeof faultRuleSchema>;

export type FaultEffect = { kind: 'throttle' } | { kind: 'error'; status: 500 | 503 } | { kind: 'expired' };

export class Faults {
  private rules: { rule: FaultRule; injected: number }[] = [];

  constructor(
    rules: FaultRule[] = [],
    private readonly random: () => number = Math.random,
  ) {
    this.set(rules);
  }

  /** Replace all rules (validated; throws a zod error naming the bad field). */
  set(rules: FaultRule[]): void {
    this.rules = z
      .array(faultRuleSchema)
      .parse(rules)
      .map((rule) => ({ rule, injected: 0 }));
  }

  list(): FaultRule[] {
    return this.rules.map((r) => r.rule);
  }

  private matching(service: string, operation: string) {
    return this.rules.filter(
      (r) =>
        r.rule.resourceType === undefined &&
        (!r.rule.service || r.rule.service === service) &&
        (!r.rule.operation || r.rule.operation === operation),
    );
  }

  /** Whether this deletion of a `resourceType` resource fails with a dependent object (counts towards `times`). */
  deletionBlocked(resourceType: string): boolean {
    for (const r of this.rules) {
      if (r.rule.resourceType !== resourceType) continue;
      if (r.rule.times !== undefined && r.injected >= r.rule.times) continue;
      if (r.rule.dependencyViolationRate && this.random() < r.rule.dependencyViolationRate) {
        r.injected += 1;
        return true;
      }
    }
    return false;
  }

  latencyMs(service: string, operation: string): number {
    return this.matching(service, operation).reduce((sum, r) => sum + (r.rule.latencyMs ?? 0), 0);
  }

  /** Decide the failure (if any) for one call. `sessionCredentials`: the call is signed with ASIA… keys. */
  pick(service: string, operation: string, sessionCredentials: boolean): FaultEffect | undefined {
    for (const r of this.matching(service, operation)) {
      if (r.rule.times !== undefined && r.injected >= r.rule.times) continue;
      let effect: FaultEffect | undefined;
      if (sessionCredentials && r.rule.expireTokensRate && this.random() < r.rule.expireTokensRate)
        effect = { kind: 'expired' };
      else if (r.rule.throttleRate && this.random() < r.rule.throttleRate) effect = { kind: 'throttle' };
      else if (r.rule.errorRate && this.random() < r.rule.errorRate)
        effect = { kind: 'error', status: r.rule.errorStatus ?? 500 };
      if (effect) {
        r.injected += 1;
        return effect;
      }
    }
    return undefined;
  }
}
