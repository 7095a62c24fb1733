/**
 * Runs the real statemachine/provision-cluster.asl.json on aws-local-stepfunctions. Every Task
 * resource is overridden with a local handler:
 * - Lambda tasks run the functions' real cores through the real middleware (lambdaHandler) with a
 *   Lambda-like JSON boundary and error transport (Error = errorType, Cause = JSON), and real role B
 *   credentials plumbing (STS, EC2, CloudFormation, EKS mocked per SDK client class);
 * - DynamoDB tasks send the Parameters the machine built, unchanged, to a real DynamoDB emulator
 *   (dynalite), where the store (DynamoStore) reads the record back;
 * - EventBridge tasks capture the entries (Detail serialised as Step Functions does).
 * A virtual clock runs the simulated stack (test/support/simulators/stack.ts): each poll advances it by the
 * previous poll's chosen wait, while Wait states take 0 ms.
 */
import '../support/promise-with-resolvers.js';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { DynamoDBClient, UpdateItemCommand, type UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeClusterCommand, DescribeNodegroupCommand, EKSClient } from '@aws-sdk/client-eks';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { StateMachine } from 'aws-local-stepfunctions';
import { type AwsStub, mockClient } from 'aws-sdk-client-mock';
import { assumeProvisionRole } from '../../functions/assume-provision-role/assume-provision-role.js';
import { configureCluster } from '../../functions/configure-cluster/configure-cluster.js';
import { createClusterStack } from '../../functions/create-cluster-stack/create-cluster-stack.js';
import { diagnoseFailure } from '../../functions/diagnose-failure/diagnose-failure.js';
import { finalizeCluster } from '../../functions/finalize-cluster/finalize-cluster.js';
import { cloudFormationClient, eksClient } from '../../functions/lib/aws/clients.js';
import { clearCredentialCache } from '../../functions/lib/aws/provision-role.js';
import { roleBSession } from '../../functions/lib/aws/tenant-role.js';
import type { KubeApi } from '../../functions/lib/kubernetes/client.js';
import { lambdaHandler, logger } from '../../functions/lib/middleware.js';
import type { PreflightResult, ValidatedRequest } from '../../functions/lib/state.js';
import { DynamoStore, documentClient } from '../../functions/lib/store/dynamo-store.js';
import { tableDefinition } from '../../functions/lib/store/table-definition.js';
import { TAG_KEYS } from '../../functions/lib/template/constants.js';
import { OUTPUT_KEYS } from '../../functions/lib/template/index.js';
import { pollClusterStack } from '../../functions/poll-cluster-stack/poll-cluster-stack.js';
import { validateRequest } from '../../functions/validate-request/validate-request.js';
import { createTableUntilActive, TABLE_CREATING_MS } from '../../local/runner/create-table.js';
import { eventsVisibleAt, type FailurePlan, type SimulatedStack, simulateStack } from '../support/simulators/stack.js';
import { asCorrectRoleB, roleBReadsItsTrust } from '../unit/aws/fixtures.js';

const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (o: Record<string, unknown>) => Server;

export const SERVICE_ACCOUNT = '111111111111';
export const ASL_PATH = new URL('../../statemachine/provision-cluster.asl.json', import.meta.url);
/** The role B session STS hands out in these tests: must never show up anywhere. */
export const ROLE_B_CREDENTIALS = {
  AccessKeyId: 'ASIAQ3EGUIRE7EXAMPLE',
  SecretAccessKey: 'Xq9vT2bR8kLmN4pZ7wY1cH6jF3sD5gA0eU8iO2tK',
  SessionToken:
    'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDexampleexampleexampleexampleexampleexampleAiBexampleexampleexample==',
};

export type TaskName =
  | 'ValidateRequest'
  | 'AssumeProvisionRole'
  | 'DescribeVpcResources'
  | 'CreateClusterStack'
  | 'PollClusterStack'
  | 'FinalizeCluster'
  | 'ConfigureCluster'
  | 'DiagnoseFailure'
  | 'RecordRequest'
  | 'RecordSucceeded'
  | 'RecordFailed'
  | 'RecordUndiagnosedFailure'
  | 'NotifyStarted'
  | 'NotifySucceeded'
  | 'NotifyFailed';

export interface CapturedEvent {
  EventBusName: string;
  Source: string;
  DetailType: string;
  Detail: string;
}

export interface ScenarioOptions {
  /** Simulated stack: failure plan, or 'stuck' for one that never finishes. */
  stack?: { failure?: FailurePlan; stuck?: boolean; rollbackFails?: boolean; seed?: number };
  maxProvisioningSeconds?: number;
  /** Wrap or replace a task's handler (e.g. to fail the first N calls). */
  around?: Partial<
    Record<TaskName, (next: (input: unknown) => Promise<unknown>, input: unknown, call: number) => Promise<unknown>>
  >;
  /** CreateStack answers AlreadyExists; the existing stack carries this cluster id tag. */
  existingStackOwner?: string;
  /** ConfigureCluster sees the nodes NotReady for this many looks (default 0: Ready at once). */
  nodesReadyAfterLooks?: number;
}

/** One Lambda invocation across the wire: JSON in, JSON out, errors as Lambda reports them. */
export class LambdaError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}
function overTheWire<T>(v: T): T {
  return v === undefined ? (null as T) : (JSON.parse(JSON.stringify(v)) as T);
}
/** A Lambda task for aws-local-stepfunctions: the function's core behind the real middleware, over JSON. */
export function lambdaTask(fn: (event: unknown) => Promise<unknown>) {
  const wrapped = lambdaHandler(fn);
  return async (input: unknown) => {
    try {
      return overTheWire(await wrapped(overTheWire(input)));
    } catch (e) {
      const err = e as Error;
      throw new LambdaError(
        err.name || 'Error',
        JSON.stringify({
          errorType: err.name || 'Error',
          errorMessage: err.message,
          trace: String(err.stack ?? '').split('\n'),
        }),
      );
    }
  };
}

/** An ASL file with its `${…}` filled as the CDK stack fills them; an unknown one is an error. */
export function substitutedDefinition(asl: URL, subs: Record<string, string>): Record<string, unknown> {
  const text = readFileSync(asl, 'utf8').replace(/\$\{([A-Za-z0-9_]+)\}/g, (_, k: string) => {
    if (!(k in subs)) throw new Error(`unknown substitution \${${k}}`);
    return subs[k]!;
  });
  return JSON.parse(text) as Record<string, unknown>;
}

/** The delete and update machines' definitions for the library: table, bus, and `<Task>FunctionArn`s. */
export function workflowDefinition(asl: URL, table: string, tasks: string[]): Record<string, unknown> {
  const subs: Record<string, string> = { TableName: table, EventBusName: 'eks-provisioner' };
  for (const n of tasks) subs[`${n}FunctionArn`] = `arn:aws:lambda:us-east-1:${SERVICE_ACCOUNT}:function:${n}`;
  return forLibrary(substitutedDefinition(asl, subs));
}

/** Waits for an execution to end: its whole event log, and the error it failed with (if it did). */
export async function runToEnd(execution: { eventLogs: AsyncIterable<unknown>; result: Promise<unknown> }) {
  const log: Array<Record<string, unknown>> = [];
  const collecting = (async () => {
    for await (const e of execution.eventLogs) log.push(e as Record<string, unknown>);
  })();
  let error: { name: string; message: string } | undefined;
  try {
    await execution.result;
  } catch (e) {
    error = { name: (e as Error).name, message: (e as Error).message };
  }
  await collecting;
  const failed = log.find((e) => e.type === 'ExecutionFailed');
  if (failed) error = { name: String(failed.Error), message: String(failed.Cause) };
  return { log, error };
}

export class Harness {
  server!: Server;
  ddb!: DynamoDBClient;
  store!: DynamoStore;
  table = '';
  private tableN = 0;
  sts!: AwsStub<any, any, any>;
  ec2!: AwsStub<any, any, any>;
  cfn!: AwsStub<any, any, any>;
  eks!: AwsStub<any, any, any>;
  iam!: AwsStub<any, any, any>;

  async start(): Promise<void> {
    logger.setLogLevel('SILENT');
    this.server = dynalite({ createTableMs: TABLE_CREATING_MS });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    const { port } = this.server.address() as AddressInfo;
    this.ddb = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    });
    this.sts = mockClient(STSClient);
    this.ec2 = mockClient(EC2Client);
    this.cfn = mockClient(CloudFormationClient);
    this.eks = mockClient(EKSClient);
    this.iam = mockClient(IAMClient);
  }

  async stop(): Promise<void> {
    for (const m of [this.sts, this.ec2, this.cfn, this.eks, this.iam]) m?.restore();
    this.ddb?.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** A fresh table, tenant "local" with its External ID, and mocks reset. */
  async reset(): Promise<void> {
    this.table = `sm-test-${++this.tableN}`;
    await createTableUntilActive(this.ddb, tableDefinition(this.table));
    this.store = new DynamoStore(documentClient(this.ddb), this.table);
    await this.store.getOrCreateTenant('local');
    for (const m of [this.sts, this.ec2, this.cfn, this.eks, this.iam]) m.reset();
    clearCredentialCache();
    // The External ID proof: the service's own account, and role B reading its (correct) trust policy.
    this.sts.on(GetCallerIdentityCommand).resolves({
      Account: SERVICE_ACCOUNT,
      Arn: `arn:aws:iam::${SERVICE_ACCOUNT}:user/eks-provisioner`,
      UserId: 'AIDAEXAMPLE',
    });
    this.iam.on(GetRoleCommand).callsFake(roleBReadsItsTrust(SERVICE_ACCOUNT));
  }

  /** The definition as deployed, with the substitutions the CDK stack fills. */
  definition(): Record<string, unknown> {
    const subs: Record<string, string> = { TableName: this.table, EventBusName: 'eks-provisioner' };
    for (const name of [
      'ValidateRequest',
      'AssumeProvisionRole',
      'DescribeVpcResources',
      'CreateClusterStack',
      'PollClusterStack',
      'DiagnoseFailure',
      'FinalizeCluster',
      'ConfigureCluster',
    ]) {
      subs[`${name}FunctionArn`] =
        `arn:aws:lambda:us-east-1:${SERVICE_ACCOUNT}:function:eks-provisioner-${name.replace(/[A-Z]/g, (c, i) => (i ? '-' : '') + c.toLowerCase())}`;
    }
    return substitutedDefinition(ASL_PATH, subs);
  }

  async run(input: unknown, opts: ScenarioOptions = {}) {
    const region = 'us-east-1';
    const seed = opts.stack?.seed ?? 7;
    let sim: SimulatedStack | undefined;
    let virtualNow = 0;
    let stackOffset = 0;
    const captured: CapturedEvent[] = [];
    const calls: Record<string, number> = {};
    const config = { roleNamePrefix: 'eks-provisioner-' };
    const maxSeconds = opts.maxProvisioningSeconds ?? 3600;

    // Role B: STS hands out a session; EC2 says the region is enabled.
    this.sts.on(AssumeRoleCommand).callsFake(
      asCorrectRoleB(async () => [(await this.store.getTenant('local'))?.externalId ?? ''], {
        Credentials: { ...ROLE_B_CREDENTIALS, Expiration: new Date(Date.now() + 3600_000) },
        AssumedRoleUser: {
          Arn: 'arn:aws:sts::222222222222:assumed-role/eks-provisioner-provision/eks-provisioner-c',
          AssumedRoleId: 'AROAEXAMPLE:x',
        },
      }),
    );
    this.ec2
      .on(DescribeRegionsCommand)
      .resolves({ Regions: [{ RegionName: region, OptInStatus: 'opt-in-not-required' }] });

    // CloudFormation: the simulated stack, seen through a virtual clock.
    const stackOf = () => sim!;
    this.cfn.on(CreateStackCommand).callsFake(() => {
      if (opts.existingStackOwner !== undefined)
        throw Object.assign(new Error('Stack [eks-provisioner-demo] already exists'), {
          name: 'AlreadyExistsException',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
        });
      return { StackId: stackOf().stackId };
    });
    this.cfn.on(DescribeStacksCommand).callsFake(() => {
      const s = stackOf();
      const owner = opts.existingStackOwner;
      return {
        Stacks: [
          {
            StackId: s.stackId,
            StackName: s.stackName,
            CreationTime: new Date(s.createdAt),
            StackStatus: 'CREATE_COMPLETE',
            Tags: [{ Key: TAG_KEYS.clusterId, Value: owner ?? 'unused' }],
            Outputs: [
              { OutputKey: OUTPUT_KEYS.clusterName, OutputValue: 'demo' },
              { OutputKey: OUTPUT_KEYS.nodegroupName, OutputValue: 'Nodegroup-Xy12Ab34Cd56' },
            ],
          },
        ],
      };
    });
    this.cfn.on(DescribeStackEventsCommand).callsFake(() => ({ StackEvents: eventsVisibleAt(stackOf(), virtualNow) }));
    this.eks.on(DescribeClusterCommand).resolves({
      cluster: {
        name: 'demo',
        arn: 'arn:aws:eks:us-east-1:222222222222:cluster/demo',
        endpoint: 'https://0A1B2C3D4E5F60718293A4B5C6D7E8F9.gr7.us-east-1.eks.amazonaws.com',
        certificateAuthority: {
          data: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUMvakNDQWVhZ0F3SUJBZ0lCQURBTkJna3Foa2lHOXcwQkFRc0ZBREFWTVJNd0VRWURWUVFERXdwcmRXSmwKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=',
        },
        version: '1.33',
        identity: { oidc: { issuer: 'https://oidc.eks.us-east-1.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9' } },
      },
    });
    this.eks.on(DescribeNodegroupCommand).resolves({
      nodegroup: {
        status: 'ACTIVE',
        nodeRole: 'arn:aws:iam::222222222222:role/eks-provisioner/eks-provisioner-demo-NodeRole-1A2B3C4D5E6F',
      },
    });

    const now = () => new Date(virtualNow);
    const store = this.store;
    const core: Record<string, (input: unknown) => Promise<unknown>> = {
      ValidateRequest: lambdaTask((e) =>
        validateRequest(e as never, { store, config, now: () => new Date(), newId: () => 'c-statemachine01' }),
      ),
      AssumeProvisionRole: lambdaTask((e) => assumeProvisionRole(e as ValidatedRequest, { store, config })),
      // Pre-flight has its own tests; here it reports the request's resources as found.
      DescribeVpcResources: lambdaTask(async (e) => {
        const req = e as ValidatedRequest;
        const zones = ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d'];
        return {
          kubernetesVersion: req.cluster.kubernetesVersion ?? '1.33',
          vpcId: req.cluster.vpcId,
          subnets: req.cluster.subnetIds.map((subnetId, i) => ({
            subnetId,
            availabilityZone: zones[i % 4]!,
            availabilityZoneId: `use1-az${[1, 2, 4, 5][i % 4]}`,
          })),
          availabilityZones: zones.slice(0, req.cluster.subnetIds.length),
          securityGroupIds: req.cluster.securityGroupIds,
          serviceRoleArn: req.cluster.serviceRoleArn,
          ...(req.cluster.keyName ? { keyName: req.cluster.keyName } : {}),
        } satisfies PreflightResult;
      }),
      CreateClusterStack: lambdaTask(async (e) => {
        const req = e as ValidatedRequest;
        sim = simulateStack(seed, {
          stackName: req.stackName,
          createdAt: Date.now(),
          admins: req.cluster.adminPrincipalArns.length,
          ...(opts.stack?.failure ? { failure: opts.stack.failure } : {}),
        });
        if (opts.stack?.stuck)
          sim = { ...sim, events: sim.events.filter((ev) => !/COMPLETE|FAILED/.test(String(ev.ResourceStatus))) };
        if (opts.stack?.rollbackFails) sim = withFailedRollback(sim);
        virtualNow = sim.createdAt + 1000;
        stackOffset = virtualNow;
        const { session } = await roleBSession(req, { store, config });
        return createClusterStack(e as never, { cloudformation: cloudFormationClient(session), now });
      }),
      PollClusterStack: lambdaTask(async (e) => {
        const st = e as { poll?: { nextWaitSeconds?: number } } & ValidatedRequest;
        virtualNow += (st.poll?.nextWaitSeconds ?? 0) * 1000;
        const { session } = await roleBSession(st, { store, config });
        return pollClusterStack(e as never, {
          cloudformation: cloudFormationClient(session),
          now,
          maxProvisioningSeconds: maxSeconds,
        });
      }),
      // The cluster's Kubernetes API has its own tests (unit + sandbox); here nodes are Ready after
      // `opts.nodesReadyAfterLooks` looks and the EBS CSI add-on's default class exists.
      ConfigureCluster: lambdaTask(async (e) => {
        const { session } = await roleBSession(e as ValidatedRequest, { store, config });
        calls.kubeLooks = (calls.kubeLooks ?? 0) + 1;
        const looks = calls.kubeLooks;
        const fake: KubeApi = {
          listNodes: async () => [
            { name: 'ip-10-0-1-10.ec2.internal', ready: looks > (opts.nodesReadyAfterLooks ?? 0) },
            { name: 'ip-10-0-2-10.ec2.internal', ready: looks > (opts.nodesReadyAfterLooks ?? 0) },
          ],
          listStorageClasses: async () => [
            { name: 'ebs-csi-default-sc', provisioner: 'ebs.csi.aws.com', isDefault: true },
          ],
          createStorageClass: async () => true,
          unsetDefaultClass: async () => undefined,
          createNamespace: async () => true,
          createServiceAccount: async () => true,
          bindClusterRole: async () => true,
        };
        return configureCluster(e as never, {
          eks: eksClient(session),
          credentials: session.clientConfig().credentials!,
          kube: () => fake,
          now,
          stsEndpoint: new URL('https://sts.us-east-1.amazonaws.com/'),
        });
      }),
      FinalizeCluster: lambdaTask(async (e) => {
        const { session } = await roleBSession(e as ValidatedRequest, { store, config });
        return finalizeCluster(e as never, {
          cloudformation: cloudFormationClient(session),
          eks: eksClient(session),
          now,
        });
      }),
      DiagnoseFailure: lambdaTask((e) =>
        diagnoseFailure(e as never, {
          cloudformation: async () =>
            cloudFormationClient(
              (await roleBSession((e as { state: ValidatedRequest }).state, { store, config })).session,
            ),
          now: () => (virtualNow ? now() : new Date()),
        }),
      ),
      RecordRequest: (p) => this.updateItem(p),
      RecordSucceeded: (p) => this.updateItem(p),
      RecordFailed: (p) => this.updateItem(p),
      RecordUndiagnosedFailure: (p) => this.updateItem(p),
      NotifyStarted: async (p) => putEvents(p, captured),
      NotifySucceeded: async (p) => putEvents(p, captured),
      NotifyFailed: async (p) => putEvents(p, captured),
    };
    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const [name, fn] of Object.entries(core)) {
      const around = opts.around?.[name as TaskName];
      handlers[name] = async (input: unknown) => {
        calls[name] = (calls[name] ?? 0) + 1;
        return around ? around(fn, input, calls[name]!) : fn(input);
      };
    }

    const machine = new StateMachine(forLibrary(this.definition()) as never, {
      validationOptions: { checkArn: false },
    });
    const execution = machine.run(input as never, {
      overrides: {
        taskResourceLocalHandlers: handlers as never,
        waitTimeOverrides: { WaitForStack: 0 },
        retryIntervalOverrides: Object.fromEntries(Object.keys(core).map((k) => [k, 0])),
      },
      context: {
        Execution: {
          Id: `arn:aws:states:us-east-1:${SERVICE_ACCOUNT}:execution:eks-provisioner-provision-cluster:c-statemachine01`,
          Name: 'c-statemachine01',
        },
        // The library has no $$.State; as in the local runner, "now" is the state's EnteredTime.
        State: Object.defineProperty({}, 'EnteredTime', { enumerable: true, get: () => new Date().toISOString() }),
      } as never,
    });
    const log: Array<Record<string, unknown>> = [];
    const collecting = (async () => {
      for await (const ev of execution.eventLogs) log.push(ev as unknown as Record<string, unknown>);
    })();
    let output: unknown;
    let error: { name: string; message: string } | undefined;
    try {
      output = await execution.result;
    } catch (e) {
      error = { name: (e as Error).name, message: (e as Error).message };
    }
    await collecting;
    // The execution's own Error/Cause (what the console shows), from the ExecutionFailed event.
    const failed = log.find((e) => e.type === 'ExecutionFailed');
    if (failed) error = { name: String(failed.Error), message: String(failed.Cause) };
    // ValidateRequest decides the id (the input's, or one derived from the execution ARN).
    const validated = log.find(
      (e) => e.type === 'StateExited' && (e.state as { name: string }).name === 'ValidateRequest',
    );
    const clusterId = ((validated?.state as { output?: { clusterId?: string } } | undefined)?.output?.clusterId ??
      (input as { clusterId?: string })?.clusterId) as string | undefined;
    const record = clusterId ? await store.getCluster('local', clusterId) : undefined;
    return {
      output,
      error,
      log,
      captured,
      calls,
      record,
      sim,
      clusterId,
      stackSeconds: (virtualNow - stackOffset) / 1000,
    };
  }

  /** Step Functions' dynamodb:updateItem: the Parameters as built, errors named DynamoDB.<Exception>. */
  private async updateItem(params: unknown): Promise<unknown> {
    try {
      const { $metadata: _m, ...out } = await this.ddb.send(new UpdateItemCommand(params as UpdateItemCommandInput));
      return JSON.parse(JSON.stringify(out));
    } catch (e) {
      throw new LambdaError(
        `DynamoDB.${(e as Error).name}`,
        `${(e as Error).message} (Service: DynamoDb, Status Code: 400)`,
      );
    }
  }
}

/** Step Functions sends an object Detail as a JSON string. */
function putEvents(params: unknown, captured: CapturedEvent[]) {
  const entries = ((params as { Entries?: Array<Record<string, unknown>> }).Entries ?? []).map((e) => ({
    ...e,
    Detail: typeof e.Detail === 'string' ? e.Detail : JSON.stringify(e.Detail),
  })) as CapturedEvent[];
  captured.push(...entries);
  return { Entries: entries.map((_, i) => ({ EventId: `evt-${captured.length}-${i}` })), FailedEntryCount: 0 };
}

/**
 * aws-local-stepfunctions 3.0.0 writes `"ResultPath": "$"` to a key named "$" instead of replacing
 * the document (the default, same meaning in ASL): drop it for the library only.
 */
export function forLibrary(def: Record<string, unknown>): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(def)) as { States: Record<string, Record<string, unknown>> };
  for (const s of Object.values(copy.States)) if (s.ResultPath === '$') delete s.ResultPath;
  return copy as unknown as Record<string, unknown>;
}

/** The node group fails, rollback starts, and deleting the node role is denied. */
function withFailedRollback(sim: SimulatedStack): SimulatedStack {
  const failedAt = sim.events.find((e) => e.ResourceStatus === 'CREATE_FAILED')?.Timestamp.getTime() ?? sim.finishedAt;
  const events = sim.events.filter(
    (e) => !(e.ResourceType === 'AWS::CloudFormation::Stack' && e.ResourceStatus === 'CREATE_FAILED'),
  );
  const t = (s: number) => new Date(failedAt + s * 1000);
  const base = { StackName: sim.stackName };
  events.push(
    {
      ...base,
      EventId: 'rb-1',
      LogicalResourceId: sim.stackName,
      PhysicalResourceId: sim.stackId,
      ResourceType: 'AWS::CloudFormation::Stack',
      Timestamp: t(2),
      ResourceStatus: 'ROLLBACK_IN_PROGRESS',
      ResourceStatusReason: 'The following resource(s) failed to create: [Nodegroup]. Rollback requested by user.',
    },
    // Deleting the node group takes minutes; then the node role cannot be deleted.
    {
      ...base,
      EventId: 'rb-ng1',
      LogicalResourceId: 'Nodegroup',
      PhysicalResourceId: 'demo/Nodegroup-Xy12Ab34Cd56',
      ResourceType: 'AWS::EKS::Nodegroup',
      Timestamp: t(3),
      ResourceStatus: 'DELETE_IN_PROGRESS',
    },
    {
      ...base,
      EventId: 'rb-ng2',
      LogicalResourceId: 'Nodegroup',
      PhysicalResourceId: 'demo/Nodegroup-Xy12Ab34Cd56',
      ResourceType: 'AWS::EKS::Nodegroup',
      Timestamp: t(238),
      ResourceStatus: 'DELETE_COMPLETE',
    },
    {
      ...base,
      EventId: 'rb-2',
      LogicalResourceId: 'NodeRole',
      PhysicalResourceId: 'eks-provisioner-demo-NodeRole-1A2B3C4D5E6F',
      ResourceType: 'AWS::IAM::Role',
      Timestamp: t(240),
      ResourceStatus: 'DELETE_IN_PROGRESS',
    },
    {
      ...base,
      EventId: 'rb-3',
      LogicalResourceId: 'NodeRole',
      PhysicalResourceId: 'eks-provisioner-demo-NodeRole-1A2B3C4D5E6F',
      ResourceType: 'AWS::IAM::Role',
      Timestamp: t(241),
      ResourceStatus: 'DELETE_FAILED',
      ResourceStatusReason:
        'Resource handler returned message: "User: arn:aws:sts::222222222222:assumed-role/eks-provisioner-provision/eks-provisioner-c-statemachine01 is not authorized to perform: iam:DetachRolePolicy on resource: role eks-provisioner-demo-NodeRole-1A2B3C4D5E6F because no identity-based policy allows the iam:DetachRolePolicy action (Service: Iam, Status Code: 403, Request ID: 5d2f0c1e-8a9b-4c3d-b2e1-f0a9b8c7d6e5)" (RequestToken: 7c6b5a49-3827-4615-9f8e-7d6c5b4a3928, HandlerErrorCode: AccessDenied)',
    },
    {
      ...base,
      EventId: 'rb-4',
      LogicalResourceId: sim.stackName,
      PhysicalResourceId: sim.stackId,
      ResourceType: 'AWS::CloudFormation::Stack',
      Timestamp: t(242),
      ResourceStatus: 'ROLLBACK_FAILED',
      ResourceStatusReason: 'The following resource(s) failed to delete: [NodeRole]. ',
    },
  );
  events.sort((a, b) => a.Timestamp.getTime() - b.Timestamp.getTime());
  return { ...sim, events, finishedAt: failedAt + 242_000 };
}

/** Credential-shaped values: access key ids, 40-character secret keys, STS session tokens. */
export const CREDENTIAL_PATTERNS: Array<[string, RegExp]> = [
  ['access key id', /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/],
  // 40 characters of the secret-key alphabet, mixed case with a digit, not part of a longer token.
  [
    'secret access key',
    /(?<![A-Za-z0-9/+=])(?=[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=]))(?=[^\s"]*[a-z])(?=[^\s"]*[A-Z])(?=[^\s"]*[0-9])[A-Za-z0-9/+]{40}/,
  ],
  ['session token', /(?:IQoJb3JpZ2lu|FwoGZXIvYXdz|FQoGZXIvYXdz)[A-Za-z0-9/+=]{16,}/],
];

export function findCredentials(value: unknown): string[] {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return CREDENTIAL_PATTERNS.filter(([, re]) => re.test(text)).map(([name]) => name);
}
