/**
 * The AWS CLI (a second, independent client: botocore) against the sandbox with the default world's keys.
 * Skips with a message when `aws` is not installed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../local/sandbox/server.js';
import { CUSTOMER_ACCESS_KEY_ID, CUSTOMER_SECRET_ACCESS_KEY, DEMO } from '../../local/sandbox/world/default-world.js';
import { awsCli } from '../support/aws-cli.js';
import { requireTool } from '../support/tools.js';
import { start } from './helpers.js';

const version = requireTool('aws', 'the AWS CLI against the sandbox (test/sandbox/aws-cli)')?.version;

describe.skipIf(!version)(`AWS CLI (${version ?? 'absent'})`, { timeout: 90_000 }, () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await start();
  });
  afterAll(async () => {
    await sb.stop();
  });

  const aws = awsCli(() => sb.url, {
    accessKeyId: CUSTOMER_ACCESS_KEY_ID,
    secretAccessKey: CUSTOMER_SECRET_ACCESS_KEY,
  });

  it('sts get-caller-identity', async () => {
    expect(await aws('sts', 'get-caller-identity')).toEqual({
      UserId: 'AIDACUSTOMERADMIN001',
      Account: '222222222222',
      Arn: 'arn:aws:iam::222222222222:user/admin',
    });
  });

  it('ec2 describe-subnets with a filter', async () => {
    const out = (await aws('ec2', 'describe-subnets', '--filters', `Name=vpc-id,Values=${DEMO.vpcId}`)) as {
      Subnets: { SubnetId: string; AvailabilityZoneId: string }[];
    };
    expect(out.Subnets.map((s) => [s.SubnetId, s.AvailabilityZoneId])).toEqual([
      ['subnet-0a1b2c3d4e5f60011', 'use1-az1'],
      ['subnet-0a1b2c3d4e5f60012', 'use1-az2'],
      ['subnet-0a1b2c3d4e5f60013', 'use1-az4'],
      ['subnet-0a1b2c3d4e5f60014', 'use1-az3'],
    ]);
  });

  it('cloudformation describe-stacks', async () => {
    const out = (await aws('cloudformation', 'describe-stacks')) as { Stacks: unknown[] };
    expect(Array.isArray(out.Stacks)).toBe(true);
  });

  it('reports AWS error codes to the CLI', async () => {
    const err = await aws('ec2', 'describe-key-pairs', '--key-names', 'missing-key').then(
      () => undefined,
      (e: { stderr: string }) => e.stderr,
    );
    expect(err).toContain(
      "An error occurred (InvalidKeyPair.NotFound) when calling the DescribeKeyPairs operation: The key pair 'missing-key' does not exist",
    );
  });

  it("a constraint botocore does not check client-side (max length) comes back as the service's validation error", async () => {
    const long = 'v'.repeat(300);
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    const err = await aws(
      'iam',
      'create-role',
      '--role-name',
      'cli-tagged',
      '--assume-role-policy-document',
      trust,
      '--tags',
      `Key=tenant,Value=${long}`,
    ).then(
      () => undefined,
      (e: { stderr: string }) => e.stderr,
    );
    expect(err).toContain(
      `An error occurred (ValidationError) when calling the CreateRole operation: 1 validation error detected: Value '${long}' at 'tags.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 256`,
    );
  });
});

describe.skipIf(!version)(
  `AWS CLI (${version ?? 'absent'}): a stack update through a change set`,
  { timeout: 180_000 },
  () => {
    let sb: Sandbox;
    beforeAll(async () => {
      sb = await start({ timeScale: 20_000 });
    });
    afterAll(async () => {
      await sb.stop();
    });
    const aws = awsCli(() => sb.url, {
      accessKeyId: CUSTOMER_ACCESS_KEY_ID,
      secretAccessKey: CUSTOMER_SECRET_ACCESS_KEY,
    });
    const status = async (name: string): Promise<string> => {
      for (;;) {
        const s = (
          (await aws('cloudformation', 'describe-stacks', '--stack-name', name)) as {
            Stacks: { StackStatus: string }[];
          }
        ).Stacks[0]!.StackStatus;
        if (!s.endsWith('_IN_PROGRESS')) return s;
      }
    };

    it('create-change-set, describe-change-set (nested Details), execute-change-set', async () => {
      const template = {
        Parameters: { V: { Type: 'String' } },
        Resources: {
          C: {
            Type: 'AWS::EKS::Cluster',
            Properties: {
              Name: 'cli',
              Version: { Ref: 'V' },
              RoleArn: DEMO.serviceRoleArn,
              ResourcesVpcConfig: { SubnetIds: DEMO.subnetIds.slice(0, 2) },
            },
          },
        },
      };
      await aws(
        'cloudformation',
        'create-stack',
        '--stack-name',
        'cli',
        '--template-body',
        JSON.stringify(template),
        '--parameters',
        'ParameterKey=V,ParameterValue=1.32',
      );
      expect(await status('cli')).toBe('CREATE_COMPLETE');
      await aws(
        'cloudformation',
        'create-change-set',
        '--stack-name',
        'cli',
        '--change-set-name',
        'up',
        '--use-previous-template',
        '--parameters',
        'ParameterKey=V,ParameterValue=1.33',
      );
      let cs: {
        Status: string;
        Changes: {
          ResourceChange: {
            Action: string;
            Replacement: string;
            Details: { Target: { Name: string }; CausingEntity: string }[];
          };
        }[];
      };
      do
        cs = (await aws(
          'cloudformation',
          'describe-change-set',
          '--stack-name',
          'cli',
          '--change-set-name',
          'up',
        )) as typeof cs;
      while (cs.Status !== 'CREATE_COMPLETE' && cs.Status !== 'FAILED');
      expect(cs.Status).toBe('CREATE_COMPLETE');
      expect(cs.Changes[0]!.ResourceChange).toMatchObject({
        Action: 'Modify',
        Replacement: 'False',
        Details: [{ Target: { Name: 'Version' }, CausingEntity: 'V' }],
      });
      await aws('cloudformation', 'execute-change-set', '--stack-name', 'cli', '--change-set-name', 'up');
      expect(await status('cli')).toBe('UPDATE_COMPLETE');
      expect(
        ((await aws('eks', 'describe-cluster', '--name', 'cli')) as { cluster: { version: string } }).cluster.version,
      ).toBe('1.33');
    });
  },
);
