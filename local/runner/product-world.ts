/**
 * The product's world: the sandbox's generic default world (local/sandbox/world/default-world.ts) plus what
 * eks-provisioner itself needs there — its service account's alias and its IAM user, whose keys the handlers
 * sign with and whose policies are what the service holds in AWS. The sandbox knows nothing of this; the
 * local stack, the demo and the tests seed it.
 *
 * | service account | 111111111111, IAM user eks-provisioner (AKIAIOSFODNN7EXAMPLE) — may assume only
 * |                 | arn:aws:iam::*:role/eks-provisioner-*, plus its own DynamoDB/EventBridge/Step Functions
 * |                 | resources (what a Lambda execution role would hold) |
 * | customer account | as in the default world (222222222222, admin, the demo VPC) |
 */
import { DEFAULTS } from '../../functions/lib/config.js';
import { defaultWorld } from '../sandbox/world/default-world.js';
import type { IamUser, WorldData } from '../sandbox/world/types.js';
import { DEFAULT_WORLD } from './environment.js';

export const SERVICE_ACCOUNT_ID = DEFAULT_WORLD.service.accountId;
export const SERVICE_USER_NAME = DEFAULT_WORLD.service.userName;
export const SERVICE_ACCESS_KEY_ID = DEFAULT_WORLD.service.accessKeyId;
export const SERVICE_SECRET_ACCESS_KEY = DEFAULT_WORLD.service.secretAccessKey;

const CREATED = '2024-01-15T09:00:00.000Z';

/** The service's IAM user: the seed's self-managed setup (assume only provision roles) plus its own resources. */
export function serviceUser(accountId: string = SERVICE_ACCOUNT_ID): IamUser {
  return {
    accountId,
    name: SERVICE_USER_NAME,
    userId: 'AIDAEKSPROVISIONER01',
    arn: `arn:aws:iam::${accountId}:user/${SERVICE_USER_NAME}`,
    path: '/',
    accessKeys: [
      {
        accessKeyId: SERVICE_ACCESS_KEY_ID,
        secretAccessKey: SERVICE_SECRET_ACCESS_KEY,
        status: 'Active',
        createDate: CREATED,
      },
    ],
    inlinePolicies: {
      // The seed's self-managed requirement: the service's own credentials may assume only provision roles.
      'assume-provision-roles': {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'AssumeProvisionRoles',
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Resource: `arn:aws:iam::*:role/${DEFAULTS.roleNamePrefix}*`,
          },
        ],
      },
      // What the service's Lambda execution role holds in AWS: its own table, bus and state machine.
      'service-own-resources': {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'OwnTables',
            Effect: 'Allow',
            Action: 'dynamodb:*',
            Resource: [`arn:aws:dynamodb:*:${accountId}:table/*`],
          },
          {
            Sid: 'OwnEvents',
            Effect: 'Allow',
            Action: 'events:*',
            Resource: [`arn:aws:events:*:${accountId}:event-bus/*`],
          },
          { Sid: 'ListEventBuses', Effect: 'Allow', Action: 'events:ListEventBuses', Resource: '*' },
          {
            Sid: 'OwnStateMachines',
            Effect: 'Allow',
            Action: 'states:*',
            Resource: [`arn:aws:states:*:${accountId}:*`],
          },
          // No resource-level permissions for listing: AWS only matches it with "*".
          { Sid: 'ListStateMachines', Effect: 'Allow', Action: 'states:ListStateMachines', Resource: '*' },
        ],
      },
    },
    attachedPolicyArns: [],
    tags: {},
    createDate: CREATED,
  };
}

/** A fresh copy of the product's world, layered over `base` (default: the sandbox's default world). */
export function productWorld(base: WorldData = defaultWorld()): WorldData {
  const accounts = base.accounts.map((a) =>
    a.id === SERVICE_ACCOUNT_ID ? { ...a, alias: 'eks-provisioner-service' } : a,
  );
  // The service user comes first, as it always has (iteration order shows in listings).
  const users = [
    serviceUser(),
    ...base.users.filter((u) => !(u.accountId === SERVICE_ACCOUNT_ID && u.name === SERVICE_USER_NAME)),
  ];
  return { ...base, accounts, users };
}
