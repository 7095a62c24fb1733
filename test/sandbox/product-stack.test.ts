/**
 * The product's own CreateClusterStack (real template, real parameters and tags) against the validating
 * sandbox: what AWS would refuse, the sandbox refuses, so these fail where a deployment would.
 *
 * - A tenant id is up to 1024 characters (IAM principal ARNs with paths reach ~620); CloudFormation, IAM
 *   and EKS tag values are at most 256, and IAM's allow fewer characters than ARNs do. The stack and every
 *   resource must still be tagged with something that fits.
 * - No security groups: a `List<AWS::EC2::SecurityGroup::Id>` parameter refuses an empty value, so the
 *   template must take an empty list another way.
 */
import { CreateStackCommand, DescribeStackEventsCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { ListRoleTagsCommand } from '@aws-sdk/client-iam';
import { beforeEach, describe, expect, it } from 'vitest';
import demo from '../../events/create-cluster.json' with { type: 'json' };
import {
  type CreateClusterStackInput,
  clientRequestTokenFor,
  createClusterStack,
  createStackParameters,
  stackTags,
} from '../../functions/create-cluster-stack/create-cluster-stack.js';
import { sessionNameFor } from '../../functions/lib/aws/provision-role.js';
import { parseClusterSettings } from '../../functions/lib/schema/cluster-settings.js';
import { TAG_KEYS } from '../../functions/lib/template/constants.js';
import { CLUSTER_TEMPLATE, clusterTemplateBody } from '../../functions/lib/template/index.js';
import { tenantTagValue } from '../../functions/lib/template/tenant-tag.js';
import { stackNameFor } from '../../functions/validate-request/validate-request.js';
import { CHECKED_AWS_PARAMETER_TYPES } from '../../local/sandbox/cloudformation/service.js';
import { loadModel } from '../../local/sandbox/protocol/model.js';
import { validateRequest } from '../../local/sandbox/protocol/validate.js';
import type { Sandbox } from '../../local/sandbox/server.js';
import { DEMO } from '../../local/sandbox/world/default-world.js';
import { demoSettings } from '../support/demo-settings.js';
import { failure, type SandboxClients, sandboxForFile, waitForStack as waitForStackOn } from './helpers.js';

const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

let sb: Sandbox;
let c: SandboxClients;
sandboxForFile({ timeScale: 20_000 }, (s, cs) => {
  sb = s;
  c = cs;
});
beforeEach(() => sb.world.reset());

/** An IAM role ARN with a long path, as the API hands out for tenants: 311+ characters, with a comma. */
const LONG_TENANT = `arn:aws:iam::333333333333:role/${'platform/teams/'.repeat(18)}team,ops/deployer`;

function input(
  tenantId: string,
  over: Partial<CreateClusterStackInput['cluster']> = {},
  clusterId = 'c-abcdefghijkl',
): CreateClusterStackInput {
  const cluster = demoSettings({
    name: 'tagged',
    vpcId: DEMO.vpcId,
    subnetIds: DEMO.subnetIds.slice(0, 2),
    securityGroupIds: [DEMO.securityGroupId],
    ...over,
  });
  return {
    tenantId,
    clusterId,
    accountId: '222222222222',
    region: 'us-east-1',
    stackName: `eks-provisioner-${cluster.name}`,
    executionArn: `arn:aws:states:us-east-1:111111111111:execution:sm:${clusterId}`,
    startedAt: new Date().toISOString(),
    cluster,
    preflight: {
      kubernetesVersion: '1.33',
      vpcId: DEMO.vpcId,
      subnets: [
        { subnetId: DEMO.subnetIds[0], availabilityZone: 'us-east-1a', availabilityZoneId: 'use1-az1' },
        { subnetId: DEMO.subnetIds[1], availabilityZone: 'us-east-1b', availabilityZoneId: 'use1-az2' },
      ],
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      securityGroupIds: cluster.securityGroupIds,
      serviceRoleArn: DEMO.serviceRoleArn,
      ...(cluster.keyName ? { keyName: cluster.keyName } : {}),
    },
  };
}

const waitForStack = (name: string, timeoutMs = 20_000): Promise<Stack> => waitForStackOn(c.cfn, name, timeoutMs);

describe('the cluster stack against the validating sandbox', () => {
  it(`a ${LONG_TENANT.length}-character tenant id: the stack is created and completes; stack and roles carry a tag that fits`, async () => {
    expect(LONG_TENANT.length).toBeGreaterThanOrEqual(311);
    const req = input(LONG_TENANT);
    const ref = await createClusterStack(req, { cloudformation: c.cfn, now: () => new Date() });
    const stack = await waitForStack(ref.stackName);
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    const tenantTag = stack.Tags?.find((t) => t.Key === TAG_KEYS.tenant);
    expect(tenantTag?.Value).toBe(tenantTagValue(LONG_TENANT));
    // The template tags its IAM roles too: the node role's tags passed IAM's rules.
    const nodeRole = sb.world.data.roles.find(
      (r) => r.path === '/eks-provisioner/' && r.tags[TAG_KEYS.clusterId] === req.clusterId,
    );
    expect(nodeRole).toBeDefined();
    const roleTags = await c.iam.send(new ListRoleTagsCommand({ RoleName: nodeRole!.name }));
    expect(roleTags.Tags?.find((t) => t.Key === TAG_KEYS.tenant)?.Value).toBe(tenantTagValue(LONG_TENANT));
  });

  it('every tag the product puts on the stack fits CloudFormation, IAM and EKS tag rules, for any tenant id up to 1024 characters', () => {
    const IAM_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
    for (const tenant of [
      LONG_TENANT,
      'x'.repeat(1024),
      'us-east-1:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
      'a,b;c<d>',
      'é'.repeat(1024),
    ]) {
      for (const t of stackTags(input(tenant))) {
        expect(t.Key!.length).toBeLessThanOrEqual(128);
        expect(t.Value!.length).toBeGreaterThanOrEqual(1);
        expect(t.Value!.length).toBeLessThanOrEqual(256);
        expect(t.Value).toMatch(IAM_VALUE);
      }
    }
  });

  it('no security groups: an empty value for List<AWS::EC2::SecurityGroup::Id> is refused by CloudFormation, the cluster template takes it', async () => {
    // What AWS does with an empty AWS-specific list (the sandbox models it): CreateStack is refused.
    const template = {
      Parameters: { Groups: { Type: 'List<AWS::EC2::SecurityGroup::Id>' } },
      Resources: { Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: JSON.parse(TRUST) } } },
    };
    const refused = await failure(
      c.cfn.send(
        new CreateStackCommand({
          StackName: 'empty-list',
          TemplateBody: JSON.stringify(template),
          Parameters: [{ ParameterKey: 'Groups', ParameterValue: '' }],
          Capabilities: ['CAPABILITY_IAM'],
        }),
      ),
    );
    expect(refused.name).toBe('ValidationError');
    expect(refused.message).toBe(
      'Parameter validation failed: parameter value  for parameter name Groups does not exist.',
    );

    // The product's template: securityGroupIds [] (the settings default) creates the cluster without extra groups.
    const req = input('tenant-a', { securityGroupIds: [], keyName: undefined }, 'c-nogroups0001');
    const ref = await createClusterStack(req, { cloudformation: c.cfn, now: () => new Date() });
    const stack = await waitForStack(ref.stackName);
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    const cluster = sb.world.data.eksClusters.find((k) => k.name === req.cluster.name);
    expect(cluster?.resourcesVpcConfig.securityGroupIds ?? []).toEqual([]);
  });

  it('the cluster template uses only AWS-specific parameter types the sandbox checks against the world', () => {
    const types = Object.values(CLUSTER_TEMPLATE.Parameters).map((d) => d.Type);
    const awsTypes = types
      .map((t) => (t.startsWith('List<') ? t.slice(5, -1) : t))
      .filter((t) => t.startsWith('AWS::'));
    expect(awsTypes.length).toBeGreaterThan(0);
    for (const t of awsTypes) expect(CHECKED_AWS_PARAMETER_TYPES as readonly string[]).toContain(t);
  });

  it("resources tagged from a parameter fail as IAM and EKS fail them: the role with IAM's validation message", async () => {
    const long = 'p'.repeat(300);
    const template = {
      Parameters: { Owner: { Type: 'String' } },
      Resources: {
        Role: {
          Type: 'AWS::IAM::Role',
          Properties: {
            AssumeRolePolicyDocument: {
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
            },
            Tags: [{ Key: 'owner', Value: { Ref: 'Owner' } }],
          },
        },
      },
    };
    await c.cfn.send(
      new CreateStackCommand({
        StackName: 'tag-from-param',
        TemplateBody: JSON.stringify(template),
        Parameters: [{ ParameterKey: 'Owner', ParameterValue: long }],
        Capabilities: ['CAPABILITY_IAM'],
        OnFailure: 'DO_NOTHING',
      }),
    );
    const stack = await waitForStack('tag-from-param');
    expect(stack.StackStatus).toBe('CREATE_FAILED');
    const events =
      (await c.cfn.send(new DescribeStackEventsCommand({ StackName: 'tag-from-param' }))).StackEvents ?? [];
    const failed = events.find((e) => e.LogicalResourceId === 'Role' && e.ResourceStatus === 'CREATE_FAILED');
    expect(failed?.ResourceStatusReason).toContain(
      `1 validation error detected: Value '${long}' at 'tags.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 256 (Service: Iam, Status Code: 400`,
    );
    expect(sb.world.data.roles.some((r) => r.tags.owner === long)).toBe(false);
  });

  it('user tags the settings schema accepts are accepted by CloudFormation too (no empty values)', () => {
    const parsed = parseClusterSettings(
      { ...demo.cluster, tags: { empty: '' } },
      { roleNamePrefix: 'eks-provisioner-' },
    );
    expect(parsed.ok).toBe(false);
    const withTags = input(LONG_TENANT, {
      tags: { 'cost-center': 'platform team', [`k${'k'.repeat(127)}`]: 'v'.repeat(256) },
    });
    expect(
      validateRequest(loadModel('cloudformation'), 'CreateStack', {
        StackName: 's',
        TemplateBody: '{}',
        Tags: stackTags(withTags),
      }),
    ).toEqual([]);
  });

  it('every other name the product generates passes the service models at its longest: stack name, ClientRequestToken, session name', () => {
    // Longest cluster name (100) and longest clusterId (80, with the "_" the id pattern allows), longest tenant.
    const longest = input('x'.repeat(1024), { name: `c${'-'.repeat(98)}z` }, `${'id_'.repeat(26)}ab`);
    longest.stackName = stackNameFor(longest.cluster.name);
    const createStack = {
      StackName: longest.stackName,
      TemplateBody: clusterTemplateBody(),
      Parameters: createStackParameters(longest),
      Capabilities: ['CAPABILITY_IAM'],
      OnFailure: 'DO_NOTHING',
      ClientRequestToken: clientRequestTokenFor(longest.clusterId),
      Tags: stackTags(longest),
    };
    expect(validateRequest(loadModel('cloudformation'), 'CreateStack', createStack)).toEqual([]);
    expect(longest.stackName.length).toBeLessThanOrEqual(128);
    expect(longest.stackName).toMatch(/^[a-zA-Z][-a-zA-Z0-9]*$/);
    const assume = {
      RoleArn: 'arn:aws:iam::222222222222:role/eks-provisioner-provision',
      RoleSessionName: sessionNameFor(longest.clusterId),
      DurationSeconds: 3600,
      ExternalId: 'e'.repeat(64),
    };
    expect(validateRequest(loadModel('sts'), 'AssumeRole', assume)).toEqual([]);
    // The External ID proof: role B reads itself by name (the last part of the ARN, path left out).
    expect(validateRequest(loadModel('iam'), 'GetRole', { RoleName: 'eks-provisioner-provision' })).toEqual([]);
  });
});
