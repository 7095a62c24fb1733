/**
 * Loads the state machine definition exactly as deployed (statemachine/provision-cluster.asl.json),
 * fills the ${Substitutions} the CDK stack would fill, and works out what each Task state calls:
 * one of our Lambda functions (run in-process), a DynamoDB or EventBridge service integration
 * (real SDK calls to the sandbox or to AWS). The JSON itself is never edited.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../functions/lib/config.js';
import { executionTimeoutSeconds } from '../../functions/lib/polling/budget.js';
import { withExecutionTimeout } from '../../infra/asl.js';

/** Lambda function folders (COMMON.md) ↔ the substitution that carries their ARN. */
export const FUNCTIONS = {
  ValidateRequestFunctionArn: 'validate-request',
  AssumeProvisionRoleFunctionArn: 'assume-provision-role',
  DescribeVpcResourcesFunctionArn: 'describe-vpc-resources',
  CreateClusterStackFunctionArn: 'create-cluster-stack',
  PollClusterStackFunctionArn: 'poll-cluster-stack',
  DiagnoseFailureFunctionArn: 'diagnose-failure',
  FinalizeClusterFunctionArn: 'finalize-cluster',
  ConfigureClusterFunctionArn: 'configure-cluster',
  // The delete state machine's own steps.
  DeleteClusterStackFunctionArn: 'delete-cluster-stack',
  PollStackDeletionFunctionArn: 'poll-stack-deletion',
  CompleteDeletionFunctionArn: 'complete-deletion',
  // The update state machine's own steps (one function, a step per call).
  UpdateClusterFunctionArn: 'update-cluster',
} as const;

/** Functions the state machine runs as Tasks, plus the target of the status-change rule. */
export type FunctionFolder =
  | (typeof FUNCTIONS)[keyof typeof FUNCTIONS]
  | typeof ENDED_EXECUTION_FUNCTION
  | typeof RECONCILE_FUNCTION
  | typeof SUPPORT_CHECK_FUNCTION;

/** Run on a schedule: settles runs whose status-change event was lost (not a Task: no substitution). */
export const RECONCILE_FUNCTION = 'reconcile-executions';

/** Run once a day: support dates and "Support Ending" reminders (not a Task: no substitution). */
export const SUPPORT_CHECK_FUNCTION = 'support-check';

/** Target of the rule on "Execution Status Change" events (not a Task: no substitution). */
export const ENDED_EXECUTION_FUNCTION = 'record-ended-execution';

export const DEFINITION_URL = new URL('../../statemachine/provision-cluster.asl.json', import.meta.url);
/** The second state machine: deleting a cluster's stack. */
export const DELETE_DEFINITION_URL = new URL('../../statemachine/delete-cluster.asl.json', import.meta.url);
/** The third: updating a cluster's settings through a change set. */
export const UPDATE_DEFINITION_URL = new URL('../../statemachine/update-cluster.asl.json', import.meta.url);

export interface Placement {
  region: string;
  accountId: string;
  tableName: string;
  eventBusName: string;
}

/** The deployed function name for a folder, as the CDK stack names it (prefix keeps it recognisable). */
export function functionName(folder: FunctionFolder): string {
  return `eks-provisioner-${folder}`;
}

export function functionArn(p: Placement, folder: FunctionFolder): string {
  return `arn:aws:lambda:${p.region}:${p.accountId}:function:${functionName(folder)}`;
}

export function substitutions(p: Placement): Record<string, string> {
  const subs: Record<string, string> = { TableName: p.tableName, EventBusName: p.eventBusName };
  for (const [key, folder] of Object.entries(FUNCTIONS)) subs[key] = functionArn(p, folder);
  return subs;
}

/** Replaces `${Name}` in every string of the document; an unknown name is an error (the deploy would fail too). */
export function substitute(text: string, subs: Record<string, string>): string {
  return text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (_whole, name: string) => {
    const value = subs[name];
    if (value === undefined) {
      throw new Error(
        `State machine definition uses \${${name}}, which the local runner does not know. Known: ${Object.keys(subs).join(', ')}`,
      );
    }
    // Values are inserted into JSON string literals.
    return JSON.stringify(value).slice(1, -1);
  });
}

/**
 * The definition as the CDK stack deploys it: the file, the substitutions, and the execution's
 * TimeoutSeconds for the poll cap (default: MAX_PROVISIONING_SECONDS, as the handlers read it).
 */
export async function loadDefinition(
  p: Placement,
  url: URL | string = DEFINITION_URL,
  maxProvisioningSeconds?: number,
): Promise<AslDefinition> {
  const path = typeof url === 'string' ? url : fileURLToPath(url);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new Error(`Cannot read the state machine definition at ${path}: ${(e as Error).message}`);
  }
  const parsed = JSON.parse(substitute(text, substitutions(p))) as AslDefinition;
  // Both service machines get TimeoutSeconds from the poll cap, as the CDK stack deploys them (the
  // deletion polls under the same cap); any other file keeps its own.
  if (![DEFINITION_URL, DELETE_DEFINITION_URL, UPDATE_DEFINITION_URL].some((u) => String(u) === String(url)))
    return parsed;
  return withExecutionTimeout(
    parsed,
    executionTimeoutSeconds(maxProvisioningSeconds ?? loadConfig().maxProvisioningSeconds),
  );
}

// --- what the Task states call ------------------------------------------------------------------

export interface AslState {
  Type: string;
  Resource?: string;
  Parameters?: Record<string, unknown>;
  Seconds?: number;
  SecondsPath?: string;
  Retry?: Array<{ ErrorEquals: string[]; IntervalSeconds?: number; BackoffRate?: number; MaxDelaySeconds?: number }>;
  Branches?: AslDefinition[];
  Iterator?: AslDefinition;
  ItemProcessor?: AslDefinition;
  [key: string]: unknown;
}

export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  [key: string]: unknown;
}

export type TaskTarget =
  /** `Resource` is the function ARN (Lambda's direct integration). */
  | { kind: 'lambda'; integration: 'direct'; folder: FunctionFolder; functionArn: string }
  /** `arn:aws:states:::lambda:invoke` with `FunctionName` in Parameters. */
  | { kind: 'lambda'; integration: 'invoke'; folder: FunctionFolder; functionArn: string }
  | { kind: 'dynamodb'; action: 'getItem' | 'putItem' | 'updateItem' | 'deleteItem' }
  | { kind: 'events'; action: 'putEvents' };

export interface StateInfo {
  name: string;
  state: AslState;
}

/** Every state, including those inside Parallel branches and Map processors (names are unique per machine). */
export function allStates(def: AslDefinition): StateInfo[] {
  const out: StateInfo[] = [];
  const walk = (d: AslDefinition) => {
    for (const [name, state] of Object.entries(d.States)) {
      out.push({ name, state });
      for (const b of state.Branches ?? []) walk(b);
      if (state.Iterator) walk(state.Iterator);
      if (state.ItemProcessor) walk(state.ItemProcessor);
    }
  };
  walk(def);
  return out;
}

/** Maps each Task state to what it calls; throws for anything the local runner cannot run (say which). */
export function taskTargets(def: AslDefinition, p: Placement): Map<string, TaskTarget> {
  const byArn = new Map<string, FunctionFolder>();
  for (const folder of Object.values(FUNCTIONS)) byArn.set(functionArn(p, folder), folder);

  const targets = new Map<string, TaskTarget>();
  for (const { name, state } of allStates(def)) {
    if (state.Type !== 'Task') continue;
    const resource = state.Resource ?? '';
    const direct = byArn.get(resource);
    if (direct) {
      targets.set(name, { kind: 'lambda', integration: 'direct', folder: direct, functionArn: resource });
      continue;
    }
    const integration = /^arn:aws[\w-]*:states:::([a-z]+):([A-Za-z]+)$/.exec(resource);
    const service = integration?.[1];
    const action = integration?.[2];
    if (service === 'lambda' && action === 'invoke') {
      const fn = String(state.Parameters?.['FunctionName'] ?? '');
      const folder = byArn.get(fn) ?? byArn.get(fn.replace(/:(\$LATEST|\d+)$/, ''));
      if (!folder)
        throw new Error(
          `Task state ${name} invokes ${fn || '(no FunctionName)'}, which is not one of the service's functions.`,
        );
      targets.set(name, { kind: 'lambda', integration: 'invoke', folder, functionArn: fn });
    } else if (
      service === 'dynamodb' &&
      (action === 'getItem' || action === 'putItem' || action === 'updateItem' || action === 'deleteItem')
    ) {
      targets.set(name, { kind: 'dynamodb', action });
    } else if (service === 'events' && action === 'putEvents') {
      targets.set(name, { kind: 'events', action });
    } else {
      throw new Error(
        `Task state ${name} uses resource ${resource}, which the local runner does not support (Lambda functions, dynamodb:getItem|putItem|updateItem|deleteItem, events:putEvents).`,
      );
    }
  }
  return targets;
}

/**
 * aws-local-stepfunctions 3.0.0 treats `"ResultPath": "$"` as a key named "$" (it writes
 * `{ ...input, "$": result }`) instead of replacing the document, as Step Functions does. `"$"` is
 * also the default, so dropping it is the same program in the ASL's semantics; this copy is what the
 * library runs. The top-level TimeoutSeconds is taken out too (the library would count it in wall-clock
 * time; the runner enforces it on the scaled clock). Nothing else is changed.
 */
export function forLibrary(def: AslDefinition): AslDefinition {
  const copy = JSON.parse(JSON.stringify(def)) as AslDefinition;
  // The runner times the execution out itself, on the sandbox's (scaled) clock.
  delete copy['TimeoutSeconds'];
  for (const { state } of allStates(copy)) {
    if (state['ResultPath'] === '$') delete state['ResultPath'];
    const catchers = state['Catch'];
    if (Array.isArray(catchers)) {
      for (const c of catchers as Array<Record<string, unknown>>) if (c['ResultPath'] === '$') delete c['ResultPath'];
    }
  }
  return copy;
}
