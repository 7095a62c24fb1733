/**
 * The execution's TimeoutSeconds is the poll cap plus named parts (functions/lib/polling/budget.ts).
 * Each part must cover what the provisioning definition can spend there, read from the ASL itself:
 * raising a retry or a Task timeout in the ASL without raising its part fails here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  EXECUTION_TIME_PARTS,
  EXECUTION_TIMEOUT_MARGIN_SECONDS,
  executionTimeoutSeconds,
  NODE_WAIT_CAP_SECONDS,
  retryWaitCeilingSeconds,
} from '../../functions/lib/polling/budget.js';

type Retrier = {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
};
const asl = JSON.parse(
  readFileSync(new URL('../../statemachine/provision-cluster.asl.json', import.meta.url), 'utf8'),
) as {
  States: Record<string, { TimeoutSeconds?: number; Retry?: Retrier[] }>;
};
const timeout = (state: string) => asl.States[state]!.TimeoutSeconds!;
const retrier = (state: string, error: string) => asl.States[state]!.Retry!.find((r) => r.ErrorEquals.includes(error))!;

describe('execution budget', () => {
  it('retry ceilings are the capped doubling sum (CreateClusterStack throttling: 30+60+8×120 = 1,050 s)', () => {
    expect(
      retryWaitCeilingSeconds({ IntervalSeconds: 30, MaxAttempts: 10, BackoffRate: 2, MaxDelaySeconds: 120 }),
    ).toBe(1050);
    expect(retryWaitCeilingSeconds({ IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2 })).toBe(14);
  });

  it('the CreateStack throttling part covers the ASL retrier', () => {
    expect(EXECUTION_TIME_PARTS.createStackThrottling).toBeGreaterThanOrEqual(
      retryWaitCeilingSeconds(retrier('CreateClusterStack', 'AwsThrottled')),
    );
  });

  it('the CreateStack calls part covers one timed-out attempt and the other retries’ waits', () => {
    const waits = ['AwsTransient', 'States.Timeout', 'Lambda.ServiceException'].map((e) =>
      retryWaitCeilingSeconds(retrier('CreateClusterStack', e)),
    );
    expect(EXECUTION_TIME_PARTS.createStackCalls).toBeGreaterThanOrEqual(
      timeout('CreateClusterStack') + Math.max(...waits),
    );
  });

  it('the pre-flight part covers each pre-flight Task once timed out and once run', () => {
    const tasks = ['ValidateRequest', 'AssumeProvisionRole', 'DescribeVpcResources'];
    expect(EXECUTION_TIME_PARTS.preflight).toBeGreaterThanOrEqual(tasks.reduce((s, t) => s + 2 * timeout(t), 0));
  });

  it('the configure part covers the node wait cap plus a Task run', () => {
    expect(NODE_WAIT_CAP_SECONDS).toBe(900);
    expect(EXECUTION_TIME_PARTS.configure).toBeGreaterThanOrEqual(NODE_WAIT_CAP_SECONDS + timeout('ConfigureCluster'));
  });

  it('finalize and diagnose cover their Tasks, one of them timed out', () => {
    expect(EXECUTION_TIME_PARTS.finalize).toBeGreaterThanOrEqual(2 * timeout('FinalizeCluster'));
    expect(EXECUTION_TIME_PARTS.diagnose).toBeGreaterThanOrEqual(timeout('DiagnoseFailure'));
  });

  it('TimeoutSeconds = cap + the sum of the parts (the margin covers the throttling and the node wait together)', () => {
    expect(EXECUTION_TIMEOUT_MARGIN_SECONDS).toBe(Object.values(EXECUTION_TIME_PARTS).reduce((a, b) => a + b, 0));
    expect(EXECUTION_TIMEOUT_MARGIN_SECONDS).toBeGreaterThan(1050 + 900);
    expect(executionTimeoutSeconds(3600)).toBe(3600 + EXECUTION_TIMEOUT_MARGIN_SECONDS);
  });
});
