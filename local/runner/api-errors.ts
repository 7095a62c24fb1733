/**
 * Step Functions API errors (`__type` + `message`, HTTP 400 in the JSON protocol). They extend the
 * sandbox's SandboxAwsError so the sandbox renders them as AWS does; the runner's own endpoint
 * (--aws mode) renders the same fields.
 */
import { SandboxAwsError } from '../sandbox/protocol/types.js';

export type SfnErrorCode =
  | 'ExecutionAlreadyExists'
  | 'ExecutionDoesNotExist'
  | 'InvalidArn'
  | 'InvalidExecutionInput'
  | 'InvalidName'
  | 'InvalidToken'
  | 'StateMachineDoesNotExist'
  | 'ValidationException';

export class SfnApiError extends SandboxAwsError {
  constructor(code: SfnErrorCode, message: string) {
    super(code, message, 400);
  }
}
