/**
 * CloudFormation over the wire: unmodified SDK v3 clients against `startSandbox` on a random port, at a high
 * time scale so a whole EKS stack takes well under a second.
 */
import {
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListStackResourcesCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import {
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  ListClustersCommand,
} from '@aws-sdk/client-eks';
import { CreateRoleCommand, GetRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../local/sandbox/server.js';
import { CREATE_ONLY, DEMO, eksParameters, eksTemplate } from './cloudformation-fixtures.js';
import {
  clients,
  failure,
  type SandboxClients,
  sandboxForFile,
  serviceCreds,
  waitForStack as waitForStackOn,
} from './helpers.js';

let sb: Sandbox;
let c: SandboxClients;
sandboxForFile({ timeScale: 20_000 }, (s, cs) => {
  sb = s;
  c = cs;
});

const waitForStack = (name: string, timeoutMs = 15_000): Promise<Stack> => waitForStackOn(c.cfn, name, timeoutMs);

describe('CloudFormation over the wire (SDK v3)', () => {
  it('creates an EKS stack; EKS and IAM describe calls show what it built', async () => {
    const { StackId } = await c.cfn.send(
      new CreateStackCommand({
        StackName: 'wire-demo',
        TemplateBody: JSON.stringify(eksTemplate()),
        Parameters: eksParameters({ ClusterName: 'wire' }),
        Capabilities: ['CAPABILITY_IAM'],
        Tags: [{ Key: 'owner', Value: 'tests' }],
        ClientRequestToken: 'wire-token-1',
      }),
    );
    expect(StackId).toMatch(/^arn:aws:cloudformation:us-east-1:222222222222:stack\/wire-demo\//);
    const again = await c.cfn.send(
      new CreateStackCommand({
        StackName: 'wire-demo',
        TemplateBody: JSON.stringify(eksTemplate()),
        Parameters: eksParameters({ ClusterName: 'wire' }),
        Capabilities: ['CAPABILITY_IAM'],
        ClientRequestToken: 'wire-token-1',
      }),
    );
    expect(again.StackId).toBe(StackId);

    const s = await waitForStack('wire-demo');
    expect(s.StackStatus).toBe('CREATE_COMPLETE');
    expect(s.CreationTime).toBeInstanceOf(Date);
    expect(s.Tags).toEqual([{ Key: 'owner', Value: 'tests' }]);
    const outputs = Object.fromEntries(s.Outputs!.map((o) => [o.OutputKey, o.OutputValue]));

    const cluster = (await c.eks.send(new DescribeClusterCommand({ name: 'wire' }))).cluster!;
    expect(cluster.status).toBe('ACTIVE');
    expect(cluster.endpoint).toBe(outputs.Endpoint);
    expect(cluster.identity?.oidc?.issuer).toBe(outputs.Oidc);
    expect(cluster.certificateAuthority?.data).toBe(outputs.Ca);
    expect((await c.eks.send(new ListClustersCommand({}))).clusters).toContain('wire');
    const ngName = outputs.NodegroupName!;
    const ng = (await c.eks.send(new DescribeNodegroupCommand({ clusterName: 'wire', nodegroupName: ngName })))
      .nodegroup!;
    expect(ng.status).toBe('ACTIVE');
    expect(
      (await c.eks.send(new DescribeAddonCommand({ clusterName: 'wire', addonName: 'coredns' }))).addon?.status,
    ).toBe('ACTIVE');
    const roleName = outputs.NodeRoleArn!.split('/').pop()!;
    expect((await c.iam.send(new GetRoleCommand({ RoleName: roleName }))).Role?.Arn).toBe(outputs.NodeRoleArn);

    const events = (await c.cfn.send(new DescribeStackEventsCommand({ StackName: 'wire-demo' }))).StackEvents!;
    expect(events[0]).toMatchObject({
      LogicalResourceId: 'wire-demo',
      ResourceStatus: 'CREATE_COMPLETE',
      ResourceType: 'AWS::CloudFormation::Stack',
    });
    expect(events.at(-1)).toMatchObject({
      ResourceStatus: 'CREATE_IN_PROGRESS',
      ResourceStatusReason: 'User Initiated',
      ClientRequestToken: 'wire-token-1',
    });
    expect(events[0]!.Timestamp).toBeInstanceOf(Date);
    const resources = (await c.cfn.send(new DescribeStackResourcesCommand({ StackName: 'wire-demo' }))).StackResources!;
    expect(resources.find((r) => r.LogicalResourceId === 'Cluster')).toMatchObject({
      PhysicalResourceId: 'wire',
      ResourceStatus: 'CREATE_COMPLETE',
    });
    const summaries = (await c.cfn.send(new ListStackResourcesCommand({ StackName: StackId }))).StackResourceSummaries!;
    expect(summaries).toHaveLength(8);
    const body = (await c.cfn.send(new GetTemplateCommand({ StackName: 'wire-demo' }))).TemplateBody!;
    expect(JSON.parse(body)).toEqual(eksTemplate());

    await c.cfn.send(new DeleteStackCommand({ StackName: 'wire-demo' }));
    const gone = (await (async () => {
      const until = Date.now() + 15_000;
      for (;;) {
        const st = (await c.cfn.send(new DescribeStacksCommand({ StackName: StackId }))).Stacks![0]!;
        if (st.StackStatus === 'DELETE_COMPLETE' || Date.now() > until) return st;
        await new Promise((r) => setTimeout(r, 20));
      }
    })())!;
    expect(gone.StackStatus).toBe('DELETE_COMPLETE');
    const err = await failure(c.eks.send(new DescribeClusterCommand({ name: 'wire' })));
    expect(err.name).toBe('ResourceNotFoundException');
  });

  it("answers errors in CloudFormation's shapes", async () => {
    const notThere = await failure(c.cfn.send(new DescribeStacksCommand({ StackName: 'nope' })));
    expect(notThere.name).toBe('ValidationError');
    expect(notThere.message).toBe('Stack with id nope does not exist');
    expect(notThere.$metadata?.httpStatusCode).toBe(400);

    const caps = await failure(
      c.cfn.send(
        new CreateStackCommand({
          StackName: 'caps',
          TemplateBody: JSON.stringify(eksTemplate()),
          Parameters: eksParameters(),
        }),
      ),
    );
    expect(caps.name).toBe('InsufficientCapabilitiesException');
    expect(caps.message).toBe('Requires capabilities : [CAPABILITY_IAM]');

    const missing = await failure(
      c.cfn.send(
        new CreateStackCommand({
          StackName: 'params',
          TemplateBody: JSON.stringify(eksTemplate()),
          Capabilities: ['CAPABILITY_IAM'],
        }),
      ),
    );
    expect(missing.name).toBe('ValidationError');
    expect(missing.message).toBe(
      'Parameters: [ClusterName, ClusterRoleArn, SubnetIds, SecurityGroupIds] must have values',
    );

    await c.cfn.send(
      new CreateStackCommand({
        StackName: 'dup',
        TemplateBody: JSON.stringify({
          Resources: {
            Sg: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'x', VpcId: DEMO.vpcId } },
          },
        }),
      }),
    );
    const dup = await failure(
      c.cfn.send(
        new CreateStackCommand({
          StackName: 'dup',
          TemplateBody: '{"Resources":{"Sg":{"Type":"AWS::EC2::SecurityGroup","Properties":{"GroupDescription":"x"}}}}',
        }),
      ),
    );
    expect(dup.name).toBe('AlreadyExistsException');
    expect(dup.message).toBe('Stack [dup] already exists');
  });

  it('a failing cluster rolls back with the AWS reason visible in events', async () => {
    await c.cfn.send(
      new CreateStackCommand({
        StackName: 'wire-fail',
        TemplateBody: JSON.stringify(eksTemplate()),
        Parameters: eksParameters({ ClusterName: 'wire-fail', ClusterRoleArn: DEMO.serviceRoleNoPolicyArn }),
        Capabilities: ['CAPABILITY_IAM'],
      }),
    );
    const s = await waitForStack('wire-fail');
    expect(s.StackStatus).toBe('ROLLBACK_COMPLETE');
    expect(s.StackStatusReason).toBeUndefined();
    const events = (await c.cfn.send(new DescribeStackEventsCommand({ StackName: 'wire-fail' }))).StackEvents!;
    const failed = events.find((e) => e.LogicalResourceId === 'Cluster' && e.ResourceStatus === 'CREATE_FAILED');
    expect(failed?.ResourceStatusReason).toContain(
      "The provided role doesn't have the Amazon EKS Managed Policies associated with it.",
    );
    expect(events.find((e) => e.ResourceStatus === 'ROLLBACK_IN_PROGRESS')?.ResourceStatusReason).toBe(
      'The following resource(s) failed to create: [Cluster, NodeRole]. Rollback requested by user.',
    );
  });

  it('the seed case end to end: role B (assumed with an External ID) lacks delete permissions → ROLLBACK_FAILED', async () => {
    await c.iam.send(
      new CreateRoleCommand({
        RoleName: 'eks-provisioner-wire',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: 'arn:aws:iam::111111111111:root' },
              Action: 'sts:AssumeRole',
              Condition: { StringEquals: { 'sts:ExternalId': 'ext-123' } },
            },
          ],
        }),
      }),
    );
    await c.iam.send(
      new PutRolePolicyCommand({
        RoleName: 'eks-provisioner-wire',
        PolicyName: 'provision',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: CREATE_ONLY }),
      }),
    );
    const svc = clients(sb, serviceCreds);
    const creds = (
      await svc.sts.send(
        new AssumeRoleCommand({
          RoleArn: 'arn:aws:iam::222222222222:role/eks-provisioner-wire',
          RoleSessionName: 'provision',
          ExternalId: 'ext-123',
        }),
      )
    ).Credentials!;
    const roleB = clients(sb, {
      accessKeyId: creds.AccessKeyId!,
      secretAccessKey: creds.SecretAccessKey!,
      sessionToken: creds.SessionToken!,
    });
    await roleB.cfn.send(
      new CreateStackCommand({
        StackName: 'seed-case',
        TemplateBody: JSON.stringify(eksTemplate()),
        Parameters: eksParameters({ ClusterName: 'seed', ClusterRoleArn: DEMO.serviceRoleNoPolicyArn }),
        Capabilities: ['CAPABILITY_IAM'],
      }),
    );
    const s = await waitForStack('seed-case');
    expect(s.StackStatus).toBe('ROLLBACK_FAILED');
    expect(s.StackStatusReason).toBe('The following resource(s) failed to delete: [NodeRole]. ');
    const events = (await roleB.cfn.send(new DescribeStackEventsCommand({ StackName: 'seed-case' }))).StackEvents!;
    const delFailed = events.find((e) => e.ResourceStatus === 'DELETE_FAILED')!;
    expect(delFailed.ResourceStatusReason).toContain(
      'User: arn:aws:sts::222222222222:assumed-role/eks-provisioner-wire/provision is not authorized to perform: iam:DetachRolePolicy',
    );
    // The customer's admin can clean up.
    await c.cfn.send(new DeleteStackCommand({ StackName: 'seed-case' }));
    const id = s.StackId!;
    const until = Date.now() + 15_000;
    let status = '';
    while (Date.now() < until) {
      status = (await c.cfn.send(new DescribeStacksCommand({ StackName: id }))).Stacks![0]!.StackStatus!;
      if (status === 'DELETE_COMPLETE') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe('DELETE_COMPLETE');
  });

  it('nodes that fail to join: the stack event and EKS DescribeNodegroup health tell the same story', async () => {
    sb.world.data.flags.nodesFailToJoin = true;
    try {
      await c.cfn.send(
        new CreateStackCommand({
          StackName: 'wire-nodes',
          TemplateBody: JSON.stringify(eksTemplate()),
          Parameters: eksParameters({ ClusterName: 'wire-nodes' }),
          Capabilities: ['CAPABILITY_IAM'],
          OnFailure: 'DO_NOTHING',
        }),
      );
      const s = await waitForStack('wire-nodes');
      expect(s.StackStatus).toBe('CREATE_FAILED');
      const events = (await c.cfn.send(new DescribeStackEventsCommand({ StackName: 'wire-nodes' }))).StackEvents!;
      const failed = events.find((e) => e.LogicalResourceId === 'Nodegroup' && e.ResourceStatus === 'CREATE_FAILED')!;
      expect(failed.ResourceStatusReason).toContain(
        'Code=NodeCreationFailure, Message=Instances failed to join the kubernetes cluster',
      );
      const ngName = failed.PhysicalResourceId!.split('/')[1]!;
      const ng = (await c.eks.send(new DescribeNodegroupCommand({ clusterName: 'wire-nodes', nodegroupName: ngName })))
        .nodegroup!;
      expect(ng.status).toBe('CREATE_FAILED');
      expect(ng.health?.issues?.[0]).toMatchObject({
        code: 'NodeCreationFailure',
        message: 'Instances failed to join the kubernetes cluster',
      });
      for (const id of ng.health!.issues![0]!.resourceIds!) expect(failed.ResourceStatusReason).toContain(id);
    } finally {
      sb.world.data.flags.nodesFailToJoin = false;
    }
  });
});
