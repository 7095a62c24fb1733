/**
 * The real statemachine/delete-cluster.asl.json on aws-local-stepfunctions: Lambda tasks run the
 * functions' real cores through the real middleware with a Lambda-like JSON boundary (role B through
 * mocked STS, CloudFormation mocked per call), DynamoDB tasks go unchanged to dynalite (the store
 * reads the record back), EventBridge tasks are captured. Wait states take 0 ms; each poll advances
 * a virtual clock by the wait the previous poll chose.
 */
import { readFileSync } from 'node:fs';
import {
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import {
  DeleteItemCommand,
  type DeleteItemCommandInput,
  GetItemCommand,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { StateMachine } from 'aws-local-stepfunctions';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { assumeProvisionRole } from '../../functions/assume-provision-role/assume-provision-role.js';
import { completeDeletion } from '../../functions/complete-deletion/complete-deletion.js';
import { deleteClusterStack } from '../../functions/delete-cluster-stack/delete-cluster-stack.js';
import { cloudFormationClient } from '../../functions/lib/aws/clients.js';
import { roleBSession } from '../../functions/lib/aws/tenant-role.js';
import type { DeletionRequest } from '../../functions/lib/state.js';
import { keys } from '../../functions/lib/store/keys.js';
import type { ClusterRecord } from '../../functions/lib/store/types.js';
import { pollStackDeletion } from '../../functions/poll-stack-deletion/poll-stack-deletion.js';
import { clusterRecord } from '../support/cluster-record.js';
import { asCorrectRoleB } from '../unit/aws/fixtures.js';
import {
  findCredentials,
  Harness,
  LambdaError,
  lambdaTask,
  ROLE_B_CREDENTIALS,
  runToEnd,
  SERVICE_ACCOUNT,
  workflowDefinition,
} from './harness.js';

const h = new Harness();
beforeAll(() => h.start(), 60_000);
afterAll(() => h.stop());
beforeEach(() => h.reset());

const ASL = new URL('../../statemachine/delete-cluster.asl.json', import.meta.url);
const EXECUTION = `arn:aws:states:us-east-1:${SERVICE_ACCOUNT}:execution:eks-provisioner-delete-cluster:c-del-1`;
const STACK_ID =
  'arn:aws:cloudformation:us-east-1:222222222222:stack/eks-provisioner-demo/0a1b2c3d-0000-4000-8000-000000000001';
const ROLE_B = 'arn:aws:iam::222222222222:role/eks-provisioner-provision';

const definition = () =>
  workflowDefinition(ASL, h.table, [
    'AssumeProvisionRole',
    'DeleteClusterStack',
    'PollStackDeletion',
    'CompleteDeletion',
  ]);

async function seedRecord(status: ClusterRecord['status'], extra: Partial<ClusterRecord> = {}): Promise<ClusterRecord> {
  const now = new Date().toISOString();
  const record = clusterRecord('c-del-1', now, {
    phase: 'Queued',
    settings: { provisionRoleArn: ROLE_B } as ClusterRecord['settings'],
    stackId: STACK_ID,
  });
  await h.store.createCluster(record);
  await h.store.updateCluster('local', record.id, { status, ...extra });
  return record;
}

const ev = (id: string, logical: string, type: string, status: string, t: number, reason?: string): StackEvent => ({
  // (status is a StackEvent ResourceStatus string)
  EventId: id,
  StackId: STACK_ID,
  StackName: 'eks-provisioner-demo',
  LogicalResourceId: logical,
  PhysicalResourceId: logical === 'eks-provisioner-demo' ? STACK_ID : `${logical}-phys`,
  ResourceType: type,
  Timestamp: new Date(t),
  ResourceStatus: status as StackEvent['ResourceStatus'],
  ...(reason ? { ResourceStatusReason: reason } : {}),
});

/** A created stack, then its deletion: node group and add-ons first, then the cluster, then the roles. */
function deletionEvents(t0: number, failCluster?: string): StackEvent[] {
  const S = 'AWS::CloudFormation::Stack';
  const out: StackEvent[] = [ev('c0', 'eks-provisioner-demo', S, 'CREATE_IN_PROGRESS', t0 - 900_000)];
  for (const [id, type] of [
    ['NodeRole', 'AWS::IAM::Role'],
    ['Cluster', 'AWS::EKS::Cluster'],
    ['Nodegroup', 'AWS::EKS::Nodegroup'],
    ['VpcCniAddon', 'AWS::EKS::Addon'],
  ] as const) {
    out.push(
      ev(`${id}-c1`, id, type, 'CREATE_IN_PROGRESS', t0 - 800_000),
      ev(`${id}-c2`, id, type, 'CREATE_COMPLETE', t0 - 700_000),
    );
  }
  out.push(ev('c9', 'eks-provisioner-demo', S, 'CREATE_COMPLETE', t0 - 600_000));
  out.push(ev('d0', 'eks-provisioner-demo', S, 'DELETE_IN_PROGRESS', t0, 'User Initiated'));
  out.push(
    ev('d1', 'VpcCniAddon', 'AWS::EKS::Addon', 'DELETE_IN_PROGRESS', t0 + 1000),
    ev('d2', 'VpcCniAddon', 'AWS::EKS::Addon', 'DELETE_COMPLETE', t0 + 40_000),
  );
  out.push(
    ev('d3', 'Nodegroup', 'AWS::EKS::Nodegroup', 'DELETE_IN_PROGRESS', t0 + 1000),
    ev('d4', 'Nodegroup', 'AWS::EKS::Nodegroup', 'DELETE_COMPLETE', t0 + 240_000),
  );
  out.push(ev('d5', 'Cluster', 'AWS::EKS::Cluster', 'DELETE_IN_PROGRESS', t0 + 241_000));
  if (failCluster) {
    out.push(ev('d6', 'Cluster', 'AWS::EKS::Cluster', 'DELETE_FAILED', t0 + 480_000, failCluster));
    out.push(
      ev(
        'd9',
        'eks-provisioner-demo',
        S,
        'DELETE_FAILED',
        t0 + 481_000,
        'The following resource(s) failed to delete: [Cluster]. ',
      ),
    );
    return out;
  }
  out.push(ev('d6', 'Cluster', 'AWS::EKS::Cluster', 'DELETE_COMPLETE', t0 + 480_000));
  out.push(
    ev('d7', 'NodeRole', 'AWS::IAM::Role', 'DELETE_IN_PROGRESS', t0 + 481_000),
    ev('d8', 'NodeRole', 'AWS::IAM::Role', 'DELETE_COMPLETE', t0 + 484_000),
  );
  out.push(ev('d9', 'eks-provisioner-demo', S, 'DELETE_COMPLETE', t0 + 485_000));
  return out;
}

interface Scenario {
  stack: 'present' | 'gone';
  failCluster?: string;
  deleteDenied?: boolean;
}

async function run(s: Scenario) {
  const config = { roleNamePrefix: 'eks-provisioner-' };
  const store = h.store;
  const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);
  let virtualNow = t0 - 1000;
  const now = () => new Date(virtualNow);
  const captured: Array<{ DetailType: string; Detail: string }> = [];
  const calls: Record<string, number> = {};
  // Role B as the customer made it: assumable only with this tenant's External ID.
  h.sts.on(AssumeRoleCommand).callsFake(
    asCorrectRoleB(async () => [(await store.getTenant('local'))?.externalId ?? ''], {
      Credentials: { ...ROLE_B_CREDENTIALS, Expiration: new Date(Date.now() + 3600_000) },
      AssumedRoleUser: {
        Arn: 'arn:aws:sts::222222222222:assumed-role/eks-provisioner-provision/eks-provisioner-c-del-1',
        AssumedRoleId: 'AROAEXAMPLE:x',
      },
    }),
  );
  h.ec2
    .on(DescribeRegionsCommand)
    .resolves({ Regions: [{ RegionName: 'us-east-1', OptInStatus: 'opt-in-not-required' }] });
  h.cfn.on(DescribeStacksCommand).callsFake(() => {
    if (s.stack === 'gone')
      return {
        Stacks: [
          {
            StackId: STACK_ID,
            StackName: 'eks-provisioner-demo',
            StackStatus: 'DELETE_COMPLETE',
            CreationTime: new Date(t0 - 900_000),
          },
        ],
      };
    return {
      Stacks: [
        {
          StackId: STACK_ID,
          StackName: 'eks-provisioner-demo',
          StackStatus: 'CREATE_COMPLETE',
          CreationTime: new Date(t0 - 900_000),
        },
      ],
    };
  });
  h.cfn.on(DeleteStackCommand).callsFake(() => {
    calls.DeleteStack = (calls.DeleteStack ?? 0) + 1;
    if (s.deleteDenied) {
      throw Object.assign(
        new Error(
          `User: arn:aws:sts::222222222222:assumed-role/eks-provisioner-provision/eks-provisioner-c-del-1 is not authorized to perform: cloudformation:DeleteStack on resource: ${STACK_ID} because no identity-based policy allows the cloudformation:DeleteStack action`,
        ),
        {
          name: 'AccessDenied',
          $fault: 'client',
          $metadata: { httpStatusCode: 403 },
        },
      );
    }
    virtualNow = t0;
    return {};
  });
  const all = deletionEvents(t0, s.failCluster);
  h.cfn
    .on(DescribeStackEventsCommand)
    .callsFake(() => ({ StackEvents: all.filter((e) => e.Timestamp!.getTime() <= virtualNow).reverse() }));

  const core: Record<string, (input: unknown) => Promise<unknown>> = {
    AssumeProvisionRole: lambdaTask((e) => assumeProvisionRole(e as never, { store, config })),
    DeleteClusterStack: lambdaTask(async (e) => {
      const { session } = await roleBSession(e as DeletionRequest, { store, config });
      return deleteClusterStack(e as DeletionRequest, { store, cloudformation: cloudFormationClient(session), now });
    }),
    PollStackDeletion: lambdaTask(async (e) => {
      const st = e as DeletionRequest & { poll?: { nextWaitSeconds?: number } };
      virtualNow += (st.poll?.nextWaitSeconds ?? 0) * 1000;
      calls.polls = (calls.polls ?? 0) + 1;
      const { session } = await roleBSession(st, { store, config });
      return pollStackDeletion(e as never, { cloudformation: cloudFormationClient(session), now, maxSeconds: 3600 });
    }),
    CompleteDeletion: lambdaTask((e) =>
      completeDeletion(e as never, {
        cloudformation: async () =>
          cloudFormationClient(
            (await roleBSession((e as { state: DeletionRequest }).state, { store, config })).session,
          ),
        now,
      }),
    ),
    RecordDeleting: (p) => ddb('update', p),
    RecordDeleted: (p) => ddb('update', p),
    RecordDeletionFailed: (p) => ddb('update', p),
    RecordUndiagnosedDeletionFailure: (p) => ddb('update', p),
    ReleaseName: (p) => ddb('delete', p),
    NotifyDeleted: async (p) => capture(p),
    NotifyDeletionFailed: async (p) => capture(p),
  };
  // The same function runs as DiagnoseDeletionFailure (handlers are keyed by state name).
  core.DiagnoseDeletionFailure = core.CompleteDeletion!;
  const capture = (p: unknown) => {
    for (const e of (p as { Entries: Array<{ DetailType: string; Detail: unknown }> }).Entries)
      captured.push({
        DetailType: e.DetailType,
        Detail: typeof e.Detail === 'string' ? e.Detail : JSON.stringify(e.Detail),
      });
    return { Entries: [{ EventId: 'x' }], FailedEntryCount: 0 };
  };
  const ddb = async (op: 'update' | 'delete', p: unknown) => {
    try {
      const out =
        op === 'update'
          ? await h.ddb.send(new UpdateItemCommand(p as UpdateItemCommandInput))
          : await h.ddb.send(new DeleteItemCommand(p as DeleteItemCommandInput));
      const { $metadata: _m, ...rest } = out;
      return JSON.parse(JSON.stringify(rest));
    } catch (e) {
      throw new LambdaError(`DynamoDB.${(e as Error).name}`, (e as Error).message);
    }
  };
  const def = definition() as { States: Record<string, { Type: string }> };
  // Every Task runs here: none may fall through to a real AWS call.
  for (const [name, st] of Object.entries(def.States))
    if (st.Type === 'Task' && !core[name]) throw new Error(`no local handler for Task ${name}`);
  const machine = new StateMachine(def as never, { validationOptions: { checkArn: false } });
  const execution = machine.run({ tenantId: 'local', clusterId: 'c-del-1' } as never, {
    overrides: {
      taskResourceLocalHandlers: core as never,
      waitTimeOverrides: { WaitForDeletion: 0 },
      retryIntervalOverrides: Object.fromEntries(Object.keys(core).map((k) => [k, 0])),
    },
    context: {
      Execution: { Id: EXECUTION, Name: 'c-del-1', StartTime: new Date(t0 - 2000).toISOString() },
      State: Object.defineProperty({}, 'EnteredTime', { enumerable: true, get: () => new Date().toISOString() }),
    } as never,
  });
  const { log, error } = await runToEnd(execution);
  const record = await store.getCluster('local', 'c-del-1');
  const claim = await h.ddb.send(
    new GetItemCommand({
      TableName: h.table,
      Key: { PK: { S: keys.nameClaim('222222222222', 'us-east-1', 'demo').PK }, SK: { S: 'NAME' } },
    }),
  );
  const entered = log.filter((e) => e.type === 'StateEntered').map((e) => (e.state as { name: string }).name);
  return { error, record, claim: claim.Item, captured, calls, entered, log, elapsed: (virtualNow - t0) / 1000 };
}

describe('delete-cluster state machine', () => {
  it('is valid for asl-validator and every Task has Retry and a Catch', async () => {
    const { createRequire } = await import('node:module');
    const validator = createRequire(import.meta.url)('asl-validator') as (d: unknown) => {
      isValid: boolean;
      errors: unknown[];
    };
    expect(validator(definition()).errors).toEqual([]);
    const def = JSON.parse(readFileSync(ASL, 'utf8')) as { States: Record<string, Record<string, unknown>> };
    for (const [name, s] of Object.entries(def.States)) {
      if (s.Type !== 'Task') continue;
      expect((s.Retry as unknown[]).length, name).toBeGreaterThan(0);
      expect(
        (s.Catch as Array<{ ErrorEquals: string[] }>).some((c) => c.ErrorEquals.includes('States.ALL')),
        name,
      ).toBe(true);
    }
  });

  it('CREATED → DELETING → DeleteStack → adaptive polls → DELETED, name released, Succeeded event', async () => {
    await seedRecord('CREATED');
    const r = await run({ stack: 'present' });
    expect(r.error).toBeUndefined();
    expect(r.entered).toEqual(
      expect.arrayContaining([
        'RecordDeleting',
        'AssumeProvisionRole',
        'DeleteClusterStack',
        'PollStackDeletion',
        'CompleteDeletion',
        'RecordDeleted',
        'ReleaseName',
        'NotifyDeleted',
      ]),
    );
    expect(r.record).toMatchObject({ status: 'DELETED', phase: 'Deleted', executionArn: EXECUTION });
    expect(r.record?.deletedAt).toBeTruthy();
    expect(r.claim).toBeUndefined();
    expect(r.captured.map((c) => c.DetailType)).toEqual(['EKS Cluster Deletion Succeeded']);
    expect(JSON.parse(r.captured[0]!.Detail)).toMatchObject({
      clusterId: 'c-del-1',
      status: 'DELETED',
      stackId: STACK_ID,
      name: 'demo',
    });
    // Adaptive: an 8-minute deletion followed in a handful of looks, and seen promptly at its end.
    if (process.env.SHOW_POLLS)
      console.log(`deletion followed with ${r.calls.polls} polls, seen ${r.elapsed - 485} s after DELETE_COMPLETE`);
    expect(r.calls.polls).toBeLessThanOrEqual(12);
    expect(r.elapsed).toBeLessThan(485 + 60);
    for (const e of [...r.log, ...r.captured, r.record]) expect(findCredentials(e)).toEqual([]);
  });

  it('a stack already gone (deleted by hand): no DeleteStack, straight to DELETED', async () => {
    await seedRecord('FAILED');
    const r = await run({ stack: 'gone' });
    expect(r.error).toBeUndefined();
    expect(r.calls.DeleteStack).toBeUndefined();
    expect(r.entered).not.toContain('PollStackDeletion');
    expect(r.record).toMatchObject({ status: 'DELETED', phase: 'Stack already gone' });
    expect(r.claim).toBeUndefined();
  });

  it('DeleteStack denied → FAILED with DELETE_NOT_PERMITTED and the commands; the name stays claimed', async () => {
    await seedRecord('CREATED');
    const r = await run({ stack: 'present', deleteDenied: true });
    expect(r.error?.name, JSON.stringify(r.record?.diagnosis)).toBe('DELETE_NOT_PERMITTED');
    expect(r.record?.status).toBe('FAILED');
    expect(r.record?.diagnosis?.code).toBe('DELETE_NOT_PERMITTED');
    expect(r.record?.diagnosis?.remediation.join('\n')).toContain(
      `aws cloudformation delete-stack --stack-name ${STACK_ID} --region us-east-1`,
    );
    expect(r.claim).toBeDefined();
    expect(r.captured.map((c) => c.DetailType)).toEqual(['EKS Cluster Deletion Failed']);
  });

  it('a resource that fails to delete → FAILED with DELETE_FAILED naming it and AWS reason', async () => {
    await seedRecord('CREATED');
    const reason =
      'Resource handler returned message: "resource sg-0123456789abcdef0 has a dependent object (Service: Ec2, Status Code: 400, Request ID: 11111111-2222-3333-4444-555555555555)" (RequestToken: 66666666-7777-8888-9999-000000000000, HandlerErrorCode: GeneralServiceException)';
    const r = await run({ stack: 'present', failCluster: reason });
    expect(r.error?.name, JSON.stringify(r.record?.diagnosis)).toBe('DELETE_FAILED');
    const d = r.record?.diagnosis;
    expect(d?.code).toBe('DELETE_FAILED');
    expect(d?.failedResource).toMatchObject({
      logicalId: 'Cluster',
      type: 'AWS::EKS::Cluster',
      reason: 'resource sg-0123456789abcdef0 has a dependent object',
    });
    expect(d?.message).toMatch(/load balancer/);
    expect(d?.remediation.join('\n')).toContain('Values=sg-0123456789abcdef0');
    expect(r.claim).toBeDefined();
  });

  it('a cluster still CREATING is not touched (the run fails at RecordDeleting)', async () => {
    await seedRecord('CREATING');
    const r = await run({ stack: 'present' });
    expect(r.error?.name).toBe('DELETE_NOT_STARTED');
    expect(r.record?.status).toBe('CREATING');
    expect(r.calls.DeleteStack).toBeUndefined();
  });
});
