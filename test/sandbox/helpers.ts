/** Shared set-up for sandbox tests: a sandbox on a random loopback port and SDK v3 clients pointed at it. */
import { CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { SFNClient } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { afterAll, beforeAll } from 'vitest';
import { productWorld, SERVICE_ACCESS_KEY_ID, SERVICE_SECRET_ACCESS_KEY } from '../../local/runner/product-world.js';
import { type Sandbox, type SandboxOptions, startSandbox } from '../../local/sandbox/server.js';
import { CUSTOMER_ACCESS_KEY_ID, CUSTOMER_SECRET_ACCESS_KEY } from '../../local/sandbox/world/default-world.js';

export const serviceCreds: AwsCredentialIdentity = {
  accessKeyId: SERVICE_ACCESS_KEY_ID,
  secretAccessKey: SERVICE_SECRET_ACCESS_KEY,
};
export const customerCreds: AwsCredentialIdentity = {
  accessKeyId: CUSTOMER_ACCESS_KEY_ID,
  secretAccessKey: CUSTOMER_SECRET_ACCESS_KEY,
};

export function clients(sb: Sandbox, credentials: AwsCredentialIdentity, region = 'us-east-1') {
  const cfg = { endpoint: sb.url, region, credentials, maxAttempts: 1 };
  return {
    sts: new STSClient(cfg),
    iam: new IAMClient(cfg),
    ec2: new EC2Client(cfg),
    eks: new EKSClient(cfg),
    events: new EventBridgeClient(cfg),
    cfn: new CloudFormationClient(cfg),
    ddb: new DynamoDBClient(cfg),
    sfn: new SFNClient(cfg),
  };
}

/** A sandbox on a random port, seeded with the product's world (the sandbox's default plus the service user). */
export async function start(options: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox({ port: 0, log: () => undefined, world: productWorld(), ...options });
}

export type SandboxClients = ReturnType<typeof clients>;

/**
 * One sandbox for a test file: started before its tests (then `ready` gets it with the customer's
 * clients), stopped after them.
 */
export function sandboxForFile(options: SandboxOptions, ready: (sb: Sandbox, c: SandboxClients) => void): void {
  let sb: Sandbox | undefined;
  beforeAll(async () => {
    sb = await start(options);
    ready(sb, clients(sb, customerCreds));
  });
  afterAll(async () => {
    await sb?.stop();
  });
}

/** Await a rejected SDK call and return the error (fails the test when the call succeeds). */
export type AwsFailure = Error & { name: string; $metadata?: { httpStatusCode?: number }; [k: string]: unknown };

export async function failure(p: Promise<unknown>): Promise<AwsFailure> {
  try {
    await p;
  } catch (e) {
    return e as AwsFailure;
  }
  throw new Error('expected the call to fail, it succeeded');
}

/** Polls DescribeStacks until the stack leaves its *_IN_PROGRESS status; throws naming the status at the deadline. */
export async function waitForStack(cfn: CloudFormationClient, name: string, timeoutMs = 15_000): Promise<Stack> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const s = (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks![0]!;
    if (!s.StackStatus!.endsWith('_IN_PROGRESS')) return s;
    if (Date.now() > until) throw new Error(`stack ${name} still ${s.StackStatus}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
