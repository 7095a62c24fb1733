/**
 * The whole local stack in one call — sandbox, Step Functions runner, API — used by `npm start`,
 * the e2e tests and the benchmark. Order matters: the handlers read their configuration when they are
 * imported, so the environment is set (sandbox URL, service keys, table, bus, state machine) before
 * any handler or the API module is loaded.
 */
import '../polyfills.js';
import { existsSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DEFAULTS } from '../../functions/lib/config.js';
import type { FaultRule, Sandbox, StepFunctionsBackend } from '../sandbox/index.js';
import type { RateLimitConfig } from '../sandbox/limits/rate-limits.js';
import {
  DELETE_DEFINITION_URL,
  ENDED_EXECUTION_FUNCTION,
  loadDefinition,
  type Placement,
  UPDATE_DEFINITION_URL,
} from './definition.js';
import { applyHandlerEnvironment, DEFAULT_WORLD, ensureStoreAndBus, serviceIdentityOf } from './environment.js';
import { moduleHandlerResolver } from './lambda.js';
import { StateMachineHost } from './machines.js';
import { type ReconcileSchedule, reconcileSchedule } from './reconcile-schedule.js';
import { resumeCreating, resumeDeleting } from './resume.js';
import { type RunnerOptions, StepFunctionsRunner } from './runner.js';
import { startStepFunctionsEndpoint } from './sfn-endpoint.js';
import { type StatusChangeRoute, statusChangeRoute } from './status-change.js';
import { type SupportSchedule, supportSchedule } from './support-schedule.js';

export interface LocalStackOptions {
  /** Sandbox port on 127.0.0.1 (default 4566; 0 = any free port). */
  sandboxPort?: number;
  /** API port (default 3000; 0 = any free port). */
  apiPort?: number;
  apiHost?: string;
  /** Sandbox seconds per wall second (default: the sandbox's DEFAULT_TIME_SCALE). Ignored with `aws`. */
  timeScale?: number;
  /** World data for the sandbox (default: the demo world). */
  world?: unknown;
  faults?: FaultRule[];
  /** Sandbox AWS API rate limits (default: AWS's quotas, see local/sandbox/limits/rate-limits.ts; false = none). */
  rateLimits?: RateLimitConfig | false;
  /** Run against real AWS with the default credential chain instead of the sandbox. */
  aws?: boolean;
  /** Start the HTTP API too (default true). */
  api?: boolean;
  /** `iam`: the API verifies SigV4 against the sandbox and evaluates IAM as API Gateway (sandbox mode only). */
  apiAuth?: 'local' | 'iam';
  /** Where components report their own trouble (never secrets). */
  log?: (line: string) => void;
  /** The API's request log (default: JSON lines on stdout, which `start` routes to the log file). */
  apiLog?: {
    info(message: string, attributes?: Record<string, unknown>): void;
    error(message: string, attributes?: Record<string, unknown>): void;
  };
  /** Validate the state machine definition at start (default true; see RunnerOptions.validate). */
  validateDefinition?: boolean;
  /**
   * Keep the sandbox's world and the DynamoDB table on disk in this directory, and resume every cluster
   * still CREATING or DELETING at start (local/runner/resume.ts). Default: all in memory, lost when the process ends.
   * With `aws`, the table is real already: only the resumption applies (it always does there).
   */
  dataDir?: string;
  /** For tests: a different definition or handlers. */
  runner?: Pick<RunnerOptions, 'definition' | 'resolveHandler' | 'historyEventQuota' | 'maxProvisioningSeconds'>;
  /** Fault flag: lose every Step Functions status-change event (toggle later with `statusChanges.setDrop`). */
  dropStatusChanges?: boolean;
  /** Run the reconciler on its (time-scaled) schedule (default true); `reconciler.sweep()` works either way. */
  reconcileSchedule?: boolean;
  /** Run the support check once a (time-scaled) day (default true); `supportCheck.runNow()` works either way. */
  supportSchedule?: boolean;
  /** For tests: a different delete state machine definition (e.g. a short TimeoutSeconds). */
  deleteRunner?: Pick<RunnerOptions, 'definition'>;
}

export interface LocalStack {
  mode: 'sandbox' | 'aws';
  region: string;
  accountId: string;
  timeScale: number;
  sandbox?: Sandbox;
  /** The provisioning state machine. */
  runner: StepFunctionsRunner;
  /** The delete state machine (statemachine/delete-cluster.asl.json). */
  deleteRunner: StepFunctionsRunner;
  /** The update state machine (statemachine/update-cluster.asl.json). */
  updateRunner: StepFunctionsRunner;
  /** All three, behind one Step Functions API. */
  machines: StateMachineHost;
  /** Step Functions' status-change events → the record-ended-execution handler (as the CDK rule routes them). */
  statusChanges: StatusChangeRoute;
  /** The scheduled sweep that settles runs whose status-change event was lost (as the CDK schedule does). */
  reconciler: ReconcileSchedule;
  /** The daily support check (as the CDK's daily rule runs it), on the sandbox's clock. */
  supportCheck: SupportSchedule;
  apiUrl?: string;
  /** AWS endpoint the handlers use (sandbox URL), absent in --aws mode. */
  awsEndpoint?: string;
  /** What was created at start (table, bus), in words. */
  created: string[];
  /** Cluster ids whose provisioning was resumed at start (records left CREATING by a previous run). */
  resumed: string[];
  /** Cluster ids whose deletion was resumed at start (records left DELETING by a previous run). */
  resumedDeletions: string[];
  stop(): Promise<void>;
}

interface ApiServerModule {
  startApiServer(o: {
    port?: number;
    host?: string;
    log?: LocalStackOptions['apiLog'];
    auth?: 'local' | 'iam';
    iam?: { world: unknown; accountId?: string; region?: string };
  }): Promise<{ url: string; stop: () => Promise<void> }>;
}

const API_SERVER_URL = new URL('../api/server.ts', import.meta.url);

export async function startLocalStack(o: LocalStackOptions = {}): Promise<LocalStack> {
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const s of stops.reverse()) await s().catch((e: unknown) => log(`stop: ${(e as Error).message}`));
  };
  const tableName = process.env['TABLE_NAME'] || DEFAULTS.tableName;
  const eventBusName = process.env['EVENT_BUS_NAME'] || DEFAULTS.eventBusName;

  try {
    if (o.aws) {
      const region = process.env['AWS_REGION'] || process.env['AWS_DEFAULT_REGION'] || DEFAULT_WORLD.region;
      let accountId: string;
      const sts = new STSClient({ region });
      try {
        accountId = (await sts.send(new GetCallerIdentityCommand({}))).Account ?? '';
      } catch (e) {
        throw new Error(
          `--aws needs AWS credentials for the service (default credential chain: AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, SSO, instance profile). STS said: ${(e as Error).message}`,
        );
      } finally {
        sts.destroy();
      }
      const resolveHandler = o.runner?.resolveHandler ?? moduleHandlerResolver();
      // In AWS the status-change events go to the account's default bus; here they go straight to the handler.
      const statusChanges = statusChangeRoute({
        placement: { region, accountId, tableName, eventBusName },
        stateMachineArns: () => [runner.stateMachineArn, deleteRunner.stateMachineArn, updateRunner.stateMachineArn],
        resolveHandler,
        log,
        drop: o.dropStatusChanges === true,
      });
      const runnerOpts = {
        region,
        accountId,
        tableName,
        eventBusName,
        timeScale: 1,
        log,
        validate: o.validateDefinition !== false,
      };
      const { runner, deleteRunner, updateRunner, machines } = await startMachines(
        runnerOpts,
        { ...o.runner, resolveHandler },
        o.deleteRunner ?? {},
        statusChanges,
        stops,
      );
      const endpoint = await startStepFunctionsEndpoint(machines.slot, 0);
      stops.push(() => endpoint.stop());
      applyHandlerEnvironment({
        region,
        tableName,
        eventBusName,
        stateMachineArn: runner.stateMachineArn,
        deleteStateMachineArn: deleteRunner.stateMachineArn,
        updateStateMachineArn: updateRunner.stateMachineArn,
        stepFunctionsEndpoint: endpoint.url,
      });
      const created = await ensureStoreAndBus(region, tableName, eventBusName);
      await machines.preloadHandlers();
      const apiUrl = o.api === false ? undefined : await startApi(o, stops);
      const { resumed, resumedDeletions } = await resume(region, tableName, runner, deleteRunner, log);
      const reconciler = startReconciler(
        { region, accountId, tableName, eventBusName },
        resolveHandler,
        1,
        o,
        log,
        stops,
      );
      const supportCheck = startSupportCheck(
        { region, accountId, tableName, eventBusName },
        resolveHandler,
        1,
        Date.now,
        o,
        log,
        stops,
      );
      return {
        mode: 'aws',
        region,
        accountId,
        timeScale: 1,
        runner,
        deleteRunner,
        updateRunner,
        machines,
        statusChanges,
        reconciler,
        supportCheck,
        ...(apiUrl ? { apiUrl } : {}),
        created,
        resumed,
        resumedDeletions,
        stop: stopAll,
      };
    }

    const sandboxMod = await import('../sandbox/index.js');
    const { productWorld } = await import('./product-world.js');
    const timeScale = o.timeScale ?? sandboxMod.DEFAULT_TIME_SCALE;
    const region = DEFAULT_WORLD.region;
    // The service account comes from the world; the runner must know it before the sandbox starts.
    // Without a world of its own, the local stack serves the product's (the sandbox's default knows no product).
    const world = new sandboxMod.World(o.world === undefined ? productWorld() : sandboxMod.parseWorld(o.world));
    const identity = serviceIdentityOf(world);
    const resolveHandler = o.runner?.resolveHandler ?? moduleHandlerResolver();
    let sandboxWorld: { captureEvent(e: unknown): void } | undefined;
    const statusChanges = statusChangeRoute({
      placement: { region, accountId: identity.accountId, tableName, eventBusName },
      stateMachineArns: () => [runner.stateMachineArn, deleteRunner.stateMachineArn, updateRunner.stateMachineArn],
      resolveHandler,
      // On the service account's default bus, where Step Functions puts them.
      capture: (e) =>
        sandboxWorld?.captureEvent({
          eventId: e.id,
          accountId: e.account,
          region: e.region,
          eventBusName: 'default',
          source: e.source,
          detailType: e['detail-type'],
          detail: e.detail,
          resources: e.resources,
          time: e.time,
        }),
      log,
      drop: o.dropStatusChanges === true,
    });
    const runnerOpts = {
      region,
      accountId: identity.accountId,
      tableName,
      eventBusName,
      timeScale,
      log,
      validate: o.validateDefinition !== false,
    };
    const { runner, deleteRunner, updateRunner, machines } = await startMachines(
      runnerOpts,
      { ...o.runner, resolveHandler },
      o.deleteRunner ?? {},
      statusChanges,
      stops,
    );
    const sandbox = await sandboxMod.startSandbox({
      port: o.sandboxPort ?? 4566,
      timeScale,
      stepFunctions: machines.slot as unknown as StepFunctionsBackend,
      log: (m) => log(m),
      world,
      ...(o.faults ? { faults: o.faults } : {}),
      ...(o.dataDir ? { dataDir: o.dataDir } : {}),
      ...(o.rateLimits !== undefined ? { rateLimits: o.rateLimits } : {}),
    });
    stops.push(() => sandbox.stop());
    sandboxWorld = sandbox.world as unknown as { captureEvent(e: unknown): void };
    applyHandlerEnvironment({
      region,
      tableName,
      eventBusName,
      stateMachineArn: runner.stateMachineArn,
      deleteStateMachineArn: deleteRunner.stateMachineArn,
      updateStateMachineArn: updateRunner.stateMachineArn,
      sandbox: { url: sandbox.url, identity },
    });
    const created = await ensureStoreAndBus(region, tableName, eventBusName);
    await machines.preloadHandlers();
    await resolveHandler(ENDED_EXECUTION_FUNCTION).catch((e: unknown) =>
      log(`${ENDED_EXECUTION_FUNCTION}: ${(e as Error).message}`),
    );
    const apiUrl =
      o.api === false
        ? undefined
        : await startApi(
            o,
            stops,
            o.apiAuth === 'iam' ? { world: sandbox.world, accountId: identity.accountId, region } : undefined,
          );
    const { resumed, resumedDeletions } = o.dataDir
      ? await resume(region, tableName, runner, deleteRunner, log)
      : { resumed: [], resumedDeletions: [] };
    const reconciler = startReconciler(
      { region, accountId: identity.accountId, tableName, eventBusName },
      resolveHandler,
      timeScale,
      o,
      log,
      stops,
    );
    const supportCheck = startSupportCheck(
      { region, accountId: identity.accountId, tableName, eventBusName },
      resolveHandler,
      timeScale,
      () => sandbox.world.now(),
      o,
      log,
      stops,
    );
    return {
      mode: 'sandbox',
      region,
      accountId: identity.accountId,
      timeScale,
      sandbox,
      runner,
      deleteRunner,
      updateRunner,
      machines,
      statusChanges,
      reconciler,
      supportCheck,
      awsEndpoint: sandbox.url,
      ...(apiUrl ? { apiUrl } : {}),
      created,
      resumed,
      resumedDeletions,
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}

export const DELETE_STATE_MACHINE_NAME = 'eks-provisioner-delete-cluster';
export const UPDATE_STATE_MACHINE_NAME = 'eks-provisioner-update-cluster';

/** The delete state machine, as deployed (statemachine/delete-cluster.asl.json with the same substitutions). */
type MachineOptions = Placement & Omit<RunnerOptions, keyof Placement | 'stateMachineName'>;

/** Both state machines (each with the caller's runner options) behind one host; stopped with the stack. */
async function startMachines(
  base: MachineOptions,
  provisioning: Partial<RunnerOptions>,
  deletion: Partial<RunnerOptions>,
  statusChanges: StatusChangeRoute,
  stops: Array<() => Promise<void>>,
) {
  const onStatusChange: RunnerOptions['onStatusChange'] = (e) => statusChanges.deliver(e);
  const runner = await StepFunctionsRunner.create({ ...base, ...provisioning, onStatusChange });
  stops.push(() => runner.close());
  stops.push(async () => statusChanges.close());
  const deleteRunner = await createDeleteRunner({ ...base, ...deletion, onStatusChange });
  stops.push(() => deleteRunner.close());
  const updateRunner = await StepFunctionsRunner.create({
    ...base,
    onStatusChange,
    stateMachineName: UPDATE_STATE_MACHINE_NAME,
    definition: await loadDefinition(base, UPDATE_DEFINITION_URL, base.maxProvisioningSeconds),
  });
  stops.push(() => updateRunner.close());
  return { runner, deleteRunner, updateRunner, machines: new StateMachineHost([runner, deleteRunner, updateRunner]) };
}

async function createDeleteRunner(o: MachineOptions): Promise<StepFunctionsRunner> {
  return StepFunctionsRunner.create({
    ...o,
    stateMachineName: DELETE_STATE_MACHINE_NAME,
    definition: o.definition ?? (await loadDefinition(o, DELETE_DEFINITION_URL, o.maxProvisioningSeconds)),
  });
}

async function resume(
  region: string,
  tableName: string,
  runner: StepFunctionsRunner,
  deleteRunner: StepFunctionsRunner,
  log: (line: string) => void,
): Promise<{ resumed: string[]; resumedDeletions: string[] }> {
  const ddb = new DynamoDBClient({ region });
  try {
    return {
      resumed: await resumeCreating({ ddb, tableName, runner, log }),
      resumedDeletions: await resumeDeleting({ ddb, tableName, runner: deleteRunner, log }),
    };
  } finally {
    ddb.destroy();
  }
}

/** The reconciler's schedule; stopped before the machines (stops run in reverse). */
function startReconciler(
  placement: Placement,
  resolveHandler: ReturnType<typeof moduleHandlerResolver>,
  timeScale: number,
  o: LocalStackOptions,
  log: (line: string) => void,
  stops: Array<() => Promise<void>>,
): ReconcileSchedule {
  const r = reconcileSchedule({ placement, resolveHandler, timeScale, log, periodic: o.reconcileSchedule !== false });
  stops.push(() => r.stop());
  return r;
}

/** The daily support check's schedule; stopped before the machines. */
function startSupportCheck(
  placement: Placement,
  resolveHandler: ReturnType<typeof moduleHandlerResolver>,
  timeScale: number,
  now: () => number,
  o: LocalStackOptions,
  log: (line: string) => void,
  stops: Array<() => Promise<void>>,
): SupportSchedule {
  const s = supportSchedule({ placement, resolveHandler, timeScale, now, log, periodic: o.supportSchedule !== false });
  stops.push(() => s.stop());
  return s;
}

async function startApi(
  o: LocalStackOptions,
  stops: Array<() => Promise<void>>,
  iam?: { world: unknown; accountId: string; region: string },
): Promise<string> {
  if (!existsSync(API_SERVER_URL)) throw new Error('local/api/server.ts is missing: the HTTP API cannot start.');
  if (o.apiAuth === 'iam' && !iam)
    throw new Error(
      'IAM authorization of the local API needs the sandbox (its keys and policies): drop --aws or --iam-auth.',
    );
  const mod = (await import(API_SERVER_URL.href)) as ApiServerModule;
  const api = await mod.startApiServer({
    port: o.apiPort ?? 3000,
    host: o.apiHost ?? '127.0.0.1',
    ...(o.apiLog ? { log: o.apiLog } : {}),
    ...(iam ? { auth: 'iam' as const, iam } : {}),
  });
  stops.push(() => api.stop());
  return api.url;
}
