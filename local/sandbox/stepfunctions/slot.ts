/**
 * The Step Functions slot. The sandbox itself runs no state machines: the local runner plugs in a backend
 * whose methods take the parsed JSON input of the operation (AWS JSON 1.0, `AWSStepFunctions.<Op>`) and
 * return its output (Dates allowed; they become epoch seconds). Methods may throw `SandboxAwsError` with
 * Step Functions codes (`ExecutionDoesNotExist`, `StateMachineDoesNotExist`, `InvalidArn`, …).
 * Without a backend, Step Functions calls answer `UnknownOperationException`.
 *
 * The caller is identified and `states:<Operation>` is checked on the state machine / execution ARN
 * before the backend runs.
 */
import type { OperationInput, RequestContext, ServiceModule } from '../protocol/types.js';

export type StepFunctionsOperation =
  | 'StartExecution'
  | 'DescribeExecution'
  | 'GetExecutionHistory'
  | 'ListExecutions'
  | 'StopExecution'
  | 'ListStateMachines'
  | 'DescribeStateMachine'
  | 'DescribeStateMachineForExecution';

export type StepFunctionsMethod = (input: OperationInput, ctx: RequestContext) => unknown | Promise<unknown>;

/** Any subset of operations; other Step Functions operations (e.g. DescribeStateMachine) may be added too. */
export type StepFunctionsBackend = Partial<Record<StepFunctionsOperation, StepFunctionsMethod>> &
  Record<string, StepFunctionsMethod | undefined>;

/** Operation names a backend offers: own and inherited (class) methods named like AWS operations. */
function operationNames(backend: object): string[] {
  const names = new Set<string>();
  for (let o: object | null = backend; o && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    for (const name of Object.getOwnPropertyNames(o)) {
      if (/^[A-Z]/.test(name) && typeof (backend as Record<string, unknown>)[name] === 'function') names.add(name);
    }
  }
  return [...names];
}

export function stepFunctionsModule(backend: StepFunctionsBackend): ServiceModule {
  const operations: ServiceModule['operations'] = {};
  for (const name of operationNames(backend)) {
    const method = backend[name] as StepFunctionsMethod;
    operations[name] = (ctx, input) => {
      const resource = (input.executionArn ?? input.stateMachineArn ?? '*') as string;
      ctx.authorize(`states:${name}`, resource);
      return method.call(backend, input, ctx);
    };
  }
  return { operations };
}
