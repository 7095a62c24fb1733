/**
 * Every request is checked against the service model's constraints and refused the way that service
 * refuses it — one test per wire protocol (Query, EC2, REST-JSON, JSON 1.0/1.1) over the real SDK clients,
 * plus the walker itself on the shapes that have their own wording (lists of scalars, maps).
 */
import { CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { ListClustersCommand } from '@aws-sdk/client-eks';
import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadModel } from '../../local/sandbox/protocol/model.js';
import { validateRequest, validationMessage } from '../../local/sandbox/protocol/validate.js';
import type { Sandbox } from '../../local/sandbox/server.js';
import { clients, customerCreds, failure, serviceCreds, start } from './helpers.js';

const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const TEMPLATE = JSON.stringify({
  Resources: { R: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: JSON.parse(TRUST) } } },
});

let sb: Sandbox;
let started = 0;
beforeAll(async () => {
  sb = await start({
    // A Step Functions backend that counts calls: a refused request must never reach it.
    stepFunctions: {
      StartExecution: () => {
        started += 1;
        return { executionArn: 'arn:aws:states:us-east-1:111111111111:execution:sm:x', startDate: new Date() };
      },
    },
  });
});
afterAll(async () => {
  await sb.stop();
});
beforeEach(() => {
  sb.world.reset();
  started = 0;
});

describe('Query protocol (IAM, STS, CloudFormation): ValidationError with AWS wording', () => {
  it('IAM CreateRole: a 300-character tag value is refused at tags.1.member.value, and no role is created', async () => {
    const c = clients(sb, customerCreds);
    const long = 't'.repeat(300);
    const err = await failure(
      c.iam.send(
        new CreateRoleCommand({
          RoleName: 'tagged',
          AssumeRolePolicyDocument: TRUST,
          Tags: [{ Key: 'tenant', Value: long }],
        }),
      ),
    );
    expect(err.name).toBe('ValidationError');
    expect(err.$metadata?.httpStatusCode).toBe(400);
    expect(err.message).toBe(
      `1 validation error detected: Value '${long}' at 'tags.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 256`,
    );
    expect(sb.world.data.roles.some((r) => r.name === 'tagged')).toBe(false);
  });

  it('IAM CreateRole: several violations are listed together, in model order', async () => {
    const c = clients(sb, customerCreds);
    const name = `${'n'.repeat(64)}!`;
    const err = await failure(
      c.iam.send(
        new CreateRoleCommand({
          RoleName: name,
          AssumeRolePolicyDocument: TRUST,
          Tags: [{ Key: 'a', Value: 'bad<value>' }],
        }),
      ),
    );
    expect(err.name).toBe('ValidationError');
    expect(err.message).toBe(
      `3 validation errors detected: Value '${name}' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64; ` +
        `Value '${name}' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+; ` +
        `Value 'bad<value>' at 'tags.1.member.value' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*`,
    );
  });

  it('STS AssumeRole: a 65-character session name is refused before any permission check', async () => {
    const c = clients(sb, serviceCreds);
    const session = 's'.repeat(65);
    const err = await failure(
      c.sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::222222222222:role/none', RoleSessionName: session })),
    );
    expect(err.name).toBe('ValidationError');
    expect(err.message).toBe(
      `1 validation error detected: Value '${session}' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64`,
    );
  });

  it('CloudFormation CreateStack: a tag value over 256 characters and a ClientRequestToken outside the pattern', async () => {
    const c = clients(sb, customerCreds);
    const long = 'v'.repeat(311);
    const err = await failure(
      c.cfn.send(
        new CreateStackCommand({
          StackName: 'validated',
          TemplateBody: TEMPLATE,
          Capabilities: ['CAPABILITY_IAM'],
          ClientRequestToken: 'token_with_underscore',
          Tags: [
            { Key: 'ok', Value: 'fine' },
            { Key: 'tenant', Value: long },
          ],
        }),
      ),
    );
    expect(err.name).toBe('ValidationError');
    expect(err.message).toBe(
      `2 validation errors detected: Value '${long}' at 'tags.2.member.value' failed to satisfy constraint: Member must have length less than or equal to 256; ` +
        `Value 'token_with_underscore' at 'clientRequestToken' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9][-a-zA-Z0-9]*`,
    );
    const stacks = (sb.world.data.services as { cloudformation?: { stacks?: unknown[] } }).cloudformation?.stacks ?? [];
    expect(stacks).toHaveLength(0);
  });

  it('CloudFormation stack tag values must not be empty (Tag.Value has min length 1)', async () => {
    const c = clients(sb, customerCreds);
    const err = await failure(
      c.cfn.send(
        new CreateStackCommand({
          StackName: 'empty-tag',
          TemplateBody: TEMPLATE,
          Capabilities: ['CAPABILITY_IAM'],
          Tags: [{ Key: 'k', Value: '' }],
        }),
      ),
    );
    expect(err.name).toBe('ValidationError');
    expect(err.message).toBe(
      "1 validation error detected: Value '' at 'tags.1.member.value' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });
});

describe("EC2 protocol: EC2's own error codes", () => {
  it("DescribeVpcs MaxResults below the minimum is InvalidParameterValue with EC2's wording", async () => {
    const c = clients(sb, customerCreds);
    const err = await failure(c.ec2.send(new DescribeVpcsCommand({ MaxResults: 1 })));
    expect(err.name).toBe('InvalidParameterValue');
    expect(err.message).toBe('Value ( 1 ) for parameter maxResults is invalid. Expecting a value greater than 5.');
    // Within range it answers.
    expect((await c.ec2.send(new DescribeVpcsCommand({ MaxResults: 5 }))).Vpcs).toBeDefined();
  });
});

describe('REST-JSON (EKS): InvalidParameterException', () => {
  it('ListClusters maxResults 0 is refused', async () => {
    const c = clients(sb, customerCreds);
    const err = await failure(c.eks.send(new ListClustersCommand({ maxResults: 0 })));
    expect(err.name).toBe('InvalidParameterException');
    expect(err.$metadata?.httpStatusCode).toBe(400);
    expect(err.message).toBe(
      "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    expect((await c.eks.send(new ListClustersCommand({ maxResults: 100 }))).clusters).toBeDefined();
  });
});

describe('JSON 1.0/1.1 (EventBridge, Step Functions): ValidationException', () => {
  it('EventBridge PutEvents with 11 entries and a missing Entries member', async () => {
    const c = clients(sb, customerCreds);
    const entry: PutEventsRequestEntry = { Source: 's', DetailType: 'd', Detail: '{}' };
    const err = await failure(
      c.events.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry) })),
    );
    expect(err.name).toBe('ValidationException');
    expect(err.message).toMatch(
      /^1 validation error detected: Value '\[.*\]' at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10$/,
    );
    const missing = await failure(c.events.send(new PutEventsCommand({} as never)));
    expect(missing.name).toBe('ValidationException');
    expect(missing.message).toBe(
      "1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null",
    );
  });

  it('Step Functions StartExecution: an 81-character name never reaches the backend', async () => {
    const c = clients(sb, serviceCreds);
    const name = 'x'.repeat(81);
    const err = await failure(
      c.sfn.send(
        new StartExecutionCommand({ stateMachineArn: 'arn:aws:states:us-east-1:111111111111:stateMachine:sm', name }),
      ),
    );
    expect(err.name).toBe('ValidationException');
    expect(err.message).toBe(
      `1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: Member must have length less than or equal to 80`,
    );
    expect(started).toBe(0);
    await c.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: 'arn:aws:states:us-east-1:111111111111:stateMachine:sm',
        name: 'x'.repeat(80),
      }),
    );
    expect(started).toBe(1);
  });

  it('Step Functions StartExecution: input over 256 KiB is refused (the payload quota)', async () => {
    const c = clients(sb, serviceCreds);
    const input = JSON.stringify({ pad: 'p'.repeat(262_144) });
    const err = await failure(
      c.sfn.send(
        new StartExecutionCommand({ stateMachineArn: 'arn:aws:states:us-east-1:111111111111:stateMachine:sm', input }),
      ),
    );
    expect(err.name).toBe('ValidationException');
    // Execution input is a sensitive member: its value is not echoed back.
    expect(err.message).toBe(
      "1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have length less than or equal to 262144",
    );
  });
});

describe('the walker', () => {
  it('reports a map whose values fail once, at the map, with every constraint of the value shape', () => {
    const v = validateRequest(loadModel('eks'), 'ListClusters', { maxResults: 101, include: ['all'] });
    expect(validationMessage(v)).toBe(
      "1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100",
    );
    const events = validateRequest(loadModel('events'), 'CreateEventBus', {
      Name: 'bus',
      Tags: [{ Key: '', Value: 'v' }],
    });
    expect(validationMessage(events)).toBe(
      "1 validation error detected: Value '' at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  it('reports a list of scalars once, at the list, listing the item constraints', () => {
    const v = validateRequest(loadModel('iam'), 'UntagRole', { RoleName: 'r', TagKeys: ['ok', 'k'.repeat(129)] });
    expect(validationMessage(v)).toBe(
      `1 validation error detected: Value '[ok, ${'k'.repeat(129)}]' at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: ` +
        '[Member must have length less than or equal to 128, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+]',
    );
  });

  it('finds nothing wrong with a valid request, and nothing for an operation outside the model', () => {
    expect(
      validateRequest(loadModel('iam'), 'CreateRole', {
        RoleName: 'eks-provisioner-provision',
        AssumeRolePolicyDocument: TRUST,
        Path: '/eks-provisioner/',
      }),
    ).toEqual([]);
    expect(validateRequest(loadModel('iam'), 'NoSuchOperation', {})).toEqual([]);
  });
});
