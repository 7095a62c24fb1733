/**
 * The local Step Functions: runs the deployed definition with aws-local-stepfunctions and answers
 * the Step Functions API (StartExecution, DescribeExecution, GetExecutionHistory, ListExecutions,
 * StopExecution) for the sandbox's Step Functions slot or the runner's own endpoint.
 *
 * - Task states: our Lambda handlers run in-process (lambda.ts); DynamoDB / EventBridge
 *   integrations are real SDK calls (integrations.ts).
 * - Time: with `timeScale` > 1 (the sandbox's clock runs faster than ours), Wait states and Retry
 *   intervals shrink by the same factor. aws-local-stepfunctions only offers fixed per-state
 *   overrides, so a SecondsPath wait is read from the Wait state's real input (event stream) and
 *   served before the next Task runs; history timestamps still show the wait where it belongs.
 * - Isolation: each execution is its own run; a handler that throws fails (or is caught in) its own
 *   execution only, and nothing an execution does can reject into the caller.
 */
import '../polyfills.js';
import { randomUUID } from 'node:crypto';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { executionArnFor } from '../../functions/lib/cluster-ids.js';
import { type ExecutionStatusChangeEvent, statusChangeEvent } from '../../functions/lib/execution-status/event.js';
import { SfnApiError } from './api-errors.js';
import {
  type AslDefinition,
  type AslState,
  allStates,
  forLibrary,
  loadDefinition,
  type Placement,
  type TaskTarget,
  taskTargets,
} from './definition.js';
import { HISTORY_EVENT_QUOTA, History, historyPage, jsonText, STATE_EVENT_PREFIX } from './history.js';
import { callDynamoDb, callPutEvents, type IntegrationClients, makeIntegrationClients } from './integrations.js';
import { type HandlerResolver, invokeInProcess, moduleHandlerResolver } from './lambda.js';

export const STATE_MACHINE_NAME = 'eks-provisioner-provision-cluster';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface RunnerOptions extends Placement {
  /** Sandbox seconds per wall-clock second (1 = real time, as against AWS). */
  timeScale?: number;
  stateMachineName?: string;
  /** Defaults to statemachine/provision-cluster.asl.json with the substitutions filled. */
  definition?: AslDefinition;
  /** Defaults to importing functions/<folder>/handler.ts. */
  resolveHandler?: HandlerResolver;
  /** Where the runner reports its own trouble (never secrets). */
  log?: (line: string) => void;
  /**
   * Validate the definition with asl-validator at start (default true). It costs seconds (the schema
   * is compiled per call); `npm start` skips it because test/statemachine validates the same file.
   */
  validate?: boolean;
  /** Poll cap the default definition's TimeoutSeconds is derived from (default: the handlers' config). */
  maxProvisioningSeconds?: number;
  /** Events one execution's history may hold (Step Functions: 25,000). Lower only in tests. */
  historyEventQuota?: number;
  /**
   * Step Functions' "Execution Status Change" events (EventBridge, default bus), one per change:
   * RUNNING at the start, then the terminal status. Called synchronously; must not throw.
   */
  onStatusChange?: (event: ExecutionStatusChangeEvent) => void;
}

/** What the sandbox's Step Functions slot calls: parsed JSON-protocol input in, JSON output out. */
export interface StepFunctionsSlot {
  StartExecution(input: StartExecutionInput): Promise<{ executionArn: string; startDate: number }>;
  DescribeExecution(input: { executionArn?: string }): Promise<Record<string, unknown>>;
  GetExecutionHistory(input: {
    executionArn?: string;
    maxResults?: number;
    reverseOrder?: boolean;
    nextToken?: string;
    includeExecutionData?: boolean;
  }): Promise<Record<string, unknown>>;
  ListExecutions(input: {
    stateMachineArn?: string;
    statusFilter?: string;
    maxResults?: number;
    nextToken?: string;
  }): Promise<Record<string, unknown>>;
  StopExecution(input: { executionArn?: string; error?: string; cause?: string }): Promise<{ stopDate: number }>;
  ListStateMachines(input: { maxResults?: number; nextToken?: string }): Promise<Record<string, unknown>>;
  DescribeStateMachine(input: { stateMachineArn?: string }): Promise<Record<string, unknown>>;
  DescribeStateMachineForExecution(input: { executionArn?: string }): Promise<Record<string, unknown>>;
}

export interface StartExecutionInput {
  stateMachineArn?: string;
  name?: string;
  input?: string;
  traceHeader?: string;
}

interface Execution {
  executionArn: string;
  name: string;
  input: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
  traceHeader?: string;
  history: History;
  controller: AbortController;
  abort: () => void;
  /** A scaled Wait being served (see the header comment). */
  pendingWait?: Promise<void>;
  /** The definition's TimeoutSeconds, on the execution's own clock (see executionElapsedMs). */
  timeoutTimer?: NodeJS.Timeout;
  /** Real ms spent inside Tasks so far (ended ones), and since when Tasks are running now. */
  taskMs: number;
  tasksRunning: number;
  taskSince?: number;
  done: Promise<void>;
}

/**
 * How long an execution has run, in AWS time. Waits and Retry intervals are served `scale` times faster
 * than declared, so time outside Tasks counts `scale` times; time inside a Task is a handler running at
 * real speed (its SDK retries and back-off included), as a Lambda function would, and counts once. A busy
 * machine that makes handlers slow therefore does not make executions time out `scale` times sooner.
 */
export function executionElapsedMs(
  e: Pick<Execution, 'startDate' | 'taskMs' | 'tasksRunning' | 'taskSince'>,
  scale: number,
  now: number,
): number {
  const inTasks = e.taskMs + (e.tasksRunning > 0 && e.taskSince !== undefined ? now - e.taskSince : 0);
  return (now - e.startDate - inTasks) * scale + inTasks;
}

type LibraryEvent = Record<string, unknown> & { type: string; timestamp: number };

const NAME_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;
const MAX_INPUT_BYTES = 256 * 1024;

const seconds = (ms: number) => ms / 1000;
const macrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Reads `$.a.b[0]['c']` from a document (the forms a Wait's SecondsPath uses). */
export function readPath(path: string, doc: unknown): unknown {
  if (!path.startsWith('$')) return undefined;
  const parts: Array<string | number> = [];
  const re = /\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/g;
  const rest = path.slice(1);
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(rest))) {
    if (m.index !== consumed) return undefined;
    consumed = re.lastIndex;
    parts.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : (m[3] ?? m[4] ?? '')));
  }
  if (consumed !== rest.length) return undefined;
  let cur: unknown = doc;
  for (const p of parts) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}

export class StepFunctionsRunner {
  readonly stateMachineArn: string;
  readonly timeScale: number;
  private readonly machine: StateMachine;
  private readonly states: Map<string, AslState>;
  private readonly targets: Map<string, TaskTarget>;
  private readonly executions = new Map<string, Execution>();
  private readonly byName = new Map<string, Execution>();
  private readonly resolveHandler: HandlerResolver;
  private clients?: IntegrationClients;
  private readonly log: (line: string) => void;
  private closed = false;
  /** The definition's top-level TimeoutSeconds (undefined: the execution may run up to a year). */
  readonly executionTimeoutSeconds?: number;
  /** Events one execution's history may hold before it fails. */
  readonly historyEventQuota: number;

  readonly stateMachineName: string;
  private readonly createdAt = Date.now();

  private constructor(
    private readonly opts: RunnerOptions,
    private readonly definition: AslDefinition,
  ) {
    this.timeScale = opts.timeScale && opts.timeScale > 0 ? opts.timeScale : 1;
    const name = opts.stateMachineName ?? STATE_MACHINE_NAME;
    this.stateMachineName = name;
    this.stateMachineArn = `arn:aws:states:${opts.region}:${opts.accountId}:stateMachine:${name}`;
    this.targets = taskTargets(definition, opts);
    this.states = new Map(allStates(definition).map((s) => [s.name, s.state]));
    // Validated once here (asl-validator) so a broken definition fails at start, not per execution.
    // (Map/Parallel would validate their sub-machines again per run; this machine has none.)
    this.machine = new StateMachine(forLibrary(definition) as unknown as StateMachineDefinition, {
      validationOptions: opts.validate === false ? { noValidate: true } : { checkArn: true, checkPaths: true },
    });
    this.resolveHandler = opts.resolveHandler ?? moduleHandlerResolver();
    this.log = opts.log ?? ((line) => process.stderr.write(`[runner] ${line}\n`));
    this.historyEventQuota = opts.historyEventQuota ?? HISTORY_EVENT_QUOTA;
    const timeout = definition['TimeoutSeconds'];
    if (timeout !== undefined) {
      if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 1)
        throw new Error(`The definition's TimeoutSeconds must be a positive integer, got ${JSON.stringify(timeout)}.`);
      this.executionTimeoutSeconds = timeout;
    }
  }

  /** The state machine's execution role, as the local stack names it. */
  get roleArn(): string {
    return `arn:aws:iam::${this.opts.accountId}:role/${this.stateMachineName}-role`;
  }

  /** The definition as deployed (substitutions filled, TimeoutSeconds set): what DescribeStateMachine returns. */
  get deployedDefinition(): string {
    return JSON.stringify(this.definition, null, 2);
  }

  static async create(opts: RunnerOptions): Promise<StepFunctionsRunner> {
    const definition = opts.definition ?? (await loadDefinition(opts, undefined, opts.maxProvisioningSeconds));
    return new StepFunctionsRunner(opts, definition);
  }

  /** Bound API methods for the sandbox's Step Functions slot. */
  get slot(): StepFunctionsSlot {
    return {
      StartExecution: async (i) => this.startExecution(i),
      DescribeExecution: async (i) => this.describeExecution(i),
      GetExecutionHistory: async (i) => this.getExecutionHistory(i),
      ListExecutions: async (i) => this.listExecutions(i),
      StopExecution: async (i) => this.stopExecution(i),
      ListStateMachines: async () => this.listStateMachines(),
      DescribeStateMachine: async (i) => this.describeStateMachine(i),
      DescribeStateMachineForExecution: async (i) => this.describeStateMachineForExecution(i),
    };
  }

  /** Imports every handler now, so a broken handler module shows at start (and the first run is quick). */
  async preloadHandlers(): Promise<void> {
    const folders = new Set<TaskTarget & { kind: 'lambda' }>();
    for (const t of this.targets.values()) if (t.kind === 'lambda') folders.add(t);
    await Promise.all([...folders].map((t) => this.resolveHandler(t.folder)));
  }

  /** Resolves when the execution has finished (any terminal status). */
  async waitFor(executionArn: string): Promise<ExecutionStatus> {
    const exec = this.get(executionArn);
    await exec.done;
    return exec.status;
  }

  get running(): number {
    let n = 0;
    for (const e of this.executions.values()) if (e.status === 'RUNNING') n++;
    return n;
  }

  /** Stops every running execution (ABORTED) and refuses new ones. */
  async close(): Promise<void> {
    this.closed = true;
    const running = [...this.executions.values()].filter((e) => e.status === 'RUNNING');
    for (const e of running) this.finishAborted(e, 'States.Aborted', 'The local stack was stopped.');
    await Promise.allSettled(running.map((e) => e.done));
    this.clients?.dynamodb.destroy();
    this.clients?.events.destroy();
  }

  // --- API ---------------------------------------------------------------------------------------

  startExecution(req: StartExecutionInput): { executionArn: string; startDate: number } {
    const arn = req.stateMachineArn;
    if (!arn || !/^arn:aws[\w-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[\w-]+$/.test(arn)) {
      throw new SfnApiError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${arn ?? ''}'`);
    }
    if (arn !== this.stateMachineArn) {
      throw new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    }
    if (this.closed) throw new SfnApiError('ValidationException', 'The local Step Functions runner is shutting down.');
    const name = req.name ?? randomUUID();
    if (!NAME_PATTERN.test(name)) throw new SfnApiError('InvalidName', `Invalid Name: '${name}'`);
    const input = req.input ?? '{}';
    if (Buffer.byteLength(input, 'utf8') > MAX_INPUT_BYTES) {
      throw new SfnApiError(
        'InvalidExecutionInput',
        'Invalid State Machine Execution Input: input exceeds 262144 bytes',
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(input);
    } catch (e) {
      throw new SfnApiError(
        'InvalidExecutionInput',
        `Invalid State Machine Execution Input: '${(e as Error).message}'`,
      );
    }

    const existing = this.byName.get(name);
    if (existing) {
      // AWS (Standard): same name + same input while RUNNING → the same execution; otherwise an error.
      if (existing.status === 'RUNNING' && existing.input === input) {
        return { executionArn: existing.executionArn, startDate: seconds(existing.startDate) };
      }
      throw new SfnApiError('ExecutionAlreadyExists', `Execution Already Exists: '${existing.executionArn}'`);
    }

    const executionArn = executionArnFor(this.stateMachineArn, name);
    const exec = this.launch(executionArn, name, input, parsed, req.traceHeader);
    return { executionArn, startDate: seconds(exec.startDate) };
  }

  describeExecution(req: { executionArn?: string }): Record<string, unknown> {
    const e = this.get(req.executionArn);
    return {
      executionArn: e.executionArn,
      stateMachineArn: this.stateMachineArn,
      name: e.name,
      status: e.status,
      startDate: seconds(e.startDate),
      ...(e.stopDate !== undefined ? { stopDate: seconds(e.stopDate) } : {}),
      input: e.input,
      inputDetails: { included: true },
      ...(e.output !== undefined ? { output: e.output, outputDetails: { included: true } } : {}),
      ...(e.error !== undefined ? { error: e.error } : {}),
      ...(e.cause !== undefined ? { cause: e.cause } : {}),
      ...(e.traceHeader !== undefined ? { traceHeader: e.traceHeader } : {}),
      redriveCount: 0,
      redriveStatus: e.status === 'RUNNING' || e.status === 'SUCCEEDED' ? 'NOT_REDRIVABLE' : 'REDRIVABLE',
    };
  }

  getExecutionHistory(req: {
    executionArn?: string;
    maxResults?: number;
    reverseOrder?: boolean;
    nextToken?: string;
    includeExecutionData?: boolean;
  }): Record<string, unknown> {
    const e = this.get(req.executionArn);
    if (req.nextToken !== undefined && !/^[A-Za-z0-9_-]+$/.test(req.nextToken)) {
      throw new SfnApiError('InvalidToken', `Invalid Token: '${req.nextToken}'`);
    }
    return historyPage(e.history.events, req);
  }

  listExecutions(req: {
    stateMachineArn?: string;
    statusFilter?: string;
    maxResults?: number;
    nextToken?: string;
  }): Record<string, unknown> {
    if (req.stateMachineArn !== this.stateMachineArn) {
      throw new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${req.stateMachineArn ?? ''}'`);
    }
    const all = [...this.executions.values()]
      .filter((e) => !req.statusFilter || e.status === req.statusFilter)
      .sort((a, b) => b.startDate - a.startDate);
    const start = req.nextToken ? Number(Buffer.from(req.nextToken, 'base64url').toString('utf8')) || 0 : 0;
    const size = Math.min(req.maxResults && req.maxResults > 0 ? req.maxResults : 100, 1000);
    const page = all.slice(start, start + size).map((e) => ({
      executionArn: e.executionArn,
      stateMachineArn: this.stateMachineArn,
      name: e.name,
      status: e.status,
      startDate: seconds(e.startDate),
      ...(e.stopDate !== undefined ? { stopDate: seconds(e.stopDate) } : {}),
    }));
    const more = start + size < all.length;
    return {
      executions: page,
      ...(more ? { nextToken: Buffer.from(String(start + size)).toString('base64url') } : {}),
    };
  }

  /** This runner's state machine (one per runner; combineSlots() lists several). */
  listStateMachines(): { stateMachines: Array<Record<string, unknown>> } {
    return {
      stateMachines: [
        {
          stateMachineArn: this.stateMachineArn,
          name: this.stateMachineName,
          type: 'STANDARD',
          creationDate: seconds(this.createdAt),
        },
      ],
    };
  }

  /** The definition as deployed: substitutions filled, TimeoutSeconds set (what CDK deploys). */
  describeStateMachine(req: { stateMachineArn?: string }): Record<string, unknown> {
    const arn = req.stateMachineArn;
    if (!arn || !/^arn:aws[\w-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[\w-]+$/.test(arn)) {
      throw new SfnApiError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${arn ?? ''}'`);
    }
    if (arn !== this.stateMachineArn)
      throw new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return {
      stateMachineArn: this.stateMachineArn,
      name: this.stateMachineName,
      status: 'ACTIVE',
      definition: this.deployedDefinition,
      roleArn: this.roleArn,
      type: 'STANDARD',
      creationDate: seconds(this.createdAt),
      loggingConfiguration: { level: 'OFF', includeExecutionData: false },
      tracingConfiguration: { enabled: false },
    };
  }

  describeStateMachineForExecution(req: { executionArn?: string }): Record<string, unknown> {
    this.get(req.executionArn);
    const { status: _s, creationDate, ...rest } = this.describeStateMachine({ stateMachineArn: this.stateMachineArn });
    return { ...rest, updateDate: creationDate };
  }

  stopExecution(req: { executionArn?: string; error?: string; cause?: string }): { stopDate: number } {
    const e = this.get(req.executionArn);
    if (e.status === 'RUNNING') this.finishAborted(e, req.error, req.cause);
    return { stopDate: seconds(e.stopDate ?? Date.now()) };
  }

  // --- running -----------------------------------------------------------------------------------

  private get(executionArn: string | undefined): Execution {
    if (!executionArn || !/^arn:aws[\w-]*:states:[a-z0-9-]+:\d{12}:execution:[\w-]+:[\w-]+$/.test(executionArn)) {
      throw new SfnApiError('InvalidArn', `Invalid Arn: '${executionArn ?? ''}'`);
    }
    const e = this.executions.get(executionArn);
    if (!e) throw new SfnApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return e;
  }

  private finishAborted(e: Execution, error?: string, cause?: string): void {
    if (e.status !== 'RUNNING') return;
    e.history.add('ExecutionAborted', {
      executionAbortedEventDetails: {
        ...(error !== undefined ? { error } : {}),
        ...(cause !== undefined ? { cause } : {}),
      },
    });
    this.settle(e, 'ABORTED', { error, cause });
    e.controller.abort();
    e.abort();
  }

  /**
   * (Re-)arms the TimeoutSeconds timer for when the execution's clock (executionElapsedMs) reaches it at
   * the current pace: re-armed whenever a Task starts or ends, since that changes the pace.
   */
  private armExecutionTimeout(e: Execution): void {
    if (this.executionTimeoutSeconds === undefined || e.status !== 'RUNNING') return;
    if (e.timeoutTimer) clearTimeout(e.timeoutTimer);
    const remaining = this.executionTimeoutSeconds * 1000 - executionElapsedMs(e, this.timeScale, Date.now());
    if (remaining <= 0) {
      this.finishTimedOut(e);
      return;
    }
    const pace = e.tasksRunning > 0 ? 1 : this.timeScale;
    e.timeoutTimer = setTimeout(() => this.armExecutionTimeout(e), Math.ceil(remaining / pace));
    e.timeoutTimer.unref?.();
  }

  /** A Task runs: its real time counts once on the execution's clock (see executionElapsedMs). */
  private async timedTask<T>(e: Execution, run: () => Promise<T>): Promise<T> {
    if (e.tasksRunning++ === 0) e.taskSince = Date.now();
    this.armExecutionTimeout(e);
    try {
      return await run();
    } finally {
      if (--e.tasksRunning === 0 && e.taskSince !== undefined) {
        e.taskMs += Date.now() - e.taskSince;
        e.taskSince = undefined;
      }
      this.armExecutionTimeout(e);
    }
  }

  /** The definition's TimeoutSeconds ran out: TIMED_OUT, no Catch runs (as in Step Functions). */
  private finishTimedOut(e: Execution): void {
    if (e.status !== 'RUNNING') return;
    const cause = `The execution ran longer than the state machine's TimeoutSeconds (${this.executionTimeoutSeconds} s).`;
    e.history.add('ExecutionTimedOut', { executionTimedOutEventDetails: { error: 'States.Timeout', cause } });
    this.settle(e, 'TIMED_OUT', { error: 'States.Timeout', cause });
    e.controller.abort();
    e.abort();
  }

  /** The history quota is reached: the execution fails there, past every Retry and Catch. */
  private finishHistoryFull(e: Execution): void {
    if (e.status !== 'RUNNING') return;
    const error = 'States.Runtime';
    const cause = `The execution reached the maximum number of events in its history (${e.history.limit}).`;
    e.history.add('ExecutionFailed', { executionFailedEventDetails: { error, cause } });
    this.settle(e, 'FAILED', { error, cause });
    e.controller.abort();
    e.abort();
  }

  /** The one place an execution leaves RUNNING: status, stop date, and the status-change event. */
  private settle(
    e: Execution,
    status: Exclude<ExecutionStatus, 'RUNNING'>,
    r: { output?: string; error?: string | undefined; cause?: string | undefined },
  ): void {
    if (e.status !== 'RUNNING') return;
    e.status = status;
    e.stopDate = Date.now();
    if (r.output !== undefined) e.output = r.output;
    if (r.error !== undefined) e.error = r.error;
    if (r.cause !== undefined) e.cause = r.cause;
    if (e.timeoutTimer) clearTimeout(e.timeoutTimer);
    this.emitStatusChange(e);
  }

  private emitStatusChange(e: Execution): void {
    if (!this.opts.onStatusChange) return;
    try {
      this.opts.onStatusChange(
        statusChangeEvent({
          account: this.opts.accountId,
          region: this.opts.region,
          executionArn: e.executionArn,
          stateMachineArn: this.stateMachineArn,
          name: e.name,
          status: e.status,
          startDate: e.startDate,
          stopDate: e.stopDate ?? null,
          input: e.input,
          output: e.output ?? null,
          error: e.error ?? null,
          cause: e.cause ?? null,
        }),
      );
    } catch (err) {
      this.log(`status change of ${e.name} not delivered: ${(err as Error).message}`);
    }
  }

  private launch(executionArn: string, name: string, input: string, parsed: unknown, traceHeader?: string): Execution {
    const controller = new AbortController();
    const exec: Execution = {
      executionArn,
      name,
      input,
      status: 'RUNNING',
      startDate: Date.now(),
      // Replaced below once `exec` exists (the quota handler needs it).
      history: new History(),
      controller,
      abort: () => undefined,
      taskMs: 0,
      tasksRunning: 0,
      done: Promise.resolve(),
      ...(traceHeader !== undefined ? { traceHeader } : {}),
    };
    exec.history = new History(this.historyEventQuota, () => this.finishHistoryFull(exec));
    this.executions.set(executionArn, exec);
    this.byName.set(name, exec);
    this.emitStatusChange(exec);
    this.armExecutionTimeout(exec);

    try {
      const run = this.machine.run(parsed as never, {
        noThrowOnAbort: true,
        overrides: {
          taskResourceLocalHandlers: this.taskHandlers(exec) as never,
          waitTimeOverrides: this.waitOverrides(),
          retryIntervalOverrides: this.retryOverrides(),
        },
        context: {
          Execution: { Id: executionArn, Name: name, RoleArn: this.roleArn },
          StateMachine: { Id: this.stateMachineArn, Name: this.stateMachineArn.split(':').pop() },
          // The library has no `$$.State`. A state's Parameters are evaluated the moment it is entered,
          // so "now" is its EnteredTime. (State.Name / RetryCount are not offered: a path to them fails
          // loudly rather than giving a wrong value.)
          State: Object.defineProperty({}, 'EnteredTime', { enumerable: true, get: () => new Date().toISOString() }),
        },
      });
      exec.abort = run.abort;
      const recorded = this.record(exec, run.eventLogs as unknown as AsyncGenerator<LibraryEvent>).catch((e: unknown) =>
        this.log(`history of ${name} stopped: ${(e as Error).message}`),
      );
      const settled = run.result.then(
        (output) => {
          if (exec.status !== 'RUNNING') return;
          this.settle(exec, 'SUCCEEDED', { output: jsonText(output) });
        },
        (err: unknown) => {
          if (exec.status !== 'RUNNING') return;
          const inner = (err as { cause?: unknown }).cause as
            | { name?: string; message?: string; cause?: unknown }
            | undefined;
          const isTimeout = (err as Error)?.name === 'ExecutionTimeoutError';
          const cause = inner
            ? typeof inner.cause === 'string'
              ? inner.cause
              : inner.message
            : (err as Error)?.message;
          this.settle(exec, isTimeout ? 'TIMED_OUT' : 'FAILED', {
            error: isTimeout ? 'States.Timeout' : (inner?.name ?? (err as Error)?.name ?? 'States.Runtime'),
            cause: cause !== undefined ? String(cause) : undefined,
          });
        },
      );
      exec.done = Promise.allSettled([settled, recorded]).then(() => {
        exec.stopDate ??= Date.now();
      });
    } catch (e) {
      // The library refused to start the run: a failed execution, never a crashed runner.
      exec.history.add('ExecutionStarted', {
        executionStartedEventDetails: { input, inputDetails: { truncated: false } },
      });
      exec.history.add('ExecutionFailed', {
        executionFailedEventDetails: { error: 'States.Runtime', cause: (e as Error).message },
      });
      this.settle(exec, 'FAILED', { error: 'States.Runtime', cause: (e as Error).message });
    }
    return exec;
  }

  /** Turns the library's event stream into API history (and serves scaled SecondsPath waits). */
  private async record(exec: Execution, events: AsyncGenerator<LibraryEvent>): Promise<void> {
    const h = exec.history;
    let heldUntil = 0;
    for await (const ev of events) {
      if (exec.pendingWait && ev.type !== 'ExecutionAborted') {
        // Hold what happens after a Wait until the (scaled) wait is over; it is stamped then.
        await exec.pendingWait;
        exec.pendingWait = undefined;
        heldUntil = Date.now();
      }
      // Ended by the runner itself (StopExecution, TimeoutSeconds, history quota): nothing more to record.
      if (exec.history.ended) return;
      const state = ev['state'] as { name: string; type: string; input: unknown; output?: unknown } | undefined;
      const at = Math.max(ev.timestamp, heldUntil);
      switch (ev.type) {
        case 'ExecutionStarted':
          h.add(
            'ExecutionStarted',
            {
              executionStartedEventDetails: {
                input: exec.input,
                inputDetails: { truncated: false },
                roleArn: this.roleArn,
              },
            },
            at,
          );
          break;
        case 'StateEntered': {
          if (!state) break;
          h.add(
            `${STATE_EVENT_PREFIX[state.type] ?? state.type}StateEntered`,
            {
              stateEnteredEventDetails: {
                name: state.name,
                input: jsonText(state.input),
                inputDetails: { truncated: false },
              },
            },
            at,
          );
          if (state.type === 'Wait') this.serveScaledWait(exec, state.name, state.input);
          break;
        }
        case 'StateExited':
          if (!state) break;
          h.add(
            `${STATE_EVENT_PREFIX[state.type] ?? state.type}StateExited`,
            {
              stateExitedEventDetails: {
                name: state.name,
                output: jsonText(state.output),
                outputDetails: { truncated: false },
              },
            },
            at,
          );
          break;
        case 'StateFailed':
          // Task failures are recorded by the task wrapper (with the resource); a task the library
          // timed out never reached it.
          if (state?.type === 'Task' && ev['Error'] === 'States.Timeout') {
            h.add(
              'TaskTimedOut',
              { taskTimedOutEventDetails: { resourceType: 'lambda', resource: state.name, error: 'States.Timeout' } },
              at,
            );
          }
          break;
        case 'ExecutionSucceeded':
          h.add(
            'ExecutionSucceeded',
            { executionSucceededEventDetails: { output: jsonText(ev['output']), outputDetails: { truncated: false } } },
            at,
          );
          break;
        case 'ExecutionFailed': {
          const cause = ev['Cause'];
          h.add(
            'ExecutionFailed',
            {
              executionFailedEventDetails: {
                error: String(ev['Error']),
                cause: typeof cause === 'string' ? cause : jsonText(cause),
              },
            },
            at,
          );
          break;
        }
        case 'ExecutionTimeout':
          // Not reached: forLibrary() removes TimeoutSeconds and the runner times out on the scaled clock.
          h.add('ExecutionTimedOut', { executionTimedOutEventDetails: { error: 'States.Timeout' } }, at);
          break;
        default:
          // StateRetried / StateCaught have no event of their own in the API: the next
          // Scheduled / the Catch target's StateEntered show them.
          break;
      }
    }
  }

  private serveScaledWait(exec: Execution, stateName: string, input: unknown): void {
    if (this.timeScale === 1) return; // the library waits in real time
    const state = this.states.get(stateName);
    if (!state?.SecondsPath) return; // fixed Seconds are scaled by waitOverrides
    const value = readPath(state.SecondsPath, input);
    const secondsToWait = typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
    if (typeof value !== 'number')
      this.log(`${stateName}: SecondsPath ${state.SecondsPath} did not give a number; not waiting.`);
    exec.pendingWait = abortableSleep((secondsToWait * 1000) / this.timeScale, exec.controller.signal);
  }

  private waitOverrides(): Record<string, number> {
    const out: Record<string, number> = {};
    if (this.timeScale === 1) return out;
    for (const [name, state] of this.states) {
      if (state.Type !== 'Wait') continue;
      if (typeof state.Seconds === 'number') out[name] = (state.Seconds * 1000) / this.timeScale;
      // SecondsPath: the library does not wait; record()/taskHandlers serve the scaled wait.
      else if (state.SecondsPath) out[name] = 0;
    }
    return out;
  }

  private retryOverrides(): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    if (this.timeScale === 1) return out;
    for (const [name, state] of this.states) {
      if (!state.Retry?.length) continue;
      const arr: number[] = [];
      state.Retry.forEach((r, i) => {
        const baseMs = ((r.IntervalSeconds ?? 1) * 1000) / this.timeScale;
        // Keep some jitter so retries of many executions do not line up.
        Object.defineProperty(arr, i, { enumerable: true, get: () => Math.round(baseMs * (0.5 + Math.random())) });
      });
      out[name] = arr;
    }
    return out;
  }

  private taskHandlers(exec: Execution): Record<string, (input: unknown) => Promise<unknown>> {
    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const [stateName, target] of this.targets) {
      handlers[stateName] = async (input) => {
        // Let record() catch up with the event stream (and start any scaled Wait) first.
        await macrotask();
        if (exec.pendingWait) {
          await exec.pendingWait;
          await macrotask();
        }
        if (exec.status !== 'RUNNING') throw Object.assign(new Error('Execution stopped'), { name: 'States.Aborted' });
        return this.timedTask(exec, () => this.runTask(exec, stateName, target, input));
      };
    }
    return handlers;
  }

  private async runTask(exec: Execution, stateName: string, target: TaskTarget, input: unknown): Promise<unknown> {
    checkPayloadSize(input, `the input of ${stateName}`);
    const output = await this.callTask(exec, target, input);
    checkPayloadSize(output, `the result of ${stateName}`);
    return output;
  }

  private async callTask(exec: Execution, target: TaskTarget, input: unknown): Promise<unknown> {
    const h = exec.history;
    if (target.kind === 'lambda') {
      const direct = target.integration === 'direct';
      const payload = direct ? input : ((input as { Payload?: unknown })?.Payload ?? {});
      const resourceDetails = direct
        ? { resource: target.functionArn }
        : { resourceType: 'lambda', resource: 'invoke' };
      h.add(direct ? 'LambdaFunctionScheduled' : 'TaskScheduled', {
        [direct ? 'lambdaFunctionScheduledEventDetails' : 'taskScheduledEventDetails']: direct
          ? { ...resourceDetails, input: jsonText(payload), inputDetails: { truncated: false } }
          : { ...resourceDetails, region: this.opts.region, parameters: jsonText(input) },
      });
      h.add(
        direct ? 'LambdaFunctionStarted' : 'TaskStarted',
        direct ? {} : { taskStartedEventDetails: resourceDetails },
      );
      try {
        const handler = await this.resolveHandler(target.folder);
        const result = await invokeInProcess(handler, target.folder, target.functionArn, payload);
        const output = direct ? result : { ExecutedVersion: '$LATEST', Payload: result, StatusCode: 200 };
        h.add(direct ? 'LambdaFunctionSucceeded' : 'TaskSucceeded', {
          [direct ? 'lambdaFunctionSucceededEventDetails' : 'taskSucceededEventDetails']: {
            ...(direct ? {} : resourceDetails),
            output: jsonText(output),
            outputDetails: { truncated: false },
          },
        });
        return output;
      } catch (e) {
        const err = normaliseTaskError(e, 'Lambda.Unknown');
        h.add(direct ? 'LambdaFunctionFailed' : 'TaskFailed', {
          [direct ? 'lambdaFunctionFailedEventDetails' : 'taskFailedEventDetails']: {
            ...(direct ? {} : resourceDetails),
            error: err.name,
            cause: err.message,
          },
        });
        throw err;
      }
    }

    const resourceDetails =
      target.kind === 'dynamodb'
        ? { resourceType: 'dynamodb', resource: target.action }
        : { resourceType: 'events', resource: 'putEvents' };
    h.add('TaskScheduled', {
      taskScheduledEventDetails: { ...resourceDetails, region: this.opts.region, parameters: jsonText(input) },
    });
    h.add('TaskStarted', { taskStartedEventDetails: resourceDetails });
    try {
      this.clients ??= makeIntegrationClients(this.opts.region);
      const output =
        target.kind === 'dynamodb'
          ? await callDynamoDb(this.clients, target.action, input)
          : await callPutEvents(this.clients, input, {
              executionArn: exec.executionArn,
              stateMachineArn: this.stateMachineArn,
            });
      h.add('TaskSucceeded', {
        taskSucceededEventDetails: {
          ...resourceDetails,
          output: jsonText(output),
          outputDetails: { truncated: false },
        },
      });
      return output;
    } catch (e) {
      const err = normaliseTaskError(e, 'States.TaskFailed');
      h.add('TaskFailed', { taskFailedEventDetails: { ...resourceDetails, error: err.name, cause: err.message } });
      throw err;
    }
  }
}

/** Step Functions' payload quota: 256 KiB of UTF-8 per state input / output / task result. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

/**
 * States.DataLimitExceeded is terminal in Step Functions: Retry and `States.ALL` catchers do not see it.
 * (Checked on what a Task gets and returns — where a growing document shows first.)
 */
function checkPayloadSize(value: unknown, what: string): void {
  const bytes = Buffer.byteLength(jsonText(value), 'utf8');
  if (bytes <= MAX_PAYLOAD_BYTES) return;
  const err = new Error(
    `The state/task returned a result with a size exceeding the maximum number of bytes service limit: ${what} is ${bytes} bytes (limit ${MAX_PAYLOAD_BYTES}).`,
  );
  err.name = 'States.DataLimitExceeded';
  Object.defineProperties(err, { isRetryable: { value: false }, isCatchable: { value: false } });
  throw err;
}

/** Whatever was thrown becomes an Error whose name/message are Step Functions' Error/Cause. */
function normaliseTaskError(e: unknown, fallbackName: string): Error {
  if (e instanceof Error) {
    // No `cause` property: the library would report it instead of the message.
    if ('cause' in e) delete (e as { cause?: unknown }).cause;
    if (!e.name) e.name = fallbackName;
    return e;
  }
  const err = new Error(typeof e === 'string' ? e : jsonText(e));
  err.name = fallbackName;
  return err;
}
