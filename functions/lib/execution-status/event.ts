/**
 * Step Functions' own "Execution Status Change" events (EventBridge, default bus of the state
 * machine's account and region): their shape, the pattern the service's rule matches them with,
 * and a builder the local runner uses to emit the same events. Dates are epoch milliseconds, and
 * `input`/`output` JSON strings, as Step Functions sends them.
 */
import { randomUUID } from 'node:crypto';

export const STATUS_CHANGE_SOURCE = 'aws.states';
export const STATUS_CHANGE_DETAIL_TYPE = 'Step Functions Execution Status Change';

/** Statuses after which no Catch of the definition has run for sure (the status-change handler's work). */
export const ENDED_WITHOUT_CATCH = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';

export interface ExecutionStatusChangeDetail {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate: number | null;
  input: string | null;
  output: string | null;
  error?: string | null;
  cause?: string | null;
  [more: string]: unknown;
}

export interface ExecutionStatusChangeEvent {
  version: '0';
  id: string;
  'detail-type': typeof STATUS_CHANGE_DETAIL_TYPE;
  source: typeof STATUS_CHANGE_SOURCE;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: ExecutionStatusChangeDetail;
}

/** The rule's event pattern: these state machines' executions that ended without their Catch. */
export function endedExecutionPattern(stateMachineArns: string[]): {
  source: string[];
  'detail-type': string[];
  detail: { status: string[]; stateMachineArn: string[] };
} {
  return {
    source: [STATUS_CHANGE_SOURCE],
    'detail-type': [STATUS_CHANGE_DETAIL_TYPE],
    detail: { status: [...ENDED_WITHOUT_CATCH], stateMachineArn: stateMachineArns },
  };
}

/** The same pattern, evaluated (exact-value matching, which is all the pattern uses). */
export function matchesEndedExecution(
  event: { source?: unknown; 'detail-type'?: unknown; detail?: unknown },
  stateMachineArns: readonly string[],
): boolean {
  const d = event.detail as Partial<ExecutionStatusChangeDetail> | undefined;
  return (
    event.source === STATUS_CHANGE_SOURCE &&
    event['detail-type'] === STATUS_CHANGE_DETAIL_TYPE &&
    !!d &&
    (ENDED_WITHOUT_CATCH as readonly string[]).includes(String(d.status)) &&
    stateMachineArns.includes(String(d.stateMachineArn))
  );
}

export function statusChangeEvent(
  d: { account: string; region: string } & ExecutionStatusChangeDetail,
): ExecutionStatusChangeEvent {
  const { account, region, ...detail } = d;
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': STATUS_CHANGE_DETAIL_TYPE,
    source: STATUS_CHANGE_SOURCE,
    account,
    time: new Date(detail.stopDate ?? detail.startDate).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [detail.executionArn],
    detail,
  };
}
