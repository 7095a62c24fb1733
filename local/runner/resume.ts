/**
 * After a restart of the local stack on a kept store (`--data-dir`, or `--aws` with its real table),
 * every cluster record still CREATING lost the execution that drove it: that execution lived in the
 * process that died. Each gets a new execution with the same cluster id, which
 * - re-validates and finds its own record (idempotent),
 * - passes pre-flight (the stack and EKS cluster of that name carry its own cluster-id tag),
 * - sends CreateStack with the same ClientRequestToken: CloudFormation answers with the existing stack
 *   (or AlreadyExists, and the stack is adopted by its tag) — never a second stack,
 * - follows the stack to the end and records CREATED or FAILED once, with one completion event
 *   (the first execution never got that far), and skips the Started event the first one sent.
 * Every record still DELETING lost its delete execution the same way: the record is handed to a new
 * delete execution (its executionArn swapped, conditionally, from the dead one's), which finds the
 * stack by id still DELETE_IN_PROGRESS (DeleteStack is a no-op then) or already gone, follows it and
 * records DELETED or FAILED once, with one Deletion event (the dead execution never sent one).
 */
import { type AttributeValue, type DynamoDBClient, ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { deletionExecutionName, executionArnFor } from '../../functions/lib/cluster-ids.js';
import type { DeletionInput, ProvisionInput } from '../../functions/lib/state.js';
import { keys } from '../../functions/lib/store/keys.js';
import type { StepFunctionsRunner } from './runner.js';

export interface UnfinishedRecord {
  tenantId: string;
  id: string;
  settings: unknown;
  executionArn?: string;
  phase?: string;
}

/**
 * Phases written before the Started event is sent (the API's, ValidateRequest's): a record still in
 * one of them never announced its start, so its resumed run must.
 */
const NOT_YET_ANNOUNCED = new Set(['Queued', 'Checking the request']);

/** Every cluster record with that status (a scan: this runs once, at start, on one machine's table). */
export async function recordsInStatus(
  ddb: DynamoDBClient,
  tableName: string,
  status: 'CREATING' | 'DELETING',
): Promise<UnfinishedRecord[]> {
  const out: UnfinishedRecord[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await ddb.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'begins_with(SK, :cluster) AND #status = :status',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':cluster': { S: 'CLUSTER#' }, ':status': { S: status } },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      const r = unmarshall(item) as Record<string, unknown>;
      if (typeof r['tenantId'] !== 'string' || typeof r['id'] !== 'string') continue;
      out.push({
        tenantId: r['tenantId'],
        id: r['id'],
        settings: r['settings'],
        ...(typeof r['executionArn'] === 'string' ? { executionArn: r['executionArn'] } : {}),
        ...(typeof r['phase'] === 'string' ? { phase: r['phase'] } : {}),
      });
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

/** Execution name for the n-th resumption: AWS keeps execution names unique, so never the old one. */
export function resumedExecutionName(clusterId: string, previousArn: string | undefined): string {
  const previous = previousArn?.split(':').at(-1) ?? clusterId;
  const m = /-r(\d+)$/.exec(previous);
  const n = m && previous.startsWith(clusterId) ? Number(m[1]) + 1 : 1;
  const suffix = `-r${n}`;
  return `${clusterId.slice(0, 80 - suffix.length)}${suffix}`;
}

export async function resumeCreating(o: {
  ddb: DynamoDBClient;
  tableName: string;
  runner: StepFunctionsRunner;
  log: (line: string) => void;
}): Promise<string[]> {
  const records = await recordsInStatus(o.ddb, o.tableName, 'CREATING');
  const resumed: string[] = [];
  for (const r of records) {
    const announced = r.executionArn !== undefined && !NOT_YET_ANNOUNCED.has(r.phase ?? 'Queued');
    const input: ProvisionInput = {
      tenantId: r.tenantId,
      clusterId: r.id,
      cluster: r.settings,
      ...(announced ? { resumeOf: r.executionArn } : {}),
    };
    try {
      const name = resumedExecutionName(r.id, r.executionArn);
      o.runner.startExecution({ stateMachineArn: o.runner.stateMachineArn, name, input: JSON.stringify(input) });
      resumed.push(r.id);
    } catch (e) {
      o.log(`resume: cluster ${r.id} (tenant ${r.tenantId}) could not be resumed: ${(e as Error).message}`);
    }
  }
  return resumed;
}

/**
 * Records left DELETING: each gets a new delete execution. The record is handed over first (only if it
 * still names the dead execution), because the machine's first step accepts a DELETING record only
 * for the execution it names — the same hand-over the API does before it starts a deletion.
 */
export async function resumeDeleting(o: {
  ddb: DynamoDBClient;
  tableName: string;
  runner: StepFunctionsRunner;
  log: (line: string) => void;
  now?: () => Date;
}): Promise<string[]> {
  const now = o.now ?? (() => new Date());
  const records = await recordsInStatus(o.ddb, o.tableName, 'DELETING');
  const resumed: string[] = [];
  for (const r of records) {
    const name = deletionExecutionName(r.id, now());
    const executionArn = executionArnFor(o.runner.stateMachineArn, name);
    try {
      await o.ddb.send(
        new UpdateItemCommand({
          TableName: o.tableName,
          Key: marshall(keys.cluster(r.tenantId, r.id)),
          UpdateExpression: 'SET #executionArn = :new, #phase = :phase, #updatedAt = :now',
          ConditionExpression: r.executionArn
            ? '#status = :deleting AND #executionArn = :old'
            : '#status = :deleting AND attribute_not_exists(#executionArn)',
          ExpressionAttributeNames: {
            '#status': 'status',
            '#executionArn': 'executionArn',
            '#phase': 'phase',
            '#updatedAt': 'updatedAt',
          },
          ExpressionAttributeValues: marshall({
            ':deleting': 'DELETING',
            ':new': executionArn,
            ':phase': 'Resuming deletion',
            ':now': now().toISOString(),
            ...(r.executionArn ? { ':old': r.executionArn } : {}),
          }),
        }),
      );
      const input: DeletionInput = { tenantId: r.tenantId, clusterId: r.id };
      o.runner.startExecution({ stateMachineArn: o.runner.stateMachineArn, name, input: JSON.stringify(input) });
      resumed.push(r.id);
    } catch (e) {
      // A record that moved on meanwhile (ConditionalCheckFailed) needs nothing; anything else is said. A
      // record handed over to an execution that then failed to start is taken up again at the next start.
      o.log(
        `resume: deletion of cluster ${r.id} (tenant ${r.tenantId}) could not be resumed: ${(e as Error).name}: ${(e as Error).message}`,
      );
    }
  }
  return resumed;
}
