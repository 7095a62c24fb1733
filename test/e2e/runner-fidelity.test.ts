/**
 * Where the local runner must fail as Step Functions fails: the definition's TimeoutSeconds, the
 * 25,000-event history quota, a Choice on a path that does not exist (States.Runtime, no Catch),
 * StopExecution — each ends the execution without its Catch and emits the "Execution Status
 * Change" event a rule can act on. Also: events:putEvents adds the execution and state machine ARNs.
 */
import { readFileSync } from 'node:fs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ExecutionStatusChangeEvent } from '../../functions/lib/execution-status/event.js';
import { executionTimeoutSeconds } from '../../functions/lib/polling/budget.js';
import { FUNCTIONS as FUNCTION_SPECS } from '../../infra/functions.js';
import { type AslDefinition, loadDefinition, substitute, substitutions } from '../../local/runner/definition.js';
import { callPutEvents, makeIntegrationClients } from '../../local/runner/integrations.js';
import {
  functionTimeoutSeconds,
  type HandlerResolver,
  invokeInProcess,
  type LambdaHandler,
} from '../../local/runner/lambda.js';
import { type RunnerOptions, StepFunctionsRunner } from '../../local/runner/runner.js';

const place = { region: 'us-east-1', accountId: '111111111111', tableName: 't', eventBusName: 'b' };
const mini = (): AslDefinition =>
  JSON.parse(
    substitute(
      readFileSync(new URL('./fixtures/mini-machine.asl.json', import.meta.url), 'utf8'),
      substitutions(place),
    ),
  ) as AslDefinition;

let runner: StepFunctionsRunner | undefined;
afterEach(async () => {
  await runner?.close();
  runner = undefined;
});

async function make(
  handlers: Partial<Record<string, LambdaHandler>>,
  o: Partial<RunnerOptions> & { definition: AslDefinition },
) {
  const resolveHandler: HandlerResolver = async (folder) => {
    const h = handlers[folder];
    if (!h) throw new Error(`no stand-in for ${folder}`);
    return h;
  };
  const changes: ExecutionStatusChangeEvent[] = [];
  runner = await StepFunctionsRunner.create({
    ...place,
    timeScale: 60,
    resolveHandler,
    log: () => undefined,
    onStatusChange: (e) => changes.push(e),
    ...o,
  });
  return { r: runner, changes };
}

const neverDone: LambdaHandler = async () => ({ outcome: 'IN_PROGRESS', nextWaitSeconds: 30, polls: 1 });
const start = (r: StepFunctionsRunner, name: string) =>
  r.startExecution({ stateMachineArn: r.stateMachineArn, name, input: '{}' });
type Ev = { type: string; [k: string]: unknown };
const history = (r: StepFunctionsRunner, executionArn: string) => {
  const out: Ev[] = [];
  let nextToken: string | undefined;
  do {
    const page = r.getExecutionHistory({ executionArn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) }) as {
      events: Ev[];
      nextToken?: string;
    };
    out.push(...page.events);
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
};

describe('the definition as deployed', () => {
  it('carries the execution TimeoutSeconds the CDK stack deploys', async () => {
    expect((await loadDefinition(place, undefined, 7200))['TimeoutSeconds']).toBe(executionTimeoutSeconds(7200));
    expect((await loadDefinition(place))['TimeoutSeconds']).toBe(executionTimeoutSeconds(3600));
  });
});

describe('ends without Catch', () => {
  it("TimeoutSeconds (on the sandbox's clock): TIMED_OUT, no Catch, a TIMED_OUT status change", async () => {
    let diagnosed = false;
    const { r, changes } = await make(
      {
        'validate-request': async (e) => e,
        'poll-cluster-stack': neverDone,
        'diagnose-failure': async () => {
          diagnosed = true;
          return {};
        },
      },
      { definition: { ...mini(), TimeoutSeconds: 60 } },
    );
    const t0 = Date.now();
    const { executionArn } = start(r, 'timeout-1');
    expect(await r.waitFor(executionArn)).toBe('TIMED_OUT');
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(950); // 60 s at ×60
    expect(took).toBeLessThan(5000);
    const d = r.describeExecution({ executionArn });
    expect(d['error']).toBe('States.Timeout');
    expect(history(r, executionArn).at(-1)!.type).toBe('ExecutionTimedOut');
    expect(diagnosed).toBe(false);
    expect(changes.map((c) => c.detail.status)).toEqual(['RUNNING', 'TIMED_OUT']);
    const ended = changes[1]!;
    expect(ended).toMatchObject({
      source: 'aws.states',
      'detail-type': 'Step Functions Execution Status Change',
      account: place.accountId,
      region: place.region,
      resources: [executionArn],
    });
    expect(ended.detail).toMatchObject({
      executionArn,
      stateMachineArn: r.stateMachineArn,
      name: 'timeout-1',
      status: 'TIMED_OUT',
      input: '{}',
      error: 'States.Timeout',
    });
    expect(ended.detail.stopDate).toBeGreaterThanOrEqual(ended.detail.startDate);
  });

  it('time inside Tasks counts once, not scaled: slow handlers on a busy machine do not time a run out early', async () => {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    // 1.2 s of handler time at ×60: 72 s if it were scaled like a Wait, over the 60 s limit; it is 1.2 s.
    const slow = await make(
      {
        'validate-request': async (e) => {
          await sleep(600);
          return e;
        },
        'poll-cluster-stack': async () => {
          await sleep(600);
          return { outcome: 'DONE', nextWaitSeconds: 0, polls: 1 };
        },
        'diagnose-failure': async () => ({}),
      },
      { definition: { ...mini(), TimeoutSeconds: 60 } },
    );
    const ok = start(slow.r, 'slow-handlers');
    expect(await slow.r.waitFor(ok.executionArn)).toBe('SUCCEEDED');
    await runner!.close();
    // Waits still count at the scaled rate: 0.3 s polls + 30 s waits reach 60 s after the second wait.
    const waits = await make(
      {
        'validate-request': async (e) => e,
        'poll-cluster-stack': async () => {
          await sleep(300);
          return { outcome: 'IN_PROGRESS', nextWaitSeconds: 30, polls: 1 };
        },
        'diagnose-failure': async () => ({}),
      },
      { definition: { ...mini(), TimeoutSeconds: 60 } },
    );
    const t0 = Date.now();
    const loop = start(waits.r, 'slow-polls');
    expect(await waits.r.waitFor(loop.executionArn)).toBe('TIMED_OUT');
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(1500); // 2 × (300 ms + 500 ms), where scaling all of it gave ~1 s
    expect(took).toBeLessThan(4000);
  });

  it('the history quota: FAILED with States.Runtime at exactly the quota, past every Catch', async () => {
    let diagnosed = false;
    const { r, changes } = await make(
      {
        'validate-request': async (e) => e,
        'poll-cluster-stack': async () => ({ outcome: 'IN_PROGRESS', nextWaitSeconds: 0, polls: 1 }),
        'diagnose-failure': async () => {
          diagnosed = true;
          return {};
        },
      },
      { definition: mini(), historyEventQuota: 300 },
    );
    const { executionArn } = start(r, 'quota-1');
    expect(await r.waitFor(executionArn)).toBe('FAILED');
    const events = history(r, executionArn);
    expect(events).toHaveLength(300);
    expect(events.at(-1)).toMatchObject({
      type: 'ExecutionFailed',
      executionFailedEventDetails: { error: 'States.Runtime' },
    });
    expect(String((events.at(-1)!['executionFailedEventDetails'] as { cause: string }).cause)).toMatch(
      /maximum number of events in its history \(300\)/,
    );
    expect(diagnosed).toBe(false);
    expect(changes.at(-1)!.detail).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
  });

  it('the default quota is 25,000 events', async () => {
    const { r } = await make({}, { definition: mini() });
    expect(r.historyEventQuota).toBe(25_000);
  });

  it('a Choice on a path that does not exist: States.Runtime, the execution fails (a Choice has no Catch)', async () => {
    const definition: AslDefinition = {
      StartAt: 'Check',
      States: {
        Check: {
          Type: 'Choice',
          Choices: [
            {
              And: [
                { Variable: '$.tenantId', IsString: true },
                { Variable: '$.executionArn', IsString: true },
              ],
              Next: 'Yes',
            },
          ],
          Default: 'No',
        },
        Yes: { Type: 'Succeed' },
        No: { Type: 'Fail', Error: 'NO' },
      },
    };
    const { r, changes } = await make({}, { definition });
    const { executionArn } = r.startExecution({
      stateMachineArn: r.stateMachineArn,
      name: 'runtime-1',
      input: '{"tenantId":"t"}',
    });
    expect(await r.waitFor(executionArn)).toBe('FAILED');
    const d = r.describeExecution({ executionArn });
    expect(d['error']).toBe('States.Runtime');
    expect(String(d['cause'])).toMatch(/\$\.executionArn/);
    expect(changes.at(-1)!.detail.status).toBe('FAILED');
  });

  it('StopExecution: ABORTED with the given error and cause in the status change', async () => {
    const { r, changes } = await make(
      { 'validate-request': async (e) => e, 'poll-cluster-stack': neverDone },
      { definition: mini() },
    );
    const { executionArn } = start(r, 'stop-2');
    await new Promise((res) => setTimeout(res, 50));
    r.stopExecution({ executionArn, error: 'Operator', cause: 'stopped by hand' });
    expect(await r.waitFor(executionArn)).toBe('ABORTED');
    expect(changes.map((c) => c.detail.status)).toEqual(['RUNNING', 'ABORTED']);
    expect(changes[1]!.detail).toMatchObject({ error: 'Operator', cause: 'stopped by hand' });
  });
});

describe('events:putEvents', () => {
  it("appends the execution and state machine ARNs to each entry's Resources, as Step Functions does", async () => {
    const eb = mockClient(EventBridgeClient);
    try {
      eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }, { EventId: '2' }] });
      const clients = makeIntegrationClients('us-east-1');
      const caller = {
        executionArn: 'arn:aws:states:us-east-1:111111111111:execution:m:e',
        stateMachineArn: 'arn:aws:states:us-east-1:111111111111:stateMachine:m',
      };
      await callPutEvents(
        clients,
        {
          Entries: [
            { Source: 's', DetailType: 'd', Detail: { a: 1 } },
            { Source: 's', DetailType: 'd', Detail: {}, Resources: ['arn:x'] },
          ],
        },
        caller,
      );
      const sent = eb.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries!;
      expect(sent[0]!.Resources).toEqual([caller.executionArn, caller.stateMachineArn]);
      expect(sent[1]!.Resources).toEqual(['arn:x', caller.executionArn, caller.stateMachineArn]);
      expect(sent[0]!.Detail).toBe('{"a":1}');
    } finally {
      eb.restore();
    }
  });
});

describe('Lambda function timeouts', () => {
  it("a handler running past its function's timeout (infra/functions.ts) fails with Sandbox.Timedout, as Lambda does", async () => {
    expect(functionTimeoutSeconds('describe-vpc-resources')).toBe(
      FUNCTION_SPECS.find((f) => f.name === 'describe-vpc-resources')!.timeoutSeconds,
    );
    vi.useFakeTimers();
    try {
      const never: LambdaHandler = () => new Promise(() => undefined);
      const call = invokeInProcess(
        never,
        'validate-request',
        'arn:aws:lambda:us-east-1:111111111111:function:eks-provisioner-validate-request',
        {},
      );
      const settled = call.then(
        () => 'resolved',
        (e: Error) => e,
      );
      await vi.advanceTimersByTimeAsync(functionTimeoutSeconds('validate-request') * 1000 + 10);
      const err = (await settled) as Error;
      expect(err.name).toBe('Sandbox.Timedout');
      expect(JSON.parse(err.message).errorMessage).toMatch(/Task timed out after 30\.00 seconds/);
    } finally {
      vi.useRealTimers();
    }
  });
});
