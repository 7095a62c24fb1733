/**
 * The optional delete statement a customer may add to role B so that `DELETE /v1/clusters/{id}` can
 * delete what the service made — and nothing else. Role B's default policy never deletes (the seed's
 * promise); this is shown separately by `GET /v1/setup` as `provisionRoleDeleteStatement`.
 *
 * Scope (every condition key below is one IAM documents for that action's resource type):
 * - the stack: `cloudformation:DeleteStack` only on stacks named `eks-provisioner-*` that carry the
 *   service's `eks-provisioner:managed-by` tag (`aws:ResourceTag/…`);
 * - what CloudFormation then deletes with role B's credentials (the stack has no service role):
 *   EKS clusters, node groups, add-ons and access entries only when tagged by the service (stack tags
 *   propagate to them), IAM roles only under the template's role path and tagged likewise;
 * - the EBS CSI add-on's Pod Identity association: IAM authorizes `eks:DeleteAddon` against the add-on
 *   and also against the `podidentityassociation` resources the add-on owns (Service Authorization
 *   Reference: DeleteAddon's resource types are `addon`, required, and `podidentityassociation`).
 *   EKS creates that association for the add-on (`Addon.PodIdentityAssociations`); it is no resource
 *   of the stack and stack tags do not reach it, so the tag condition cannot apply. The statement
 *   allows `eks:DeleteAddon` on associations only: deleting an add-on still needs the tag-scoped
 *   Allow on the add-on itself, so this lets role B delete nothing the service did not make.
 */
import {
  ATTACHED_MANAGED_POLICIES,
  managedPolicyArn,
  ROLE_PATH,
  STACK_NAME_PREFIX,
  TAG_KEYS,
} from '../template/constants.js';
import type { PolicyDocument, PolicyStatement } from './provision-policy.js';
import { provisionActions } from './provision-policy.js';

/** The value CreateClusterStack puts in TAG_KEYS.managedBy on the stack (and so on every resource). */
export const MANAGED_BY_VALUE = 'eks-provisioner';

const managedByCondition = () => ({ StringEquals: { [`aws:ResourceTag/${TAG_KEYS.managedBy}`]: MANAGED_BY_VALUE } });

export interface DeleteStatementOptions {
  partition?: string;
}

/** Actions deleting a cluster stack needs, grouped by the statement that allows them. */
export function deleteActions(): { stack: string[]; eks: string[]; iam: string[] } {
  const all = provisionActions().delete;
  return {
    stack: all.filter((a) => a.startsWith('cloudformation:')),
    // Tag removal is not part of a deletion; nothing in a stack delete calls it.
    eks: all.filter((a) => a.startsWith('eks:') && a !== 'eks:UntagResource'),
    iam: all.filter((a) => a.startsWith('iam:') && a !== 'iam:UntagRole'),
  };
}

export function provisionRoleDeleteStatement(opts: DeleteStatementOptions = {}): PolicyDocument {
  const partition = opts.partition ?? 'aws';
  const actions = deleteActions();
  const statements: PolicyStatement[] = [
    {
      Sid: 'DeleteOnlyTheServicesStacks',
      Effect: 'Allow',
      Action: actions.stack,
      Resource: `arn:${partition}:cloudformation:*:*:stack/${STACK_NAME_PREFIX}*/*`,
      Condition: managedByCondition(),
    },
    {
      Sid: 'DeleteOnlyTheServicesEksResources',
      Effect: 'Allow',
      Action: actions.eks,
      Resource: '*',
      Condition: managedByCondition(),
    },
  ];
  if (actions.eks.includes('eks:DeleteAddon')) {
    statements.push({
      Sid: 'DeleteTheAddOnsPodIdentityAssociations',
      Effect: 'Allow',
      Action: ['eks:DeleteAddon'],
      Resource: `arn:${partition}:eks:*:*:podidentityassociation/*`,
    });
  }
  const detach = actions.iam.filter((a) => a === 'iam:DetachRolePolicy');
  const rest = actions.iam.filter((a) => a !== 'iam:DetachRolePolicy');
  const roles = `arn:${partition}:iam::*:role${ROLE_PATH}*`;
  if (rest.length)
    statements.push({
      Sid: 'DeleteOnlyTheStacksRoles',
      Effect: 'Allow',
      Action: rest,
      Resource: roles,
      Condition: managedByCondition(),
    });
  if (detach.length) {
    statements.push({
      Sid: 'DetachOnlyTheTemplatesManagedPolicies',
      Effect: 'Allow',
      Action: detach,
      Resource: roles,
      Condition: {
        ...managedByCondition(),
        ArnEquals: { 'iam:PolicyARN': ATTACHED_MANAGED_POLICIES.map((p) => managedPolicyArn(p, partition)) },
      },
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}
