/**
 * Role B's permissions and trust policy, generated from what the cluster template creates and what
 * the functions call. Shown to customers by `GET /v1/setup` as objects ready to paste.
 *
 * Shape of the least privilege:
 * - roles: created only under the template's path, with only the managed policies the template attaches;
 * - iam:PassRole only to EKS (cluster + node roles) and Pod Identity (EBS CSI role);
 * - service-linked roles only for EKS and EKS node groups;
 * - CreateStack only for templates made of the resource types ours uses;
 * - nothing that deletes unless the operator opts in (then rollback and cleanup work too).
 */
import {
  ATTACHED_MANAGED_POLICIES,
  managedPolicyArn,
  PASSED_TO_SERVICES,
  ROLE_PATH,
  SERVICE_LINKED_ROLE_SERVICES,
  STACK_NAME_PREFIX,
  TAG_KEYS,
} from '../template/constants.js';
import { TEMPLATE_RESOURCE_TYPES } from '../template/resource-types.js';
import { FUNCTION_ACTIONS, FUNCTION_DELETE_ACTIONS, FUNCTION_UPDATE_ACTIONS } from './function-actions.js';
import { RESOURCE_TYPE_ACTIONS } from './resource-actions.js';

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

// Role B's trust policy lives in its own small module (the diagnosis catalog shows it too).
export { provisionRoleTrustPolicy } from './trust-policy.js';

export interface ProvisionPolicyOptions {
  /** Allow deleting what the service made (stack rollback, cleanup). Default false, as in the seed. */
  allowDelete?: boolean;
  /** aws, aws-cn, aws-us-gov… Default aws. */
  partition?: string;
  /** Resource types to cover; default the cluster template's. */
  resourceTypes?: readonly string[];
}

/** Actions that act on the stack's own IAM roles (scoped to the role path). */
const STACK_ROLE_ACTIONS = new Set(['iam:CreateRole', 'iam:TagRole', 'iam:UntagRole', 'iam:DeleteRole']);
const ATTACH_ACTIONS = new Set(['iam:AttachRolePolicy', 'iam:DetachRolePolicy']);
const SPECIAL = new Set(['iam:PassRole', 'iam:CreateServiceLinkedRole', 'cloudformation:CreateStack']);
const UPDATE_DELETES = /:(Delete|Disassociate)/;
/** Change-set actions: on the service's own stacks only (statement UpdateClusterStack). */
const CHANGE_SET_ACTIONS = new Set([
  'cloudformation:CreateChangeSet',
  'cloudformation:DescribeChangeSet',
  'cloudformation:ExecuteChangeSet',
]);

const sorted = (s: Iterable<string>) => [...new Set(s)].sort();

/** All actions role B needs, before they are grouped into statements. */
export function provisionActions(opts: ProvisionPolicyOptions = {}): {
  create: string[];
  delete: string[];
  update: string[];
} {
  const types = opts.resourceTypes ?? TEMPLATE_RESOURCE_TYPES;
  const create = new Set(FUNCTION_ACTIONS);
  const del = new Set(FUNCTION_DELETE_ACTIONS);
  const update = new Set(FUNCTION_UPDATE_ACTIONS);
  for (const type of types) {
    const entry = RESOURCE_TYPE_ACTIONS[type];
    if (!entry) throw new Error(`No permissions known for resource type ${type}: add it to policy/resource-actions.ts`);
    for (const a of entry.create) create.add(a);
    for (const a of entry.delete) del.add(a);
    for (const a of entry.update) update.add(a);
  }
  return { create: sorted(create), delete: sorted(del), update: sorted([...update].filter((a) => !create.has(a))) };
}

/**
 * What an update needs beyond a create (PATCH /v1/clusters/{id}): in the default policy, and — for a
 * role B made before updates existed — the statements to add (UPDATE_NOT_PERMITTED shows them).
 */
export function updateStatements(opts: ProvisionPolicyOptions = {}): PolicyStatement[] {
  const partition = opts.partition ?? 'aws';
  const types = opts.resourceTypes ?? TEMPLATE_RESOURCE_TYPES;
  const { update } = provisionActions(opts);
  const changeSet = update.filter((a) => CHANGE_SET_ACTIONS.has(a));
  const rest = update.filter((a) => !CHANGE_SET_ACTIONS.has(a));
  const stacks = `arn:${partition}:cloudformation:*:*:stack/${STACK_NAME_PREFIX}*/*`;
  return [
    {
      Sid: 'UpdateClusterStack',
      Effect: 'Allow',
      Action: changeSet,
      // The service's own cluster stacks only, made of the template's resource types.
      Resource: [stacks, `arn:${partition}:cloudformation:*:*:changeSet/${STACK_NAME_PREFIX}update-*/*`],
      Condition: { 'ForAllValues:StringEquals': { 'cloudformation:ResourceTypes': sorted(types) } },
    },
    { Sid: 'UpdateEksCluster', Effect: 'Allow', Action: rest.filter((a) => !UPDATE_DELETES.test(a)), Resource: '*' },
    {
      // The deletes an update itself makes (a replaced node group, a removed principal's access
      // entry) — only of resources the service's stacks made and tagged.
      Sid: 'UpdateReplacesOwnResources',
      Effect: 'Allow',
      Action: rest.filter((a) => UPDATE_DELETES.test(a)),
      Resource: '*',
      Condition: { StringEquals: { [`aws:ResourceTag/${TAG_KEYS.managedBy}`]: 'eks-provisioner' } },
    },
  ];
}

export function provisionRolePolicy(opts: ProvisionPolicyOptions = {}): PolicyDocument {
  const partition = opts.partition ?? 'aws';
  const types = opts.resourceTypes ?? TEMPLATE_RESOURCE_TYPES;
  const actions = provisionActions(opts);
  const wanted = opts.allowDelete ? sorted([...actions.create, ...actions.delete]) : actions.create;
  const stackRoles = `arn:${partition}:iam::*:role${ROLE_PATH}*`;

  const statements: PolicyStatement[] = [];
  const rest = wanted.filter((a) => !SPECIAL.has(a) && !STACK_ROLE_ACTIONS.has(a) && !ATTACH_ACTIONS.has(a));

  if (wanted.includes('cloudformation:CreateStack')) {
    statements.push({
      Sid: 'CreateClusterStack',
      Effect: 'Allow',
      Action: ['cloudformation:CreateStack'],
      Resource: '*',
      // Only templates made of the resource types the cluster template uses.
      Condition: { 'ForAllValues:StringEquals': { 'cloudformation:ResourceTypes': sorted(types) } },
    });
    statements.push({
      Sid: 'TagStackOnCreate',
      Effect: 'Allow',
      Action: ['cloudformation:TagResource'],
      Resource: '*',
      Condition: { StringEquals: { 'cloudformation:CreateAction': 'CreateStack' } },
    });
  }

  // One statement per service for the unconditioned rest, so the document reads like a checklist.
  const byService = new Map<string, string[]>();
  for (const a of rest) {
    const service = a.split(':')[0]!;
    byService.set(service, [...(byService.get(service) ?? []), a]);
  }
  const sidFor: Record<string, string> = {
    cloudformation: 'FollowClusterStack',
    ec2: 'ReadNetworkAndCompute',
    eks: 'ManageEksCluster',
    iam: 'ReadIamRoles',
  };
  for (const [service, list] of [...byService.entries()].sort()) {
    statements.push({ Sid: sidFor[service] ?? `Use${service}`, Effect: 'Allow', Action: list, Resource: '*' });
  }

  const roleActions = wanted.filter((a) => STACK_ROLE_ACTIONS.has(a));
  if (roleActions.length) {
    statements.push({ Sid: 'CreateStackRolesUnderPath', Effect: 'Allow', Action: roleActions, Resource: stackRoles });
  }
  const attach = wanted.filter((a) => ATTACH_ACTIONS.has(a));
  if (attach.length) {
    statements.push({
      Sid: 'AttachOnlyTheTemplatesManagedPolicies',
      Effect: 'Allow',
      Action: attach,
      Resource: stackRoles,
      Condition: {
        ArnEquals: { 'iam:PolicyARN': ATTACHED_MANAGED_POLICIES.map((p) => managedPolicyArn(p, partition)) },
      },
    });
  }
  if (wanted.includes('iam:PassRole')) {
    statements.push({
      Sid: 'PassRolesToEksOnly',
      Effect: 'Allow',
      Action: ['iam:PassRole'],
      Resource: '*',
      Condition: { StringEquals: { 'iam:PassedToService': [...PASSED_TO_SERVICES] } },
    });
  }
  if (wanted.includes('iam:CreateServiceLinkedRole')) {
    statements.push({
      Sid: 'EksServiceLinkedRoles',
      Effect: 'Allow',
      Action: ['iam:CreateServiceLinkedRole'],
      Resource: '*',
      Condition: { StringEquals: { 'iam:AWSServiceName': [...SERVICE_LINKED_ROLE_SERVICES] } },
    });
  }
  // Updates are always allowed: they change only what the service made.
  statements.push(...updateStatements(opts));
  return { Version: '2012-10-17', Statement: statements };
}
