/**
 * The single-table layout. The store module and the state machine's DynamoDB tasks
 * (RecordRequest / RecordSucceeded / RecordFailed) both write these items, so the keys live here
 * and nowhere else.
 *
 * | item              | PK                                  | SK                    | GSI1PK                 | GSI1SK                 |
 * |-------------------|-------------------------------------|-----------------------|------------------------|------------------------|
 * | tenant            | TENANT#<tenantId>                   | TENANT                |                        |                        |
 * | registered role B | TENANT#<tenantId>                   | ROLE#<roleArn>        |                        |                        |
 * | cluster record    | TENANT#<tenantId>                   | CLUSTER#<clusterId>   | CLUSTERS#<tenantId>    | <createdAt>#<clusterId>|
 * | live name claim   | NAME#<accountId>#<region>#<name>    | NAME                  |                        |                        |
 * | idempotency key   | TENANT#<tenantId>                   | IDEMPOTENCY#<key>     |                        |                        |
 *
 * GSI1 lists a tenant's clusters newest first (ScanIndexForward=false).
 */
export const TABLE_KEYS = { pk: 'PK', sk: 'SK', gsi1: 'GSI1', gsi1pk: 'GSI1PK', gsi1sk: 'GSI1SK' } as const;

export const keys = {
  tenant: (tenantId: string) => ({ PK: `TENANT#${tenantId}`, SK: 'TENANT' }),
  role: (tenantId: string, roleArn: string) => ({ PK: `TENANT#${tenantId}`, SK: `ROLE#${roleArn}` }),
  cluster: (tenantId: string, clusterId: string) => ({ PK: `TENANT#${tenantId}`, SK: `CLUSTER#${clusterId}` }),
  clusterIndex: (tenantId: string, createdAt: string, clusterId: string) => ({
    GSI1PK: `CLUSTERS#${tenantId}`,
    GSI1SK: `${createdAt}#${clusterId}`,
  }),
  nameClaim: (accountId: string, region: string, name: string) => ({ PK: `NAME#${accountId}#${region}#${name}`, SK: 'NAME' }),
  idempotency: (tenantId: string, key: string) => ({ PK: `TENANT#${tenantId}`, SK: `IDEMPOTENCY#${key}` }),
} as const;

/** DELETING while the delete state machine runs; DELETED when the stack is gone and the name is free. */
export type ClusterStatus = 'CREATING' | 'CREATED' | 'FAILED' | 'DELETING' | 'DELETED';
