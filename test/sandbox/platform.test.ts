import { GetItemCommand, ListTablesCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeSubnetsCommand, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { DescribeClusterVersionsCommand } from '@aws-sdk/client-eks';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTableUntilActive } from '../../local/runner/create-table.js';
import { SERVICE_SECRET_ACCESS_KEY } from '../../local/runner/product-world.js';
import { SandboxAwsError } from '../../local/sandbox/protocol/types.js';
import type { Sandbox } from '../../local/sandbox/server.js';
import { CUSTOMER_SECRET_ACCESS_KEY } from '../../local/sandbox/world/default-world.js';
import { clients, customerCreds, failure, serviceCreds, start } from './helpers.js';

describe('DynamoDB (dynalite behind the sandbox)', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await start();
  });
  afterAll(async () => {
    await sb.stop();
  });

  it('serves tables through the same endpoint, with IAM checked per table', async () => {
    const { ddb } = clients(sb, serviceCreds);
    await createTableUntilActive(ddb, {
      TableName: 'clusters',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    });
    await ddb.send(
      new PutItemCommand({ TableName: 'clusters', Item: { pk: { S: 'c-1' }, status: { S: 'CREATING' } } }),
    );
    const got = await ddb.send(new GetItemCommand({ TableName: 'clusters', Key: { pk: { S: 'c-1' } } }));
    expect(got.Item?.status?.S).toBe('CREATING');
    expect((await ddb.send(new ListTablesCommand({}))).TableNames).toEqual(['clusters']);
    const missing = await failure(ddb.send(new GetItemCommand({ TableName: 'nope', Key: { pk: { S: 'x' } } })));
    expect(missing.name).toBe('ResourceNotFoundException');

    sb.world.user('111111111111', 'eks-provisioner')!.inlinePolicies = {};
    try {
      const denied = await failure(ddb.send(new GetItemCommand({ TableName: 'clusters', Key: { pk: { S: 'c-1' } } })));
      expect(denied.name).toBe('AccessDeniedException');
      expect(denied.message).toContain(
        'dynamodb:GetItem on resource: arn:aws:dynamodb:us-east-1:111111111111:table/clusters',
      );
    } finally {
      sb.world.reset();
    }
  });
});

describe('Step Functions slot', () => {
  it('answers UnknownOperationException without a backend', async () => {
    const sb = await start();
    try {
      const err = await failure(
        clients(sb, serviceCreds).sfn.send(
          new StartExecutionCommand({ stateMachineArn: 'arn:aws:states:us-east-1:111111111111:stateMachine:x' }),
        ),
      );
      expect(err.name).toBe('UnknownOperationException');
    } finally {
      await sb.stop();
    }
  });

  it('accepts a class instance as backend (operations as prototype methods)', async () => {
    class Backend {
      count = 0;
      ListExecutions(input: Record<string, unknown>) {
        this.count += 1;
        return { executions: [], nextToken: undefined, echo: input.stateMachineArn };
      }
    }
    const backend = new Backend();
    const sb = await start({ stepFunctions: backend as never });
    try {
      const { ListExecutionsCommand } = await import('@aws-sdk/client-sfn');
      const out = await clients(sb, serviceCreds).sfn.send(
        new ListExecutionsCommand({ stateMachineArn: 'arn:aws:states:us-east-1:111111111111:stateMachine:sm' }),
      );
      expect(out.executions).toEqual([]);
      expect(backend.count).toBe(1);
    } finally {
      await sb.stop();
    }
  });

  it('passes parsed input to the backend and serialises its output (dates → epoch seconds)', async () => {
    const seen: unknown[] = [];
    const sb = await start({
      stepFunctions: {
        StartExecution: (input) => {
          seen.push(input);
          return {
            executionArn: 'arn:aws:states:us-east-1:111111111111:execution:sm:e1',
            startDate: new Date('2026-01-01T00:00:00Z'),
          };
        },
        DescribeExecution: (input) => {
          if (input.executionArn !== 'arn:aws:states:us-east-1:111111111111:execution:sm:e1') {
            throw new SandboxAwsError(
              'ExecutionDoesNotExist',
              `Execution Does Not Exist: '${String(input.executionArn)}'`,
            );
          }
          return {
            executionArn: input.executionArn,
            stateMachineArn: 'arn:aws:states:us-east-1:111111111111:stateMachine:sm',
            status: 'RUNNING',
            startDate: new Date('2026-01-01T00:00:00Z'),
          };
        },
      },
    });
    try {
      const { sfn } = clients(sb, serviceCreds);
      const out = await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: 'arn:aws:states:us-east-1:111111111111:stateMachine:sm',
          input: '{"a":1}',
          name: 'e1',
        }),
      );
      expect(out.startDate).toEqual(new Date('2026-01-01T00:00:00Z'));
      expect(seen).toEqual([
        { stateMachineArn: 'arn:aws:states:us-east-1:111111111111:stateMachine:sm', input: '{"a":1}', name: 'e1' },
      ]);
      const desc = await sfn.send(new DescribeExecutionCommand({ executionArn: out.executionArn }));
      expect(desc.status).toBe('RUNNING');
      const missing = await failure(
        sfn.send(
          new DescribeExecutionCommand({ executionArn: 'arn:aws:states:us-east-1:111111111111:execution:sm:zz' }),
        ),
      );
      expect(missing.name).toBe('ExecutionDoesNotExist');
      // The customer admin has AdministratorAccess; a caller without states:* is denied before the backend runs.
      const denied = await failure(
        clients(sb, serviceCreds).sfn.send(
          new StartExecutionCommand({ stateMachineArn: 'arn:aws:states:us-east-1:999999999999:stateMachine:other' }),
        ),
      );
      expect(denied.name).toBe('AccessDeniedException');
      expect(seen).toHaveLength(1);
    } finally {
      await sb.stop();
    }
  });
});

describe('faults', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await start();
  });
  afterAll(async () => {
    await sb.stop();
  });
  afterEach(() => sb.faults.set([]));

  it("throttles a chosen operation a bounded number of times, in each protocol's words", async () => {
    sb.faults.set([
      { service: 'ec2', operation: 'DescribeSubnets', throttleRate: 1, times: 2 },
      { service: 'sts', throttleRate: 1, times: 1 },
      { service: 'eks', throttleRate: 1, times: 1 },
    ]);
    const c = clients(sb, customerCreds);
    expect((await failure(c.ec2.send(new DescribeSubnetsCommand({})))).name).toBe('RequestLimitExceeded');
    await c.ec2.send(new DescribeVpcsCommand({}));
    expect((await failure(c.ec2.send(new DescribeSubnetsCommand({})))).name).toBe('RequestLimitExceeded');
    await c.ec2.send(new DescribeSubnetsCommand({}));
    const sts = await failure(c.sts.send(new GetCallerIdentityCommand({})));
    expect(sts.name).toBe('Throttling');
    expect(sts.message).toBe('Rate exceeded');
    expect((await failure(c.eks.send(new DescribeClusterVersionsCommand({})))).name).toBe('ThrottlingException');
  });

  it('injects 5xx errors and latency; the SDK retries transient errors', async () => {
    sb.faults.set([{ service: 'sts', errorRate: 1, times: 1 }]);
    const err = await failure(clients(sb, customerCreds).sts.send(new GetCallerIdentityCommand({})));
    expect(err.name).toBe('InternalFailure');
    expect(err.$metadata?.httpStatusCode).toBe(500);

    sb.faults.set([{ service: 'sts', errorRate: 1, errorStatus: 503, times: 1 }]);
    const { STSClient } = await import('@aws-sdk/client-sts');
    const retrying = new STSClient({
      endpoint: sb.url,
      region: 'us-east-1',
      credentials: customerCreds,
      maxAttempts: 3,
    });
    const ok = await retrying.send(new GetCallerIdentityCommand({}));
    expect(ok.Account).toBe('222222222222');
    expect(ok.$metadata.attempts).toBe(2);

    sb.faults.set([{ service: 'sts', operation: 'GetCallerIdentity', latencyMs: 300 }]);
    const t0 = Date.now();
    await clients(sb, customerCreds).sts.send(new GetCallerIdentityCommand({}));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
  });

  it("the product's clients ride out two throttles of one call (3 attempts), so one busy call does not restart a whole step", async () => {
    const { RoleSession, ec2Client } = await import('../../functions/lib/aws/clients.js');
    const previous = process.env['AWS_ENDPOINT_URL'];
    process.env['AWS_ENDPOINT_URL'] = sb.url;
    try {
      sb.faults.set([{ service: 'ec2', operation: 'DescribeVpcs', throttleRate: 1, times: 2 }]);
      const out = await ec2Client(new RoleSession('us-east-1', customerCreds)).send(new DescribeVpcsCommand({}));
      expect(out.$metadata.attempts).toBe(3);
      sb.faults.set([{ service: 'ec2', operation: 'DescribeVpcs', throttleRate: 1, times: 3 }]);
      const err = await failure(
        ec2Client(new RoleSession('us-east-1', customerCreds)).send(new DescribeVpcsCommand({})),
      );
      expect(err.name).toBe('RequestLimitExceeded');
    } finally {
      if (previous === undefined) delete process.env['AWS_ENDPOINT_URL'];
      else process.env['AWS_ENDPOINT_URL'] = previous;
    }
  });

  it("the pollers' CloudFormation client leaves throttling to the poller (one call per look) but still retries a 5xx", async () => {
    const { RoleSession, cloudFormationClient } = await import('../../functions/lib/aws/clients.js');
    const { DescribeStackEventsCommand } = await import('@aws-sdk/client-cloudformation');
    const previous = process.env['AWS_ENDPOINT_URL'];
    process.env['AWS_ENDPOINT_URL'] = sb.url;
    try {
      const polling = () =>
        cloudFormationClient(new RoleSession('us-east-1', customerCreds), { retryThrottling: false });
      sb.faults.set([{ service: 'cloudformation', operation: 'DescribeStackEvents', throttleRate: 1, times: 1 }]);
      const throttled = await failure(polling().send(new DescribeStackEventsCommand({ StackName: 'none' })));
      expect([throttled.name, (throttled.$metadata as { attempts?: number } | undefined)?.attempts]).toEqual([
        'Throttling',
        1,
      ]);
      sb.faults.set([{ service: 'cloudformation', operation: 'DescribeStackEvents', errorRate: 1, times: 1 }]);
      const retried = await failure(polling().send(new DescribeStackEventsCommand({ StackName: 'none' })));
      // The 5xx was retried; the second attempt reached CloudFormation, which has no such stack.
      expect([retried.name, (retried.$metadata as { attempts?: number } | undefined)?.attempts]).toEqual([
        'ValidationError',
        2,
      ]);
    } finally {
      if (previous === undefined) delete process.env['AWS_ENDPOINT_URL'];
      else process.env['AWS_ENDPOINT_URL'] = previous;
    }
  });

  it('expires session tokens early on demand', async () => {
    const admin = clients(sb, customerCreds);
    await admin.iam.send(
      new CreateRoleCommand({
        RoleName: 'eks-provisioner-early',
        AssumeRolePolicyDocument: JSON.stringify({
          Statement: [{ Effect: 'Allow', Principal: { AWS: '111111111111' }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    const out = await clients(sb, serviceCreds).sts.send(
      new AssumeRoleCommand({
        RoleArn: 'arn:aws:iam::222222222222:role/eks-provisioner-early',
        RoleSessionName: 'early',
      }),
    );
    sb.faults.set([{ expireTokensRate: 1 }]);
    const session = clients(sb, {
      accessKeyId: out.Credentials!.AccessKeyId!,
      secretAccessKey: out.Credentials!.SecretAccessKey!,
      sessionToken: out.Credentials!.SessionToken!,
    });
    expect((await failure(session.sts.send(new GetCallerIdentityCommand({})))).name).toBe('ExpiredToken');
    // Long-term user keys are unaffected.
    await admin.sts.send(new GetCallerIdentityCommand({}));
  });

  it('rejects invalid fault rules with the field named', () => {
    expect(() => sb.faults.set([{ throttleRate: 2 }])).toThrow(/throttleRate/);
  });
});

describe('inspection endpoint', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await start();
  });
  afterAll(async () => {
    await sb.stop();
  });

  it('dumps the world without secrets, resets it, lists calls, sets faults, clock and flags', async () => {
    const admin = clients(sb, customerCreds);
    await admin.iam.send(
      new CreateRoleCommand({
        RoleName: 'temp',
        AssumeRolePolicyDocument: JSON.stringify({
          Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    const dump = await (await fetch(`${sb.url}/_sandbox/world`)).text();
    expect(dump).toContain('"temp"');
    expect(dump).not.toContain(SERVICE_SECRET_ACCESS_KEY);
    expect(dump).not.toContain(CUSTOMER_SECRET_ACCESS_KEY);

    const calls = (await (await fetch(`${sb.url}/_sandbox/calls`)).json()) as {
      calls: { service: string; operation: string; callerArn: string; status: number }[];
    };
    expect(calls.calls).toContainEqual(
      expect.objectContaining({
        service: 'iam',
        operation: 'CreateRole',
        callerArn: 'arn:aws:iam::222222222222:user/admin',
        status: 200,
      }),
    );
    expect(JSON.stringify(calls)).not.toContain('AKIA');

    expect((await fetch(`${sb.url}/_sandbox/reset`, { method: 'POST' })).status).toBe(200);
    expect(sb.world.role('222222222222', 'temp')).toBeUndefined();

    const faults = await fetch(`${sb.url}/_sandbox/faults`, {
      method: 'PUT',
      body: JSON.stringify({ faults: [{ service: 'ec2', throttleRate: 1, times: 1 }] }),
    });
    expect(faults.status).toBe(200);
    expect((await failure(admin.ec2.send(new DescribeVpcsCommand({})))).name).toBe('RequestLimitExceeded');
    const badFaults = await fetch(`${sb.url}/_sandbox/faults`, { method: 'PUT', body: JSON.stringify([{ bogus: 1 }]) });
    expect(badFaults.status).toBe(400);

    const before = sb.world.now();
    await fetch(`${sb.url}/_sandbox/clock`, { method: 'POST', body: JSON.stringify({ advanceMs: 3_600_000 }) });
    expect(sb.world.now() - before).toBeGreaterThanOrEqual(3_600_000);

    const flags = (await (
      await fetch(`${sb.url}/_sandbox/flags`, { method: 'PATCH', body: JSON.stringify({ nodesFailToJoin: true }) })
    ).json()) as { flags: { nodesFailToJoin: boolean } };
    expect(flags.flags.nodesFailToJoin).toBe(true);
    expect(sb.world.data.flags.nodesFailToJoin).toBe(true);

    const unknown = await fetch(`${sb.url}/_sandbox/nope`);
    expect(unknown.status).toBe(404);
  });

  it('answers requests without credentials as AWS does', async () => {
    const res = await fetch(`${sb.url}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-amz-target': 'AWSEvents.PutEvents' },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
  });
});
