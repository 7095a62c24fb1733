/**
 * Real AWS error bodies, deserialised by the real SDK clients from a loopback server: the
 * classifier must read what the SDK actually produces (and fixtures.ts must look the same).
 */

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyAwsError } from '../../../functions/lib/aws/aws-error.js';
import { diagnoseAwsError } from '../../../functions/lib/diagnosis/from-aws-error.js';
import { FIXTURES } from './fixtures.js';

let reply = { status: 400, type: 'text/xml', headers: {} as Record<string, string>, body: '' };
let server: Server;
let endpoint = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(reply.status, { 'content-type': reply.type, ...reply.headers });
      res.end(reply.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const cfg = () => ({
  endpoint,
  region: 'us-east-1',
  maxAttempts: 1,
  credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
});
const queryError = (ns: string, code: string, message: string) =>
  `<ErrorResponse xmlns="${ns}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>4d1f8c3e-0000-4000-8000-000000000000</RequestId></ErrorResponse>`;
const ec2Error = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>b1e2c3d4-0000-4000-8000-000000000000</RequestID></Response>`;

async function thrown(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to fail');
}

describe('errors as the SDK deserialises them', () => {
  it('IAM NoSuchEntity (modeled as NoSuchEntityException) → not-found, INVALID_ROLE_ARN', async () => {
    reply = {
      status: 404,
      type: 'text/xml',
      headers: {},
      body: queryError(
        'https://iam.amazonaws.com/doc/2010-05-08/',
        'NoSuchEntity',
        'The role with name eks-cluster-role cannot be found.',
      ),
    };
    const err = await thrown(new IAMClient(cfg()).send(new GetRoleCommand({ RoleName: 'eks-cluster-role' })));
    expect(classifyAwsError(err)).toMatchObject({ kind: 'not-found', code: 'NoSuchEntity', httpStatus: 404 });
    expect(diagnoseAwsError(err, { service: 'iam', operation: 'GetRole' })).toMatchObject({ code: 'INVALID_ROLE_ARN' });
  });

  it('EC2 InvalidVpcID.NotFound → VPC_NOT_FOUND, same shape as the fixture', async () => {
    reply = {
      status: 400,
      type: 'text/xml',
      headers: {},
      body: ec2Error('InvalidVpcID.NotFound', "The vpc ID 'vpc-0a1b2c3d4e5f60009' does not exist"),
    };
    const err = (await thrown(
      new EC2Client(cfg()).send(new DescribeVpcsCommand({ VpcIds: ['vpc-0a1b2c3d4e5f60009'] })),
    )) as Record<string, unknown>;
    const fixture = FIXTURES.vpcNotFound() as unknown as Record<string, unknown>;
    for (const k of ['name', 'Code', 'message', '$fault']) expect(fixture[k], k).toEqual(err[k]);
    expect(diagnoseAwsError(err)).toMatchObject({
      code: 'VPC_NOT_FOUND',
      evidence: { vpcId: 'vpc-0a1b2c3d4e5f60009' },
    });
  });

  it('EC2 RequestLimitExceeded → AwsThrottled', async () => {
    reply = {
      status: 503,
      type: 'text/xml',
      headers: {},
      body: ec2Error('RequestLimitExceeded', 'Request limit exceeded.'),
    };
    const err = await thrown(new EC2Client(cfg()).send(new DescribeVpcsCommand({})));
    expect((diagnoseAwsError(err) as Error).name).toBe('AwsThrottled');
  });

  it('STS AccessDenied / Throttling / ExpiredToken', async () => {
    const sts = new STSClient(cfg());
    const call = () =>
      thrown(
        sts.send(
          new AssumeRoleCommand({
            RoleArn: 'arn:aws:iam::222222222222:role/eks-provisioner-provision',
            RoleSessionName: 's',
            ExternalId: 'e',
          }),
        ),
      );
    reply = {
      status: 403,
      type: 'text/xml',
      headers: {},
      body: queryError('https://sts.amazonaws.com/doc/2011-06-15/', 'AccessDenied', FIXTURES.assumeDenied().message),
    };
    expect(diagnoseAwsError(await call(), { service: 'sts', operation: 'AssumeRole' })).toMatchObject({
      code: 'ASSUME_ROLE_DENIED',
      evidence: { serviceAccountId: '111111111111' },
    });
    reply = {
      status: 400,
      type: 'text/xml',
      headers: {},
      body: queryError('https://sts.amazonaws.com/doc/2011-06-15/', 'Throttling', 'Rate exceeded'),
    };
    expect((diagnoseAwsError(await call()) as Error).name).toBe('AwsThrottled');
    reply = {
      status: 400,
      type: 'text/xml',
      headers: {},
      body: queryError(
        'https://sts.amazonaws.com/doc/2011-06-15/',
        'ExpiredToken',
        'The security token included in the request is expired',
      ),
    };
    expect(classifyAwsError(await call()).kind).toBe('expired-token');
  });

  it('CloudFormation "does not exist" and EKS ResourceNotFoundException are readable', async () => {
    reply = {
      status: 400,
      type: 'text/xml',
      headers: {},
      body: queryError(
        'http://cloudformation.amazonaws.com/doc/2010-05-15/',
        'ValidationError',
        'Stack with id eks-provisioner-demo does not exist',
      ),
    };
    const cfn = await thrown(
      new CloudFormationClient(cfg()).send(new DescribeStacksCommand({ StackName: 'eks-provisioner-demo' })),
    );
    expect(classifyAwsError(cfn)).toMatchObject({
      code: 'ValidationError',
      message: 'Stack with id eks-provisioner-demo does not exist',
    });
    reply = {
      status: 404,
      type: 'application/json',
      headers: { 'x-amzn-errortype': 'ResourceNotFoundException' },
      body: JSON.stringify({ message: 'No cluster found for name: demo.' }),
    };
    const eks = await thrown(new EKSClient(cfg()).send(new DescribeClusterCommand({ name: 'demo' })));
    expect(classifyAwsError(eks)).toMatchObject({ kind: 'not-found', code: 'ResourceNotFoundException' });
  });

  it('a 500 from any service → AwsTransient', async () => {
    reply = {
      status: 500,
      type: 'application/json',
      headers: { 'x-amzn-errortype': 'ServerException' },
      body: JSON.stringify({ message: 'Internal error' }),
    };
    const eks = await thrown(new EKSClient(cfg()).send(new DescribeClusterCommand({ name: 'demo' })));
    expect((diagnoseAwsError(eks) as Error).name).toBe('AwsTransient');
  });
});
