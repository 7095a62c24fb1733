/**
 * The table as CreateTable needs it (keys and GSI1 from keys.ts). The CDK stack declares the same
 * table in AWS; the local runner and the tests create it with this.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { RUN_ATTRIBUTES, TABLE_KEYS } from './keys.js';

export function tableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      TABLE_KEYS.pk,
      TABLE_KEYS.sk,
      TABLE_KEYS.gsi1pk,
      TABLE_KEYS.gsi1sk,
      TABLE_KEYS.runpk,
      TABLE_KEYS.runsk,
      TABLE_KEYS.livepk,
      TABLE_KEYS.livesk,
    ].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: TABLE_KEYS.pk, KeyType: 'HASH' },
      { AttributeName: TABLE_KEYS.sk, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: TABLE_KEYS.gsi1,
        KeySchema: [
          { AttributeName: TABLE_KEYS.gsi1pk, KeyType: 'HASH' },
          { AttributeName: TABLE_KEYS.gsi1sk, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
      {
        IndexName: TABLE_KEYS.running,
        KeySchema: [
          { AttributeName: TABLE_KEYS.runpk, KeyType: 'HASH' },
          { AttributeName: TABLE_KEYS.runsk, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...RUN_ATTRIBUTES] },
      },
      {
        IndexName: TABLE_KEYS.created,
        KeySchema: [
          { AttributeName: TABLE_KEYS.livepk, KeyType: 'HASH' },
          { AttributeName: TABLE_KEYS.livesk, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}
