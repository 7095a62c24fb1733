/**
 * Several state machines behind one Step Functions API (the sandbox's slot, or the runner's own
 * endpoint): each StepFunctionsRunner runs one definition; calls are routed the way Step Functions
 * routes them — StartExecution / ListExecutions by state machine ARN, the execution calls by the
 * state machine name inside the execution ARN. An ARN of no hosted machine gets Step Functions' own
 * StateMachineDoesNotExist / ExecutionDoesNotExist.
 */
import { SfnApiError } from './api-errors.js';
import type { StepFunctionsRunner, StepFunctionsSlot } from './runner.js';

export class StateMachineHost {
  private readonly byArn = new Map<string, StepFunctionsRunner>();

  constructor(runners: StepFunctionsRunner[]) {
    for (const r of runners) this.byArn.set(r.stateMachineArn, r);
  }

  get runners(): StepFunctionsRunner[] {
    return [...this.byArn.values()];
  }

  /** The runner for a state machine ARN; undefined when no such machine is hosted. */
  machine(stateMachineArn: string | undefined): StepFunctionsRunner | undefined {
    return stateMachineArn ? this.byArn.get(stateMachineArn) : undefined;
  }

  /** `arn:aws:states:r:a:execution:<machine>:<name>` → the runner of `…:stateMachine:<machine>`. */
  private forExecution(executionArn: string | undefined): StepFunctionsRunner {
    const m = /^(arn:aws[\w-]*:states:[a-z0-9-]+:\d{12}):execution:([\w-]+):[\w-]+$/.exec(executionArn ?? '');
    if (!m) throw new SfnApiError('InvalidArn', `Invalid Arn: '${executionArn ?? ''}'`);
    const runner = this.byArn.get(`${m[1]}:stateMachine:${m[2]}`);
    if (!runner) throw new SfnApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return runner;
  }

  /** A known ARN shape for an unknown machine: the first runner answers with Step Functions' own error. */
  private forMachine(stateMachineArn: string | undefined): StepFunctionsRunner {
    return this.machine(stateMachineArn) ?? this.runners[0]!;
  }

  get slot(): StepFunctionsSlot {
    return {
      StartExecution: async (i) => this.forMachine(i.stateMachineArn).slot.StartExecution(i),
      ListExecutions: async (i) => this.forMachine(i.stateMachineArn).slot.ListExecutions(i),
      DescribeExecution: async (i) => this.forExecution(i.executionArn).slot.DescribeExecution(i),
      GetExecutionHistory: async (i) => this.forExecution(i.executionArn).slot.GetExecutionHistory(i),
      StopExecution: async (i) => this.forExecution(i.executionArn).slot.StopExecution(i),
      ListStateMachines: async () => ({
        stateMachines: this.runners.flatMap((r) => r.listStateMachines().stateMachines),
      }),
      DescribeStateMachine: async (i) => this.forMachine(i.stateMachineArn).slot.DescribeStateMachine(i),
      DescribeStateMachineForExecution: async (i) =>
        this.forExecution(i.executionArn).slot.DescribeStateMachineForExecution(i),
    };
  }

  get running(): number {
    return this.runners.reduce((n, r) => n + r.running, 0);
  }

  async preloadHandlers(): Promise<void> {
    for (const r of this.runners) await r.preloadHandlers();
  }

  async close(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.close()));
  }
}
