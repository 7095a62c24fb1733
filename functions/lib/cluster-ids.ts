/**
 * Cluster ids: `c-` + 12 lowercase base32 characters — short, URL-safe, a valid execution name.
 * Kept free of other imports: the API, ValidateRequest and RecordEndedExecution all derive them.
 */
import { createHash, randomBytes } from 'node:crypto';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
function idFrom(bytes: Uint8Array): string {
  let out = 'c-';
  for (let i = 0; i < 12; i++) out += BASE32[(bytes[i] ?? 0) & 31];
  return out;
}

/** A new random id (60 random bits). */
export function newClusterId(): string {
  return idFrom(randomBytes(12));
}

/**
 * The id of a cluster whose execution was started without one (console executions): derived from
 * the execution ARN, so a retried ValidateRequest finds the record it already made instead of
 * tripping over its own name claim, and a status-change event leads back to the same record.
 */
export function clusterIdForExecution(executionArn: string): string {
  return idFrom(createHash('sha256').update(executionArn).digest());
}

/** The ARN an execution of `stateMachineArn` named `name` gets (known before StartExecution answers). */
export function executionArnFor(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

/** A delete execution's name: the cluster id plus a time stamp, so each deletion (retried, resumed) gets a new one (≤ 80 chars). */
export function deletionExecutionName(clusterId: string, now: Date): string {
  return `${clusterId}-delete-${now.getTime().toString(36)}`.slice(0, 80);
}
