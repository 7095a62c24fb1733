/**
 * DiagnoseFailure: the last line. Whatever went wrong — a handler's diagnosis, a failed stack, a
 * Lambda or Step Functions error — becomes one diagnosis from the catalog plus the record update
 * and the event the machine's last steps send. It never throws: every failure inside it degrades
 * to a less specific diagnosis instead.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { redactSecrets } from '../lib/aws/aws-error.js';
import { clusterIdForExecution } from '../lib/cluster-ids.js';
import { type CompletionResult, failed, type RunFacts } from '../lib/completion/completion.js';
import { makeDiagnosis } from '../lib/diagnosis/catalog.js';
import { diagnoseAwsError } from '../lib/diagnosis/from-aws-error.js';
import { diagnoseStackEvents } from '../lib/diagnosis/from-stack-events.js';
import { diagnoseStepError } from '../lib/diagnosis/from-step-error.js';
import type { Diagnosis } from '../lib/diagnosis/types.js';
import { ERROR_NAMES } from '../lib/errors.js';
import { readStackEvents } from '../lib/polling/stack-events.js';
import type { CaughtError, PollResult, PreflightResult, StackRef } from '../lib/state.js';

/** What the state machine passes: the whole document plus the execution's id and start time. */
export interface DiagnoseFailureEvent {
  state: unknown;
  executionArn?: string;
  startedAt?: string;
}

/** The document at failure time: a ValidatedRequest with later keys, or the raw input if validation failed. */
interface FailedState {
  tenantId?: unknown;
  clusterId?: unknown;
  accountId?: unknown;
  region?: unknown;
  stackName?: unknown;
  cluster?: {
    name?: unknown;
    environmentScope?: unknown;
    region?: unknown;
    provisionRoleArn?: unknown;
    serviceRoleArn?: unknown;
  };
  preflight?: Partial<PreflightResult>;
  stack?: Partial<StackRef>;
  poll?: Partial<PollResult>;
  error?: CaughtError;
}

export interface DiagnoseDeps {
  /** Role B's CloudFormation client for this request; undefined when it cannot be had. */
  cloudformation: () => Promise<CloudFormationClient>;
  now: () => Date;
}

const s = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/** Which step most likely failed, from what the document already holds. */
function failedStep(st: FailedState): string {
  if (!s(st.stackName)) return 'ValidateRequest';
  if (!st.preflight)
    return st.error?.Error?.startsWith('DynamoDB.') ? 'RecordRequest' : 'AssumeProvisionRole or DescribeVpcResources';
  if (!st.stack) return 'CreateClusterStack';
  if (st.poll?.outcome === 'COMPLETE') return 'FinalizeCluster or RecordSucceeded';
  return 'PollClusterStack';
}

/** Keys the record may be stored under (ValidateRequest's rules, without the schema). */
const TENANT_KEY_RE = /^[\x21-\x22\x24-\x7E]{1,1024}$/;
const CLUSTER_ID_KEY_RE = /^[A-Za-z0-9_-]{1,80}$/;

export function runFacts(event: DiagnoseFailureEvent): RunFacts {
  const st = (event?.state && typeof event.state === 'object' ? event.state : {}) as FailedState;
  const c = st.cluster && typeof st.cluster === 'object' ? st.cluster : {};
  // Validation failed before ValidateRequest made a record: the run still belongs to its tenant, under
  // the id ValidateRequest would have given it, so GET /v1/clusters shows it.
  const validated = !!s(st.stackName);
  const tenantId = s(st.tenantId);
  const executionArn = s(event?.executionArn);
  const given = s(st.clusterId);
  const unrecorded = !validated && !!tenantId && TENANT_KEY_RE.test(tenantId) && !!executionArn;
  const clusterId = unrecorded
    ? given && CLUSTER_ID_KEY_RE.test(given)
      ? given
      : clusterIdForExecution(executionArn!)
    : given;
  // Whatever name was given, even one the schema refused (clipped, as text).
  const name =
    typeof c.name === 'string' || typeof c.name === 'number' ? String(c.name).slice(0, 200) || undefined : undefined;
  return {
    ...(unrecorded ? { recordIfMissing: true } : {}),
    ...(tenantId ? { tenantId } : {}),
    ...(clusterId ? { clusterId } : {}),
    ...(name ? { name } : {}),
    ...(s(c.environmentScope) ? { environmentScope: s(c.environmentScope) } : {}),
    ...(s(st.accountId) ? { accountId: s(st.accountId) } : {}),
    ...((s(st.region) ?? s(c.region)) ? { region: s(st.region) ?? s(c.region) } : {}),
    ...(s(st.stack?.stackId) ? { stackId: s(st.stack?.stackId) } : {}),
    ...(s(event?.executionArn) ? { executionArn: s(event.executionArn) } : {}),
    ...(s(event?.startedAt) ? { startedAt: s(event.startedAt) } : {}),
    ...(st.poll && typeof st.poll === 'object' ? { poll: st.poll } : {}),
  };
}

async function fromStack(st: FailedState, deps: DiagnoseDeps): Promise<Diagnosis | undefined> {
  const stackId = s(st.stack?.stackId);
  const stackName = s(st.stack?.stackName) ?? s(st.stackName);
  if (!stackId || !stackName) return undefined;
  const ctx = {
    stackName,
    stackId,
    region: s(st.region),
    accountId: s(st.accountId),
    roleArn: s(st.cluster?.provisionRoleArn),
    serviceRoleArn: s(st.preflight?.serviceRoleArn) ?? s(st.cluster?.serviceRoleArn),
    subnets: Array.isArray(st.preflight?.subnets) ? st.preflight.subnets : undefined,
  };
  try {
    const cfn = await deps.cloudformation();
    const events = await readStackEvents(cfn, stackId, { context: { evidence: { stackName, stackId } } }); // every page
    return diagnoseStackEvents(events, ctx);
  } catch (err) {
    // The stack's story is out of reach (role B gone, throttled, …): say what we know and why not more.
    const d = diagnoseAwsError(err, {
      service: 'cloudformation',
      operation: 'DescribeStackEvents',
      principal: 'provision-role',
      evidence: { stackName, stackId },
    });
    const why = d instanceof Error ? redactSecrets(d.message) : d.message;
    return makeDiagnosis('UNKNOWN', {
      stackName,
      stackId,
      status: s(st.poll?.stackStatus) ?? 'failed',
      detail: `the stack failed, and its events could not be read to say why (${why})`,
      reason: `the stack failed, and its events could not be read to say why (${why})`,
    });
  }
}

export async function diagnose(event: DiagnoseFailureEvent, deps: DiagnoseDeps): Promise<Diagnosis> {
  const st = (event?.state && typeof event.state === 'object' ? event.state : {}) as FailedState;
  const error = st.error && typeof st.error === 'object' ? st.error : undefined;
  // The stack said FAILED (no error), or it is known and a step failed without a diagnosis of its own.
  if (!error || (st.poll?.outcome === 'FAILED' && error.Error !== ERROR_NAMES.diagnosed)) {
    const fromEvents = await fromStack(st, deps);
    if (fromEvents) return fromEvents;
  }
  // The stack's id only once CreateStack returned one: before that no stack exists to blame.
  const base = {
    step: failedStep(st),
    stackName: s(st.stackName),
    stackId: s(st.stack?.stackId),
    region: s(st.region),
  };
  if (!error)
    return makeDiagnosis('UNKNOWN', {
      ...base,
      detail: 'the run failed without an error or a failed stack to explain it',
    });
  return diagnoseStepError(error, base);
}

/** Never throws: the diagnosis degrades, the completion is always built. */
export async function diagnoseFailure(event: DiagnoseFailureEvent, deps: DiagnoseDeps): Promise<CompletionResult> {
  let diagnosis: Diagnosis;
  try {
    diagnosis = await diagnose(event, deps);
  } catch (err) {
    diagnosis = makeDiagnosis('UNKNOWN', {
      detail: `diagnosis itself failed: ${redactSecrets(String((err as Error)?.message ?? err)).slice(0, 300)}`,
    });
  }
  let facts: RunFacts;
  try {
    facts = runFacts(event);
  } catch {
    facts = {};
  }
  return failed(facts, diagnosis, deps.now());
}
