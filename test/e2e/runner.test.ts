/**
 * The local Step Functions runner on its own: a small machine (test/e2e/fixtures/mini-machine.asl.json)
 * with stand-in handlers, driven through the runner's Step Functions API. The full pipeline over HTTP
 * is in provisioning.test.ts.
 */
import { readFileSync } from 'node:fs';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import { type AslDefinition, substitute, substitutions } from '../../local/runner/definition.js';
import type { HandlerResolver, LambdaHandler } from '../../local/runner/lambda.js';
import { StepFunctionsRunner } from '../../local/runner/runner.js';
import { startStepFunctionsEndpoint } from '../../local/runner/sfn-endpoint.js';

const place = { region: 'us-east-1', accountId: '111111111111', tableName: 't', eventBusName: 'b' };
const definition = JSON.parse(
  substitute(readFileSync(new URL('./fixtures/mini-machine.asl.json', import.meta.url), 'utf8'), substitutions(place)),
) as AslDefinition;

type Handlers = Partial<Record<string, LambdaHandler>>;

const pollUntil = (completeAt: number): LambdaHandler => {
  let polls = 0;
  return async () => {
    polls++;
    return { outcome: polls >= completeAt ? 'COMPLETE' : 'IN_PROGRESS', nextWaitSeconds: 30, polls };
  };
};

function named(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

let runner: StepFunctionsRunner | undefined;
const logs: string[] = [];

async function make(handlers: Handlers, timeScale = 60): Promise<StepFunctionsRunner> {
  const resolveHandler: HandlerResolver = async (folder) => {
    const h = handlers[folder];
    if (!h) throw new Error(`no stand-in for ${folder}`);
    return h;
  };
  runner = await StepFunctionsRunner.create({
    ...place,
    timeScale,
    definition,
    resolveHandler,
    log: (l) => logs.push(l),
  });
  return runner;
}

const start = (r: StepFunctionsRunner, name: string, input: unknown = {}) =>
  r.startExecution({ stateMachineArn: r.stateMachineArn, name, input: JSON.stringify(input) });

type Ev = { type: string; timestamp: number; [k: string]: unknown };
const history = (r: StepFunctionsRunner, executionArn: string) =>
  (r.getExecutionHistory({ executionArn, maxResults: 1000 }) as { events: Ev[] }).events;

afterEach(async () => {
  await runner?.close();
  runner = undefined;
  logs.length = 0;
});

describe('local Step Functions runner', () => {
  it('runs the machine to SUCCEEDED; ResultPath "$" replaces the document as in Step Functions', async () => {
    const r = await make({
      'validate-request': async (e) => ({
        clusterId: 'c-1',
        seen: (e as { input: unknown }).input,
        executionArn: (e as { executionArn: string }).executionArn,
      }),
      'poll-cluster-stack': pollUntil(1),
    });
    const { executionArn } = start(r, 'ok-1', { a: 1 });
    expect(await r.waitFor(executionArn)).toBe('SUCCEEDED');
    const d = r.describeExecution({ executionArn });
    const output = JSON.parse(String(d['output']));
    // The library alone would write { ...input, "$": result }.
    expect(output).toEqual({
      clusterId: 'c-1',
      seen: { a: 1 },
      executionArn,
      poll: { outcome: 'COMPLETE', nextWaitSeconds: 30, polls: 1 },
    });
    expect(d['status']).toBe('SUCCEEDED');
    expect(typeof d['startDate']).toBe('number');
    expect(d['stopDate'] as number).toBeGreaterThanOrEqual(d['startDate'] as number);
  });

  it('same name + same input while running is the same execution; different input is ExecutionAlreadyExists; closed is too', async () => {
    const r = await make({ 'validate-request': async (e) => e, 'poll-cluster-stack': pollUntil(3) });
    const a = start(r, 'dup', { x: 1 });
    expect(start(r, 'dup', { x: 1 }).executionArn).toBe(a.executionArn);
    expect(() => start(r, 'dup', { x: 2 })).toThrowError(/Execution Already Exists/);
    try {
      start(r, 'dup', { x: 2 });
    } catch (e) {
      expect((e as Error).name).toBe('ExecutionAlreadyExists');
    }
    await r.waitFor(a.executionArn);
    expect(() => start(r, 'dup', { x: 1 })).toThrowError(/Execution Already Exists/);
    expect(() => start(r, 'bad name!', {})).toThrowError(/Invalid Name/);
    expect(() => r.startExecution({ stateMachineArn: r.stateMachineArn, name: 'badjson', input: '{' })).toThrowError(
      /Invalid State Machine Execution Input/,
    );
    expect(() =>
      r.startExecution({ stateMachineArn: r.stateMachineArn.replace('cluster', 'other'), input: '{}' }),
    ).toThrowError(/State Machine Does Not Exist/);
    expect(() => r.describeExecution({ executionArn: `${a.executionArn}x` })).toThrowError(/Execution Does Not Exist/);
  });

  it('a thrown error keeps its name for Retry and reaches Catch as Lambda reports it', async () => {
    let attempts = 0;
    let caught: unknown;
    const r = await make({
      'validate-request': async () => {
        attempts++;
        throw named('AwsThrottled', 'Rate exceeded');
      },
      'diagnose-failure': async (e) => {
        caught = (e as { error: unknown }).error;
        return { code: 'UNKNOWN' };
      },
    });
    const { executionArn } = start(r, 'retry-1');
    expect(await r.waitFor(executionArn)).toBe('FAILED');
    expect(attempts).toBe(3); // first try + MaxAttempts 2
    const c = caught as { Error: string; Cause: string };
    expect(c.Error).toBe('AwsThrottled');
    const cause = JSON.parse(c.Cause) as { errorType: string; errorMessage: string; trace: string[] };
    expect(cause.errorType).toBe('AwsThrottled');
    expect(cause.errorMessage).toBe('Rate exceeded');
    expect(Array.isArray(cause.trace)).toBe(true);
    const d = r.describeExecution({ executionArn });
    expect(d['error']).toBe('ProvisioningFailed');
    const failures = history(r, executionArn).filter((e) => e.type === 'LambdaFunctionFailed');
    expect(failures).toHaveLength(3);
    expect((failures[0]!['lambdaFunctionFailedEventDetails'] as { error: string }).error).toBe('AwsThrottled');
  });

  it('scales SecondsPath waits by the time factor and shows them in the history', async () => {
    const r = await make({ 'validate-request': async (e) => e, 'poll-cluster-stack': pollUntil(3) }, 60);
    const t0 = Date.now();
    const { executionArn } = start(r, 'wait-1');
    expect(await r.waitFor(executionArn)).toBe('SUCCEEDED');
    const took = Date.now() - t0;
    // Two waits of 30 s at ×60 = 1 s in all (a real-time wait would be 60 s).
    expect(took).toBeGreaterThanOrEqual(950);
    expect(took).toBeLessThan(5000);
    const events = history(r, executionArn);
    const entered = events.filter((e) => e.type === 'WaitStateEntered');
    const exited = events.filter((e) => e.type === 'WaitStateExited');
    expect(entered).toHaveLength(2);
    expect(exited[0]!.timestamp - entered[0]!.timestamp).toBeGreaterThanOrEqual(0.45);
    // Ids in order, timestamps never go back.
    events.forEach((e, i) => {
      expect(e['id']).toBe(i + 1);
      if (i > 0) expect(e.timestamp).toBeGreaterThanOrEqual(events[i - 1]!.timestamp);
    });
    const firstEntered = events.find((e) => e.type === 'TaskStateEntered')!;
    expect(JSON.parse((firstEntered['stateEnteredEventDetails'] as { input: string }).input)).toEqual({});
    const lastExit = events.filter((e) => e.type === 'TaskStateExited').pop()!;
    expect((lastExit['stateExitedEventDetails'] as { name: string }).name).toBe('Poll');
    expect(events.at(-1)!.type).toBe('ExecutionSucceeded');
    const page = r.getExecutionHistory({ executionArn, maxResults: 5 }) as { events: Ev[]; nextToken?: string };
    expect(page.events).toHaveLength(5);
    const next = r.getExecutionHistory({ executionArn, maxResults: 5, nextToken: page.nextToken! }) as { events: Ev[] };
    expect(next.events[0]!['id']).toBe(6);
  });

  it('runs many executions at once; ones that throw (even non-Errors) fail alone', async () => {
    const r = await make({
      'validate-request': async (e) => {
        const n = (e as { input: { n: number } }).input.n;
        if (n % 3 === 0) throw { weird: true };
        if (n % 3 === 1) throw named('TypeError', 'x is undefined');
        return e;
      },
      'poll-cluster-stack': async () => ({ outcome: 'COMPLETE', nextWaitSeconds: 5, polls: 1 }),
      'diagnose-failure': async () => {
        throw new Error('diagnosis broke too');
      },
    });
    const arns = Array.from({ length: 30 }, (_, n) => start(r, `many-${n}`, { n }).executionArn);
    const statuses = await Promise.all(arns.map((a) => r.waitFor(a)));
    expect(statuses).toEqual(statuses.map((_, n) => (n % 3 === 2 ? 'SUCCEEDED' : 'FAILED')));
    const d = r.describeExecution({ executionArn: arns[1]! });
    expect(d['error']).toBe('Error'); // DiagnoseFailure's own error, uncaught
    const listed = r.listExecutions({
      stateMachineArn: r.stateMachineArn,
      statusFilter: 'FAILED',
      maxResults: 100,
    }) as { executions: unknown[] };
    expect(listed.executions).toHaveLength(20);
    expect(r.running).toBe(0);
  });

  it('a task result over 256 KiB fails the execution with States.DataLimitExceeded, past Retry and Catch', async () => {
    let diagnosed = false;
    const r = await make({
      'validate-request': async () => ({ big: 'x'.repeat(300 * 1024) }),
      'diagnose-failure': async () => {
        diagnosed = true;
        return {};
      },
    });
    const { executionArn } = start(r, 'big-1');
    expect(await r.waitFor(executionArn)).toBe('FAILED');
    const d = r.describeExecution({ executionArn });
    expect(d['error']).toBe('States.DataLimitExceeded');
    expect(String(d['cause'])).toMatch(/the result of Validate is \d+ bytes/);
    expect(diagnosed).toBe(false);
  });

  it("serves the Step Functions JSON protocol on its own endpoint (--aws mode's AWS_ENDPOINT_URL_SFN)", async () => {
    const r = await make({ 'validate-request': async (e) => e, 'poll-cluster-stack': pollUntil(1) });
    const endpoint = await startStepFunctionsEndpoint(r.slot, 0);
    const sfn = new SFNClient({
      region: 'us-east-1',
      endpoint: endpoint.url,
      credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
    });
    try {
      const started = await sfn.send(
        new StartExecutionCommand({ stateMachineArn: r.stateMachineArn, name: 'wire-1', input: '{"a":1}' }),
      );
      expect(started.startDate).toBeInstanceOf(Date);
      await r.waitFor(started.executionArn!);
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
      expect(d.status).toBe('SUCCEEDED');
      const h = await sfn.send(
        new GetExecutionHistoryCommand({ executionArn: started.executionArn, reverseOrder: true, maxResults: 1 }),
      );
      expect(h.events?.[0]?.type).toBe('ExecutionSucceeded');
      expect(h.nextToken).toBeTruthy();
      await expect(
        sfn.send(new StartExecutionCommand({ stateMachineArn: r.stateMachineArn, name: 'wire-1', input: '{"a":2}' })),
      ).rejects.toMatchObject({
        name: 'ExecutionAlreadyExists',
        $metadata: { httpStatusCode: 400 },
      });
      await expect(
        sfn.send(new DescribeExecutionCommand({ executionArn: `${started.executionArn}-nope` })),
      ).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
    } finally {
      sfn.destroy();
      await endpoint.stop();
    }
  });

  it('StopExecution aborts a running execution', async () => {
    const r = await make({ 'validate-request': async (e) => e, 'poll-cluster-stack': pollUntil(1000) }, 1);
    const { executionArn } = start(r, 'stop-1');
    await new Promise((res) => setTimeout(res, 100));
    expect(r.describeExecution({ executionArn })['status']).toBe('RUNNING');
    r.stopExecution({ executionArn, error: 'UserStopped', cause: 'test' });
    expect(await r.waitFor(executionArn)).toBe('ABORTED');
    const d = r.describeExecution({ executionArn });
    expect(d['error']).toBe('UserStopped');
    expect(history(r, executionArn).at(-1)!.type).toBe('ExecutionAborted');
  });
});
