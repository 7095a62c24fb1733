/**
 * Step Functions' optimized service integrations used by the state machine, made as real SDK calls
 * (to the sandbox through AWS_ENDPOINT_URL, or to AWS in --aws mode) with the state machine's
 * credentials — locally the service's own. Parameters arrive exactly as the state machine built them:
 * DynamoDB items in DynamoDB JSON (`{"S": "…"}`) go to the low-level API untouched; EventBridge
 * `Detail` objects are serialised to a JSON string, as Step Functions does.
 * Errors are named like Step Functions names them (`DynamoDB.ConditionalCheckFailedException`,
 * `EventBridge.FailedEntry`) so Retry/Catch behave the same.
 */
import {
  DeleteItemCommand,
  type DeleteItemCommandInput,
  DynamoDBClient,
  GetItemCommand,
  type GetItemCommandInput,
  PutItemCommand,
  type PutItemCommandInput,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { TaskTarget } from './definition.js';

export class ServiceIntegrationError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export interface IntegrationClients {
  dynamodb: DynamoDBClient;
  events: EventBridgeClient;
}

export function makeIntegrationClients(region: string): IntegrationClients {
  // Endpoint and credentials from the environment, like any SDK client in the state machine's role.
  return {
    dynamodb: new DynamoDBClient({ region, maxAttempts: 3 }),
    events: new EventBridgeClient({ region, maxAttempts: 3 }),
  };
}

function withoutMetadata<T extends object>(out: T): Omit<T, '$metadata'> {
  const { $metadata: _m, ...rest } = out as T & { $metadata?: unknown };
  return JSON.parse(JSON.stringify(rest)) as Omit<T, '$metadata'>;
}

function sdkFailure(service: 'DynamoDB' | 'EventBridge', e: unknown): ServiceIntegrationError {
  const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number; requestId?: string } };
  const code =
    err.name && err.name !== 'Error'
      ? err.name
      : service === 'DynamoDB'
        ? 'AmazonDynamoDBException'
        : 'AmazonEventBridgeException';
  const status = err.$metadata?.httpStatusCode ?? 400;
  const svc = service === 'DynamoDB' ? 'DynamoDb' : 'EventBridge';
  return new ServiceIntegrationError(
    `${service}.${code}`,
    `${err.message ?? code} (Service: ${svc}, Status Code: ${status}, Request ID: ${err.$metadata?.requestId ?? 'local'})`,
  );
}

export async function callDynamoDb(
  clients: IntegrationClients,
  action: Extract<TaskTarget, { kind: 'dynamodb' }>['action'],
  params: unknown,
): Promise<unknown> {
  try {
    switch (action) {
      case 'getItem':
        return withoutMetadata(await clients.dynamodb.send(new GetItemCommand(params as GetItemCommandInput)));
      case 'putItem':
        return withoutMetadata(await clients.dynamodb.send(new PutItemCommand(params as PutItemCommandInput)));
      case 'updateItem':
        return withoutMetadata(await clients.dynamodb.send(new UpdateItemCommand(params as UpdateItemCommandInput)));
      case 'deleteItem':
        return withoutMetadata(await clients.dynamodb.send(new DeleteItemCommand(params as DeleteItemCommandInput)));
    }
  } catch (e) {
    throw sdkFailure('DynamoDB', e);
  }
}

/**
 * events:putEvents as Step Functions makes it: Detail objects serialised, and the execution ARN and
 * the state machine ARN appended to each entry's `Resources` (rules may filter on them).
 */
export async function callPutEvents(
  clients: IntegrationClients,
  params: unknown,
  caller: { executionArn: string; stateMachineArn: string },
): Promise<unknown> {
  const entries = ((params as { Entries?: unknown[] })?.Entries ?? []) as Array<Record<string, unknown>>;
  const Entries: PutEventsRequestEntry[] = entries.map((e) => ({
    ...e,
    Resources: [
      ...(Array.isArray(e['Resources']) ? (e['Resources'] as string[]) : []),
      caller.executionArn,
      caller.stateMachineArn,
    ],
    // Step Functions accepts Detail as a JSON object and sends it as a string.
    ...(e['Detail'] !== undefined && typeof e['Detail'] !== 'string' ? { Detail: JSON.stringify(e['Detail']) } : {}),
  })) as PutEventsRequestEntry[];
  let out;
  try {
    out = await clients.events.send(new PutEventsCommand({ Entries }));
  } catch (e) {
    throw sdkFailure('EventBridge', e);
  }
  const result = withoutMetadata(out);
  if ((out.FailedEntryCount ?? 0) > 0) {
    throw new ServiceIntegrationError('EventBridge.FailedEntry', JSON.stringify(result));
  }
  return result;
}
