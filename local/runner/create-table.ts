/**
 * CreateTable, then wait for ACTIVE. DynamoDB answers CreateTable with the table CREATING and refuses
 * item calls on it (ResourceNotFoundException) until it is ACTIVE: in AWS for seconds, in dynalite (the
 * sandbox's DynamoDB and the test harnesses') for as long as its createTableMs says. Every place that
 * creates a table goes through here, so no caller writes into a table that is not there yet.
 */
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';

/** The SDK waiter (DescribeTable until TableStatus is ACTIVE), polling from 20 ms: local tables are ready in ms. */
export async function waitForTableActive(ddb: DynamoDBClient, tableName: string, maxWaitSeconds = 120): Promise<void> {
  await waitUntilTableExists(
    { client: ddb, minDelay: 0.02, maxDelay: 2, maxWaitTime: maxWaitSeconds },
    { TableName: tableName },
  );
}

export async function createTableUntilActive(
  ddb: DynamoDBClient,
  input: CreateTableCommandInput,
  maxWaitSeconds = 120,
): Promise<void> {
  await ddb.send(new CreateTableCommand(input));
  await waitForTableActive(ddb, input.TableName!, maxWaitSeconds);
}

/** How long the sandbox's dynalite keeps a new table CREATING (the test harnesses' dynalite too). */
export { TABLE_CREATING_MS } from '../sandbox/dynamodb/proxy.js';
