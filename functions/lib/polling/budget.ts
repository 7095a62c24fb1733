/**
 * How long one provisioning execution may run, in one place for the CDK stack, the local runner and
 * the tests: the poll cap (`maxProvisioningSeconds`, stack time) and the execution's own
 * `TimeoutSeconds` (the backstop that ends a run the ASL did not end itself).
 *
 * The timeout must never end a slow but healthy run: it is the cap plus the worst case of every
 * part of the run outside polling, each named below and checked against the definition by
 * test/statemachine/execution-budget.test.ts (a retry or Task timeout raised in the ASL without
 * raising its part here fails that test).
 */

/** Allowed range of the `maxProvisioningSeconds` setting. */
export const PROVISIONING_SECONDS_BOUNDS = { min: 300, max: 86_400 } as const;

/** ConfigureCluster stops waiting for Ready nodes after this long (its own cap, outside the poll cap). */
export const NODE_WAIT_CAP_SECONDS = 900;

/** The execution's time outside polling, by part (seconds, worst case). */
export const EXECUTION_TIME_PARTS = {
  /**
   * ValidateRequest, AssumeProvisionRole, DescribeVpcResources (60 + 60 + 150 s Task timeouts),
   * each allowed one timed-out attempt, plus RecordRequest and NotifyStarted.
   */
  preflight: 600,
  /** CreateClusterStack's AwsThrottled retries: 10 waits of 30 s doubling, capped at 120 s = 1,050 s. */
  createStackThrottling: 1050,
  /** The CreateStack attempts themselves (each a short call; one may time out at 90 s) and their other retries. */
  createStackCalls: 300,
  /** ConfigureCluster's wait for Ready nodes, plus its own Task runs between the waits. */
  configure: NODE_WAIT_CAP_SECONDS + 180,
  /** FinalizeCluster (90 s Task, one timeout retry), RecordSucceeded, NotifySucceeded. */
  finalize: 240,
  /** A failure late in the run: DiagnoseFailure (300 s Task), RecordFailed, NotifyFailed. */
  diagnose: 360,
} as const;

/** Time the execution may spend outside polling: the sum of the parts. */
export const EXECUTION_TIMEOUT_MARGIN_SECONDS = Object.values(EXECUTION_TIME_PARTS).reduce((a, b) => a + b, 0);

/** The state machine's top-level TimeoutSeconds for a given poll cap. */
export function executionTimeoutSeconds(maxProvisioningSeconds: number): number {
  return Math.ceil(maxProvisioningSeconds) + EXECUTION_TIMEOUT_MARGIN_SECONDS;
}

/** The longest a Retrier can wait in total (every attempt at its full, capped delay; jitter only shortens). */
export function retryWaitCeilingSeconds(r: {
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
}): number {
  const interval = r.IntervalSeconds ?? 1;
  const attempts = r.MaxAttempts ?? 3;
  const rate = r.BackoffRate ?? 2;
  const cap = r.MaxDelaySeconds ?? Number.POSITIVE_INFINITY;
  let total = 0;
  for (let i = 0; i < attempts; i++) total += Math.min(interval * rate ** i, cap);
  return total;
}
