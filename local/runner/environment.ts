/**
 * The environment the handlers (and the API) run in — the same variables the CDK stack sets on the
 * Lambda functions (functions/lib/config.ts), plus where AWS is: the sandbox (AWS_ENDPOINT_URL and
 * the service's own access key from the world) or, in --aws mode, the default credential chain.
 * Handlers read their config once at import, so this runs before any handler module is loaded.
 * Also creates what the state machine writes to: the DynamoDB table (store/keys.ts layout) and the
 * event bus.
 */
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateEventBusCommand, DescribeEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DEFAULTS, ENV } from '../../functions/lib/config.js';
import { tableDefinition } from '../../functions/lib/store/table-definition.js';
import { QUIET_SDK_ENV } from '../quiet-sdk.js';
import { createTableUntilActive } from './create-table.js';

/** The default world's accounts and keys (the README documents them). Public example keys. */
export const DEFAULT_WORLD = {
  region: 'us-east-1',
  service: {
    accountId: '111111111111',
    userName: 'eks-provisioner',
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  },
  customer: {
    accountId: '222222222222',
    userName: 'admin',
    accessKeyId: 'AKIAI44QH8DHBEXAMPLE',
    secretAccessKey: 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY',
  },
} as const;

export interface ServiceIdentity {
  accountId: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** Minimal view of a loaded sandbox world (local/sandbox/world/world.ts). */
interface WorldLike {
  toJSON(): {
    users: Array<{
      accountId: string;
      name: string;
      accessKeys: Array<{ accessKeyId: string; secretAccessKey: string; status: string }>;
    }>;
  };
}

/** The service's IAM user keys in this world (a custom world may use other keys than the default one). */
export function serviceIdentityOf(world: WorldLike | undefined): ServiceIdentity {
  const user = world?.toJSON().users.find((u) => u.name === DEFAULT_WORLD.service.userName);
  const key = user?.accessKeys.find((k) => k.status === 'Active');
  if (user && key)
    return { accountId: user.accountId, accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
  return { ...DEFAULT_WORLD.service };
}

export interface HandlerEnvironment {
  region: string;
  tableName: string;
  eventBusName: string;
  stateMachineArn: string;
  /** The delete state machine (DELETE /v1/clusters/{id}). */
  deleteStateMachineArn?: string;
  /** The update state machine (PATCH /v1/clusters/{id}). */
  updateStateMachineArn?: string;
  /** Sandbox mode: where AWS is, and who the service is there. Absent in --aws mode. */
  sandbox?: { url: string; identity: ServiceIdentity };
  /** --aws mode: the runner's own Step Functions endpoint, so the API's StartExecution reaches it. */
  stepFunctionsEndpoint?: string;
}

/** Sets process.env for in-process handlers. Returns the names it set (for the README / --verbose). */
export function applyHandlerEnvironment(e: HandlerEnvironment, env: NodeJS.ProcessEnv = process.env): void {
  // Library noise (the SDK's Node-version notice) is not ours to show.
  Object.assign(env, QUIET_SDK_ENV);
  env['AWS_REGION'] = e.region;
  env['AWS_DEFAULT_REGION'] = e.region;
  env[ENV.tableName] = e.tableName;
  env[ENV.eventBusName] = e.eventBusName;
  env[ENV.stateMachineArn] = e.stateMachineArn;
  if (e.deleteStateMachineArn) env[ENV.deleteStateMachineArn] = e.deleteStateMachineArn;
  if (e.updateStateMachineArn) env[ENV.updateStateMachineArn] = e.updateStateMachineArn;
  env[ENV.local] = '1';
  env[ENV.roleNamePrefix] ??= DEFAULTS.roleNamePrefix;
  env['POWERTOOLS_SERVICE_NAME'] ??= 'eks-provisioner';
  if (e.sandbox) {
    env['AWS_ENDPOINT_URL'] = e.sandbox.url;
    env['AWS_ACCESS_KEY_ID'] = e.sandbox.identity.accessKeyId;
    env['AWS_SECRET_ACCESS_KEY'] = e.sandbox.identity.secretAccessKey;
    // Nothing from the developer's own AWS set-up may leak into the sandbox (or vice versa).
    delete env['AWS_SESSION_TOKEN'];
    delete env['AWS_PROFILE'];
    delete env['AWS_CONFIG_FILE'];
    delete env['AWS_SHARED_CREDENTIALS_FILE'];
    env['AWS_EC2_METADATA_DISABLED'] = 'true';
  }
  if (e.stepFunctionsEndpoint) env['AWS_ENDPOINT_URL_SFN'] = e.stepFunctionsEndpoint;
}

/**
 * Creates the table (PK/SK + GSI1, on-demand) and the event bus when they are missing.
 * Returns what it created, so the caller can say so (in --aws mode that is a change to the account).
 */
export async function ensureStoreAndBus(region: string, tableName: string, eventBusName: string): Promise<string[]> {
  const created: string[] = [];
  const ddb = new DynamoDBClient({ region });
  const events = new EventBridgeClient({ region });
  try {
    try {
      await ddb.send(new DescribeTableCommand({ TableName: tableName }));
    } catch (e) {
      if ((e as Error).name !== 'ResourceNotFoundException') throw e;
      await createTableUntilActive(ddb, tableDefinition(tableName));
      created.push(`DynamoDB table ${tableName}`);
    }
    if (eventBusName !== 'default') {
      try {
        await events.send(new DescribeEventBusCommand({ Name: eventBusName }));
      } catch (e) {
        if ((e as Error).name !== 'ResourceNotFoundException') throw e;
        await events.send(new CreateEventBusCommand({ Name: eventBusName }));
        created.push(`EventBridge bus ${eventBusName}`);
      }
    }
  } finally {
    ddb.destroy();
    events.destroy();
  }
  return created;
}
