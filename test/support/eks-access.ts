/**
 * A person in the customer's account who may use one EKS cluster: an IAM user with access keys, and an
 * access entry giving it one EKS access policy scoped to some namespaces. Written straight into the
 * sandbox's world, as the customer's own set-up would have left it.
 */
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import type { Sandbox } from '../../local/sandbox/server.js';
import { CUSTOMER_ACCOUNT_ID } from '../../local/sandbox/world/default-world.js';

export interface NamespaceUser {
  clusterName: string;
  name: string;
  credentials: AwsCredentialIdentity;
  /** e.g. AmazonEKSEditPolicy, AmazonEKSViewPolicy. */
  policy: string;
  namespaces: string[];
  /** IAM's unique id for the user (default derived from the name). */
  userId?: string;
}

export function addNamespaceUser(world: Sandbox['world'], u: NamespaceUser): void {
  const now = world.nowIso();
  const arn = `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:user/${u.name}`;
  world.data.users.push({
    accountId: CUSTOMER_ACCOUNT_ID,
    name: u.name,
    userId: u.userId ?? `AIDA${u.name.toUpperCase().padEnd(16, '0')}`,
    arn,
    path: '/',
    accessKeys: [
      {
        accessKeyId: u.credentials.accessKeyId,
        secretAccessKey: u.credentials.secretAccessKey,
        status: 'Active',
        createDate: now,
      },
    ],
    inlinePolicies: {},
    attachedPolicyArns: [],
    tags: {},
    createDate: now,
  });
  world.data.eksAccessEntries.push({
    accountId: CUSTOMER_ACCOUNT_ID,
    region: 'us-east-1',
    clusterName: u.clusterName,
    principalArn: arn,
    accessEntryArn: `arn:aws:eks:us-east-1:${CUSTOMER_ACCOUNT_ID}:access-entry/${u.clusterName}/user/${CUSTOMER_ACCOUNT_ID}/${u.name}/x`,
    kubernetesGroups: [],
    type: 'STANDARD',
    accessPolicies: [
      {
        policyArn: `arn:aws:eks::aws:cluster-access-policy/${u.policy}`,
        accessScope: { type: 'namespace', namespaces: u.namespaces },
      },
    ],
    tags: {},
    createdAt: now,
    modifiedAt: now,
  });
}
