/**
 * An independent check of the sandbox's request validation: the same invalid requests sent to moto
 * (`moto_server`, an independent AWS emulator, on a random loopback port) and to the sandbox must be refused
 * with the same error code, at the same member, for the same constraint. Skips with a message when moto is
 * not installed.
 *
 * moto validates only some constraints (it accepts, e.g., a 300-character CloudFormation stack tag); the
 * cases here are ones it does check. Known wording differences, normalised below: moto writes
 * `tags.X.member.value` where AWS and the sandbox give the 1-based index, and sometimes ends with a period.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateStateMachineCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../local/sandbox/server.js';
import { requireTool } from '../support/tools.js';
import { clients, customerCreds, failure, serviceCreds, start } from './helpers.js';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

const moto = requireTool('moto', 'the moto comparison (test/sandbox/moto-compare)')?.command;
let proc: ChildProcess | undefined;
let motoUrl = '';
let sb: Sandbox;

beforeAll(async () => {
  if (!moto) return;
  const port = await freePort();
  motoUrl = `http://127.0.0.1:${port}`;
  proc = spawn(moto[0]!, [...moto.slice(1), '-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const until = Date.now() + 30_000;
  for (;;) {
    try {
      await fetch(`${motoUrl}/moto-api/`);
      break;
    } catch {
      if (Date.now() > until) throw new Error('moto_server did not start within 30 s');
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  sb = await start({
    stepFunctions: {
      StartExecution: () => ({
        executionArn: 'arn:aws:states:us-east-1:111111111111:execution:sm:x',
        startDate: new Date(),
      }),
    },
  });
}, 60_000);

afterAll(async () => {
  if (proc && proc.exitCode === null) {
    const exited = new Promise((r) => proc!.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
  }
  await sb?.stop();
});

const motoCfg = () => ({
  endpoint: motoUrl,
  region: 'us-east-1',
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  maxAttempts: 1,
});

/** `{ code, path, constraint }` of a validation error, wording differences removed. */
function parts(err: Error & { name: string }) {
  const m = /at '([^']+)' failed to satisfy constraint: (.*?)\.?$/.exec(err.message.trim());
  return { code: err.name, path: m?.[1]?.replace(/\.\d+\./g, '.X.'), constraint: m?.[2] };
}

const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

describe.skipIf(!moto)('validation answers agree with moto', () => {
  it('IAM CreateRole with a 300-character tag value', async () => {
    const req = {
      RoleName: 'compare',
      AssumeRolePolicyDocument: TRUST,
      Tags: [{ Key: 'tenant', Value: 'v'.repeat(300) }],
    };
    const fromMoto = parts(await failure(new IAMClient(motoCfg()).send(new CreateRoleCommand(req))));
    const fromSandbox = parts(await failure(clients(sb, customerCreds).iam.send(new CreateRoleCommand(req))));
    expect(fromMoto).toEqual({
      code: 'ValidationError',
      path: 'tags.X.member.value',
      constraint: 'Member must have length less than or equal to 256',
    });
    expect(fromSandbox).toEqual(fromMoto);
  });

  it('EventBridge PutEvents with 11 entries', async () => {
    const req = { Entries: Array.from({ length: 11 }, () => ({ Source: 'compare', DetailType: 'd', Detail: '{}' })) };
    const fromMoto = parts(await failure(new EventBridgeClient(motoCfg()).send(new PutEventsCommand(req))));
    const fromSandbox = parts(await failure(clients(sb, customerCreds).events.send(new PutEventsCommand(req))));
    expect(fromMoto).toEqual({
      code: 'ValidationException',
      path: 'entries',
      constraint: 'Member must have length less than or equal to 10',
    });
    expect(fromSandbox).toEqual(fromMoto);
  });

  it('Step Functions StartExecution with an 81-character name', async () => {
    const motoSfn = new SFNClient(motoCfg());
    const { stateMachineArn } = await motoSfn.send(
      new CreateStateMachineCommand({
        name: 'compare',
        definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }),
        roleArn: 'arn:aws:iam::123456789012:role/sfn',
      }),
    );
    const name = 'n'.repeat(81);
    const motoErr = await failure(motoSfn.send(new StartExecutionCommand({ stateMachineArn, name })));
    const sandboxErr = await failure(
      clients(sb, serviceCreds).sfn.send(
        new StartExecutionCommand({ stateMachineArn: 'arn:aws:states:us-east-1:111111111111:stateMachine:sm', name }),
      ),
    );
    expect(parts(motoErr)).toEqual({
      code: 'ValidationException',
      path: 'name',
      constraint: 'Member must have length less than or equal to 80',
    });
    expect(parts(sandboxErr)).toEqual(parts(motoErr));
    // Here the whole message agrees too.
    expect(sandboxErr.message).toBe(motoErr.message);
  });
});
