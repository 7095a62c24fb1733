/**
 * Deletion fault rules (`resourceType` + `dependencyViolationRate`, set through /_sandbox/faults): a
 * CloudFormation deletion of that type fails as AWS fails it when a dependent object still uses the
 * resource, until the rule is gone (or its `times` are used up).
 */
import { CreateStackCommand, DeleteStackCommand, DescribeStackEventsCommand } from '@aws-sdk/client-cloudformation';
import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../local/sandbox/server.js';
import { eksParameters, eksTemplate } from './cloudformation-fixtures.js';
import { type SandboxClients, sandboxForFile, waitForStack } from './helpers.js';

let sb: Sandbox;
let c: SandboxClients;
sandboxForFile({ timeScale: 20_000, kubernetes: false }, (s, cs) => {
  sb = s;
  c = cs;
});

afterEach(async () => {
  await setFaults([]);
});

async function setFaults(rules: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(`${sb.url}/_sandbox/faults`, { method: 'PUT', body: JSON.stringify(rules) });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

async function createStack(
  name: string,
  template: unknown,
  parameters: { ParameterKey: string; ParameterValue: string }[] = [],
): Promise<string> {
  const { StackId } = await c.cfn.send(
    new CreateStackCommand({
      StackName: name,
      TemplateBody: JSON.stringify(template),
      Parameters: parameters,
      Capabilities: ['CAPABILITY_IAM'],
    }),
  );
  expect((await waitForStack(c.cfn, StackId!)).StackStatus).toBe('CREATE_COMPLETE');
  return StackId!;
}

async function deleteStack(stackId: string): Promise<{ status: string; reasons: Record<string, string> }> {
  await c.cfn.send(new DeleteStackCommand({ StackName: stackId }));
  const s = await waitForStack(c.cfn, stackId);
  const events = (await c.cfn.send(new DescribeStackEventsCommand({ StackName: stackId }))).StackEvents!;
  const reasons: Record<string, string> = {};
  for (const e of [...events].reverse())
    if (e.ResourceStatus === 'DELETE_FAILED') reasons[e.LogicalResourceId!] = e.ResourceStatusReason!;
  return { status: s.StackStatus!, reasons };
}

const ROLE_TEMPLATE = {
  Resources: {
    Role: {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        },
      },
    },
  },
};

describe('deletion fault rules', () => {
  it('an EKS cluster deletion fails on its cluster security group, the cluster FAILED; without the rule deleting again succeeds', async () => {
    const stackId = await createStack('fault-lb', eksTemplate(), eksParameters({ ClusterName: 'fault-lb' }));
    const set = await setFaults([{ resourceType: 'AWS::EKS::Cluster', dependencyViolationRate: 1 }]);
    expect(set.status).toBe(200);

    const first = await deleteStack(stackId);
    expect(first.status).toBe('DELETE_FAILED');
    expect(first.reasons['Cluster']).toMatch(
      /^Resource handler returned message: "resource sg-[0-9a-f]+ has a dependent object \(Service: Ec2, Status Code: 400, Request ID: [^)]+\)" \(RequestToken: [^,]+, HandlerErrorCode: GeneralServiceException\)$/,
    );
    expect((await c.eks.send(new DescribeClusterCommand({ name: 'fault-lb' }))).cluster?.status).toBe('FAILED');

    await setFaults([]);
    expect((await deleteStack(stackId)).status).toBe('DELETE_COMPLETE');
  });

  it('any other type fails with EC2 DependencyViolation text naming the resource; `times` bounds it', async () => {
    const stackId = await createStack('fault-role', ROLE_TEMPLATE);
    await setFaults([{ resourceType: 'AWS::IAM::Role', dependencyViolationRate: 1, times: 1 }]);
    const first = await deleteStack(stackId);
    expect(first.status).toBe('DELETE_FAILED');
    expect(first.reasons['Role']).toMatch(
      /"resource fault-role-Role-[A-Za-z0-9]+ has a dependent object \(Service: Ec2, Status Code: 400,/,
    );
    // The rule's one failure is used up: the same rule no longer blocks.
    expect((await deleteStack(stackId)).status).toBe('DELETE_COMPLETE');
  });

  it('a deletion rule selects no API call and leaves other types alone', async () => {
    await setFaults([{ resourceType: 'AWS::EKS::Cluster', dependencyViolationRate: 1 }]);
    const stackId = await createStack('fault-other', ROLE_TEMPLATE);
    expect((await deleteStack(stackId)).status).toBe('DELETE_COMPLETE');
  });

  it('rejects half or mixed deletion rules naming the field, and keeps the rules it had', async () => {
    await setFaults([{ service: 'eks', operation: 'DescribeCluster', latencyMs: 1 }]);
    const cases: [unknown, RegExp][] = [
      [[{ resourceType: 'AWS::EKS::Cluster' }], /dependencyViolationRate/],
      [[{ dependencyViolationRate: 1 }], /resourceType/],
      [
        [{ resourceType: 'AWS::EKS::Cluster', dependencyViolationRate: 1, service: 'eks' }],
        /service.*rule of its own|rule of its own.*service/s,
      ],
      [[{ resourceType: 'EKS Cluster', dependencyViolationRate: 1 }], /AWS::EKS::Cluster/],
    ];
    for (const [rules, message] of cases) {
      const r = await setFaults(rules);
      expect(r.status, JSON.stringify(rules)).toBe(400);
      expect(String(r.body['message'])).toMatch(message);
    }
    const listed = (await (await fetch(`${sb.url}/_sandbox/faults`)).json()) as { faults: unknown[] };
    expect(listed.faults).toEqual([{ service: 'eks', operation: 'DescribeCluster', latencyMs: 1 }]);
  });

  it('refuses the earlier flag loadBalancerLeftBehind with the fault rule to set instead, changing nothing', async () => {
    const r = await fetch(`${sb.url}/_sandbox/flags`, {
      method: 'PATCH',
      body: JSON.stringify({ loadBalancerLeftBehind: true, nodesFailToJoin: true }),
    });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { message: string }).message).toContain(
      'PUT /_sandbox/faults [{"resourceType":"AWS::EKS::Cluster","dependencyViolationRate":1}]',
    );
    expect(sb.world.data.flags.nodesFailToJoin).toBe(false);
    expect(sb.world.data.flags).not.toHaveProperty('loadBalancerLeftBehind');
    const listed = (await (await fetch(`${sb.url}/_sandbox/faults`)).json()) as { faults: unknown[] };
    expect(listed.faults).toEqual([]);
  });
});
