/**
 * Stack updates over the wire (SDK v3): change sets (plan, "no changes", execute), UpdateStack ("No
 * updates are to be performed."), in-place modifications vs replacements per the resource schemas,
 * rollback, UPDATE_ROLLBACK_FAILED and ContinueUpdateRollback, role B's permission per update call.
 */
import { execFileSync } from 'node:child_process';
import {
  ContinueUpdateRollbackCommand,
  CreateChangeSetCommand,
  CreateStackCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  type DescribeChangeSetCommandOutput,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  ListChangeSetsCommand,
  type Parameter,
  UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import {
  DescribeAccessEntryCommand,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  ListNodegroupsCommand,
} from '@aws-sdk/client-eks';
import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { CREATE_ONLY_PROPERTIES } from '../../local/sandbox/cloudformation/providers/update-behaviour.js';
import type { Sandbox } from '../../local/sandbox/server.js';
import { requireTool } from '../support/tools.js';
import { CREATE_ONLY, eksParameters, eksTemplate } from './cloudformation-fixtures.js';
import { clients, failure, type SandboxClients, sandboxForFile, serviceCreds, waitForStack } from './helpers.js';

let sb: Sandbox;
let c: SandboxClients;
sandboxForFile({ timeScale: 20_000 }, (s, cs) => {
  sb = s;
  c = cs;
});

const previous = (keys: string[], changed: Record<string, string>): Parameter[] =>
  keys.map((k) =>
    k in changed ? { ParameterKey: k, ParameterValue: changed[k] } : { ParameterKey: k, UsePreviousValue: true },
  );
const PARAM_KEYS = [
  'ClusterName',
  'ClusterRoleArn',
  'SubnetIds',
  'SecurityGroupIds',
  'Version',
  'NodeCount',
  'KeyName',
  'AdminPrincipalArn',
  'Team',
];

async function createStack(
  cfn: typeof c.cfn,
  name: string,
  overrides: Record<string, string> = {},
  template = eksTemplate(),
): Promise<void> {
  await cfn.send(
    new CreateStackCommand({
      StackName: name,
      TemplateBody: JSON.stringify(template),
      Parameters: eksParameters({ ClusterName: name, ...overrides }),
      Capabilities: ['CAPABILITY_IAM'],
    }),
  );
  expect((await waitForStack(cfn, name)).StackStatus).toBe('CREATE_COMPLETE');
}

/** DescribeChangeSet until it is no longer being computed. */
async function computed(cfn: typeof c.cfn, stack: string, name: string): Promise<DescribeChangeSetCommandOutput> {
  const until = Date.now() + 10_000;
  for (;;) {
    const cs = await cfn.send(new DescribeChangeSetCommand({ StackName: stack, ChangeSetName: name }));
    if (cs.Status !== 'CREATE_PENDING' && cs.Status !== 'CREATE_IN_PROGRESS') return cs;
    if (Date.now() > until) throw new Error(`change set ${name} still ${cs.Status}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function statuses(name: string): Promise<string[]> {
  const events = (await c.cfn.send(new DescribeStackEventsCommand({ StackName: name }))).StackEvents!.reverse();
  return events.map(
    (e) => `${e.LogicalResourceId} ${e.ResourceStatus}${e.ResourceStatusReason ? ` ${e.ResourceStatusReason}` : ''}`,
  );
}

describe('resource schemas: which property changes replace', () => {
  // Oracle: the CloudFormation registry schemas cfn-lint ships (createOnlyProperties).
  // Under CI=true a missing cfn-lint fails the file; where it is installed the probe must work (no catch).
  let schemas: Record<string, string[] | null> | undefined;
  if (requireTool('cfn-lint', 'the resource-schema comparison (test/sandbox/cloudformation-update)')) {
    const py = `
import json
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER as m
types = ${JSON.stringify(Object.keys(CREATE_ONLY_PROPERTIES))}
print(json.dumps({t: m.get_resource_schema('us-east-1', t).schema.get('createOnlyProperties') for t in types}))`;
    schemas = JSON.parse(
      execFileSync('python3', ['-c', py], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
    ) as Record<string, string[] | null>;
  }
  it.skipIf(!schemas)('the sandbox table matches the registry schemas (cfn-lint)', () => {
    for (const [type, list] of Object.entries(CREATE_ONLY_PROPERTIES))
      expect([...list].sort(), type).toEqual([...(schemas![type] ?? [])].sort());
  });
});

describe('CloudFormation stack updates', () => {
  it('no changes: UpdateStack refuses, a change set FAILS with AWS reason', async () => {
    await createStack(c.cfn, 'same', { Version: '1.32' });
    const err = await failure(
      c.cfn.send(
        new UpdateStackCommand({
          StackName: 'same',
          UsePreviousTemplate: true,
          Parameters: previous(PARAM_KEYS, {}),
          Capabilities: ['CAPABILITY_IAM'],
        }),
      ),
    );
    expect(err.name).toBe('ValidationError');
    expect(err.message).toBe('No updates are to be performed.');
    await c.cfn.send(
      new CreateChangeSetCommand({
        StackName: 'same',
        ChangeSetName: 'nothing',
        UsePreviousTemplate: true,
        Parameters: previous(PARAM_KEYS, {}),
        Capabilities: ['CAPABILITY_IAM'],
      }),
    );
    const cs = await computed(c.cfn, 'same', 'nothing');
    expect(cs).toMatchObject({
      Status: 'FAILED',
      ExecutionStatus: 'UNAVAILABLE',
      StatusReason:
        "The submitted information didn't contain changes. Submit different information to create a change set.",
    });
    const exec = await failure(
      c.cfn.send(new ExecuteChangeSetCommand({ StackName: 'same', ChangeSetName: 'nothing' })),
    );
    expect(exec.name).toBe('InvalidChangeSetStatusException');
    await c.cfn.send(new DeleteChangeSetCommand({ StackName: 'same', ChangeSetName: 'nothing' }));
    expect((await c.cfn.send(new ListChangeSetsCommand({ StackName: 'same' }))).Summaries).toEqual([]);
  });

  it('change set: version + node count are in-place modifications; executing applies exactly that', async () => {
    await createStack(c.cfn, 'modify', { Version: '1.32' });
    const { Id } = await c.cfn.send(
      new CreateChangeSetCommand({
        StackName: 'modify',
        ChangeSetName: 'upgrade',
        ChangeSetType: 'UPDATE',
        UsePreviousTemplate: true,
        Parameters: previous(PARAM_KEYS, { Version: '1.33', NodeCount: '3' }),
        Capabilities: ['CAPABILITY_IAM'],
        ClientToken: 'cs-1',
      }),
    );
    expect(Id).toMatch(/^arn:aws:cloudformation:us-east-1:222222222222:changeSet\/upgrade\//);
    const cs = await computed(c.cfn, 'modify', 'upgrade');
    expect(cs).toMatchObject({ Status: 'CREATE_COMPLETE', ExecutionStatus: 'AVAILABLE' });
    const changes = Object.fromEntries(
      cs.Changes!.map((ch) => [ch.ResourceChange!.LogicalResourceId, ch.ResourceChange!]),
    );
    expect(Object.keys(changes).sort()).toEqual(['Cluster', 'Nodegroup']);
    expect(changes.Cluster).toMatchObject({
      Action: 'Modify',
      PhysicalResourceId: 'modify',
      ResourceType: 'AWS::EKS::Cluster',
      Replacement: 'False',
      Scope: ['Properties'],
    });
    expect(changes.Cluster!.Details).toEqual([
      {
        Target: { Attribute: 'Properties', Name: 'Version', RequiresRecreation: 'Never' },
        Evaluation: 'Static',
        ChangeSource: 'ParameterReference',
        CausingEntity: 'Version',
      },
    ]);
    expect(changes.Nodegroup).toMatchObject({ Action: 'Modify', Replacement: 'False' });
    expect(changes.Nodegroup!.Details![0]!.Target).toEqual({
      Attribute: 'Properties',
      Name: 'ScalingConfig',
      RequiresRecreation: 'Never',
    });

    await c.cfn.send(
      new ExecuteChangeSetCommand({ StackName: 'modify', ChangeSetName: 'upgrade', ClientRequestToken: 'exec-1' }),
    );
    const s = await waitForStack(c.cfn, 'modify');
    expect(s.StackStatus).toBe('UPDATE_COMPLETE');
    expect(s.Parameters!.find((p) => p.ParameterKey === 'Version')!.ParameterValue).toBe('1.33');
    expect((await c.eks.send(new DescribeClusterCommand({ name: 'modify' }))).cluster).toMatchObject({
      version: '1.33',
      status: 'ACTIVE',
    });
    const ngName = s.Outputs!.find((o) => o.OutputKey === 'NodegroupName')!.OutputValue!;
    expect(
      (await c.eks.send(new DescribeNodegroupCommand({ clusterName: 'modify', nodegroupName: ngName }))).nodegroup!
        .scalingConfig,
    ).toEqual({ minSize: 3, maxSize: 3, desiredSize: 3 });
    const ev = await statuses('modify');
    const tail = ev.slice(ev.indexOf('modify UPDATE_IN_PROGRESS User Initiated'));
    expect(tail).toEqual([
      'modify UPDATE_IN_PROGRESS User Initiated',
      'Cluster UPDATE_IN_PROGRESS',
      'Cluster UPDATE_COMPLETE',
      'Nodegroup UPDATE_IN_PROGRESS',
      'Nodegroup UPDATE_COMPLETE',
      'modify UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
      'modify UPDATE_COMPLETE',
    ]);
    expect(
      (await c.cfn.send(new DescribeChangeSetCommand({ StackName: 'modify', ChangeSetName: 'upgrade' })))
        .ExecutionStatus,
    ).toBe('EXECUTE_COMPLETE');
  });

  it('a resource failure rolls the update back: UPDATE_ROLLBACK_COMPLETE, previous parameters kept', async () => {
    await createStack(c.cfn, 'rollback', { Version: '1.33' });
    // Two minors down: EKS refuses.
    await c.cfn.send(
      new UpdateStackCommand({
        StackName: 'rollback',
        UsePreviousTemplate: true,
        Parameters: previous(PARAM_KEYS, { Version: '1.31', NodeCount: '4' }),
        Capabilities: ['CAPABILITY_IAM'],
      }),
    );
    const s = await waitForStack(c.cfn, 'rollback');
    expect(s.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(s.Parameters!.find((p) => p.ParameterKey === 'Version')!.ParameterValue).toBe('1.33');
    const ev = await statuses('rollback');
    const failed = ev.find((e) => e.startsWith('Cluster UPDATE_FAILED'))!;
    expect(failed).toContain(
      'Unsupported Kubernetes minor version update from 1.33 to 1.31 (Service: Eks, Status Code: 400',
    );
    expect(ev).toContain(
      'rollback UPDATE_ROLLBACK_IN_PROGRESS The following resource(s) failed to update: [Cluster]. ',
    );
    expect(ev.slice(-2)).toEqual([
      'rollback UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
      'rollback UPDATE_ROLLBACK_COMPLETE',
    ]);
    expect((await c.eks.send(new DescribeClusterCommand({ name: 'rollback' }))).cluster!.version).toBe('1.33');
    // A stack in UPDATE_ROLLBACK_COMPLETE can be updated again.
    await c.cfn.send(
      new UpdateStackCommand({
        StackName: 'rollback',
        UsePreviousTemplate: true,
        Parameters: previous(PARAM_KEYS, { NodeCount: '1' }),
        Capabilities: ['CAPABILITY_IAM'],
      }),
    );
    expect((await waitForStack(c.cfn, 'rollback')).StackStatus).toBe('UPDATE_COMPLETE');
  });

  it('a create-only property replaces the node group: the new one is created before the old one is deleted', async () => {
    await createStack(c.cfn, 'replace');
    const before = (await c.eks.send(new ListNodegroupsCommand({ clusterName: 'replace' }))).nodegroups!;
    const template = eksTemplate() as { Resources: Record<string, { Properties: Record<string, unknown> }> };
    template.Resources.Nodegroup!.Properties.InstanceTypes = ['m5.large'];
    await c.cfn.send(
      new CreateChangeSetCommand({
        StackName: 'replace',
        ChangeSetName: 'bigger',
        TemplateBody: JSON.stringify(template),
        Parameters: previous(PARAM_KEYS, {}),
        Capabilities: ['CAPABILITY_IAM'],
      }),
    );
    const cs = await computed(c.cfn, 'replace', 'bigger');
    const ng = cs.Changes!.map((x) => x.ResourceChange!).find((r) => r.LogicalResourceId === 'Nodegroup')!;
    expect(ng).toMatchObject({ Action: 'Modify', Replacement: 'True' });
    expect(ng.Details).toEqual([
      {
        Target: { Attribute: 'Properties', Name: 'InstanceTypes', RequiresRecreation: 'Always' },
        Evaluation: 'Static',
        ChangeSource: 'DirectModification',
      },
    ]);
    await c.cfn.send(new ExecuteChangeSetCommand({ StackName: 'replace', ChangeSetName: 'bigger' }));
    expect((await waitForStack(c.cfn, 'replace')).StackStatus).toBe('UPDATE_COMPLETE');
    const after = (await c.eks.send(new ListNodegroupsCommand({ clusterName: 'replace' }))).nodegroups!;
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before[0]);
    const ev = await statuses('replace');
    const i = ev.indexOf(
      'Nodegroup UPDATE_IN_PROGRESS Requested update requires the creation of a new physical resource; hence creating one.',
    );
    expect(i).toBeGreaterThan(0);
    expect(ev.indexOf('Nodegroup UPDATE_COMPLETE')).toBeGreaterThan(i);
    // The old node group goes only in the cleanup phase, after the new one is complete.
    expect(ev.indexOf('Nodegroup DELETE_IN_PROGRESS')).toBeGreaterThan(
      ev.indexOf('replace UPDATE_COMPLETE_CLEANUP_IN_PROGRESS'),
    );
  });

  it('replacing a custom-named node group fails as CloudFormation does, and rolls back', async () => {
    const template = eksTemplate() as { Resources: Record<string, { Properties: Record<string, unknown> }> };
    template.Resources.Nodegroup!.Properties.NodegroupName = 'workers';
    await createStack(c.cfn, 'named', {}, template);
    template.Resources.Nodegroup!.Properties.InstanceTypes = ['m5.large'];
    await c.cfn.send(
      new UpdateStackCommand({
        StackName: 'named',
        TemplateBody: JSON.stringify(template),
        Parameters: previous(PARAM_KEYS, {}),
        Capabilities: ['CAPABILITY_IAM'],
      }),
    );
    expect((await waitForStack(c.cfn, 'named')).StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(await statuses('named')).toContain(
      'Nodegroup UPDATE_FAILED CloudFormation cannot update a stack when a custom-named resource requires replacing. Rename workers and update the stack again.',
    );
    expect(
      (await c.eks.send(new DescribeNodegroupCommand({ clusterName: 'named', nodegroupName: 'workers' }))).nodegroup!
        .instanceTypes,
    ).toEqual(['t3.medium']);
  });

  it('role B without the undo permission: UPDATE_ROLLBACK_FAILED; ContinueUpdateRollback with ResourcesToSkip finishes', async () => {
    await c.iam.send(
      new CreateRoleCommand({
        RoleName: 'eks-provisioner-upd',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'sts:AssumeRole' },
          ],
        }),
      }),
    );
    const statements = [
      ...CREATE_ONLY,
      {
        Effect: 'Allow',
        Action: ['cloudformation:UpdateStack', 'cloudformation:ContinueUpdateRollback', 'eks:UpdateAddon'],
        Resource: '*',
      },
    ];
    await c.iam.send(
      new PutRolePolicyCommand({
        RoleName: 'eks-provisioner-upd',
        PolicyName: 'provision',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
      }),
    );
    const creds = (
      await clients(sb, serviceCreds).sts.send(
        new AssumeRoleCommand({
          RoleArn: 'arn:aws:iam::222222222222:role/eks-provisioner-upd',
          RoleSessionName: 'upd',
        }),
      )
    ).Credentials!;
    const roleB = clients(sb, {
      accessKeyId: creds.AccessKeyId!,
      secretAccessKey: creds.SecretAccessKey!,
      sessionToken: creds.SessionToken!,
    });
    await createStack(roleB.cfn, 'undo');

    // Forward: the admin entry gains a view policy (AssociateAccessPolicy: allowed) while CoreDNS asks
    // for a version EKS does not offer (fails). Undoing the association needs DisassociateAccessPolicy.
    const template = eksTemplate() as { Resources: Record<string, { Properties: Record<string, unknown> }> };
    (template.Resources.AdminAccess!.Properties.AccessPolicies as unknown[]).push({
      PolicyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy',
      AccessScope: { Type: 'cluster' },
    });
    template.Resources.CoreDns!.Properties.AddonVersion = 'v0.0.1-eksbuild.1';
    await roleB.cfn.send(
      new UpdateStackCommand({
        StackName: 'undo',
        TemplateBody: JSON.stringify(template),
        Parameters: previous(PARAM_KEYS, {}),
        Capabilities: ['CAPABILITY_IAM'],
      }),
    );
    const failed = await waitForStack(roleB.cfn, 'undo');
    expect(failed.StackStatus).toBe('UPDATE_ROLLBACK_FAILED');
    expect(failed.StackStatusReason).toBe('The following resource(s) failed to update: [AdminAccess]. ');
    const ev = await statuses('undo');
    expect(ev.filter((e) => e.startsWith('AdminAccess UPDATE_FAILED')).at(-1)).toContain(
      'eks:DisassociateAccessPolicy',
    );
    const entry = (
      await c.eks.send(
        new DescribeAccessEntryCommand({
          clusterName: 'undo',
          principalArn: eksParameters().find((p) => p.ParameterKey === 'AdminPrincipalArn')!.ParameterValue,
        }),
      )
    ).accessEntry!;
    expect(entry).toBeDefined();

    const notFailed = await failure(
      roleB.cfn.send(new ContinueUpdateRollbackCommand({ StackName: 'undo', ResourcesToSkip: ['Cluster'] })),
    );
    expect(notFailed.name).toBe('ValidationError');
    await roleB.cfn.send(new ContinueUpdateRollbackCommand({ StackName: 'undo', ResourcesToSkip: ['AdminAccess'] }));
    const done = await waitForStack(roleB.cfn, 'undo');
    expect(done.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    const again = await failure(roleB.cfn.send(new ContinueUpdateRollbackCommand({ StackName: 'undo' })));
    expect(again.name).toBe('ValidationError');
    expect((await roleB.cfn.send(new DescribeStacksCommand({ StackName: 'undo' }))).Stacks![0]!.StackStatus).toBe(
      'UPDATE_ROLLBACK_COMPLETE',
    );
  });
});
