/**
 * A Task's TimeoutSeconds must leave the function time to end on its own: equal timeouts let a slow
 * invocation surface as States.Timeout instead of the function's own error. Each Lambda Task keeps a
 * margin over its function's timeout (infra/functions.ts), and every Lambda step — all idempotent:
 * reads, conditional record writes, CreateStack with a ClientRequestToken — retries a timeout.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../infra/functions.js';

/** Seconds between the function's own timeout and the Task's: invoke overhead plus a cold start. */
const MARGIN_SECONDS = 30;

type Asl = {
  States: Record<
    string,
    { Type: string; Resource?: string; TimeoutSeconds?: number; Retry?: Array<{ ErrorEquals: string[] }> }
  >;
};
const DIR = new URL('../../statemachine/', import.meta.url);
/** Every state machine definition, present and future: a new machine gets the same rule without a test edit. */
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.asl.json'))
  .sort();
const lambdaTasks = files.flatMap((file) => {
  const asl = JSON.parse(readFileSync(new URL(file, DIR), 'utf8')) as Asl;
  return Object.entries(asl.States)
    .filter(([, s]) => s.Type === 'Task' && /^\$\{\w+FunctionArn\}$/.test(s.Resource ?? ''))
    .map(([name, s]) => {
      const id = /^\$\{(\w+)FunctionArn\}$/.exec(s.Resource!)![1]!;
      return { name: `${file.replace('.asl.json', '')}/${name}`, state: s, spec: FUNCTIONS.find((f) => f.id === id) };
    });
});

describe('Lambda Task timeouts', () => {
  it('reads every ASL file and covers every Lambda Task of both machines', () => {
    expect(files).toEqual(expect.arrayContaining(['delete-cluster.asl.json', 'provision-cluster.asl.json']));
    const names = lambdaTasks.map((t) => t.name);
    expect(names).toEqual(
      expect.arrayContaining([
        ...[
          'AssumeProvisionRole',
          'ConfigureCluster',
          'CreateClusterStack',
          'DescribeVpcResources',
          'DiagnoseFailure',
          'FinalizeCluster',
          'PollClusterStack',
          'ValidateRequest',
        ].map((n) => `provision-cluster/${n}`),
        ...[
          'AssumeProvisionRole',
          'DeleteClusterStack',
          'PollStackDeletion',
          'CompleteDeletion',
          'DiagnoseDeletionFailure',
        ].map((n) => `delete-cluster/${n}`),
      ]),
    );
  });
  it.each(lambdaTasks.map((t) => [t.name, t] as const))(
    '%s: TimeoutSeconds ≥ its function timeout + the margin',
    (_name, t) => {
      expect(t.spec, 'a function in infra/functions.ts').toBeDefined();
      expect(t.state.TimeoutSeconds, 'an explicit TimeoutSeconds').toBeTypeOf('number');
      expect(t.state.TimeoutSeconds!).toBeGreaterThanOrEqual(t.spec!.timeoutSeconds + MARGIN_SECONDS);
    },
  );

  it.each(lambdaTasks.map((t) => [t.name, t] as const))(
    '%s: retries States.Timeout and the function timing out (Sandbox.Timedout)',
    (_name, t) => {
      const retried = (t.state.Retry ?? []).flatMap((r) => r.ErrorEquals);
      expect(retried).toContain('States.Timeout');
      expect(retried).toContain('Sandbox.Timedout');
    },
  );
});
