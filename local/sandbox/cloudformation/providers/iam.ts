/**
 * IAM resources: AWS::IAM::Role (the only IAM type the cluster template declares).
 * IAM is global: ARNs carry no region; the handlers call CreateRole/PutRolePolicy/AttachRolePolicy (and
 * TagRole when the role gets tags, stack tags included) with the caller's permissions.
 */
import type { IamRole, PolicyDocument } from '../../world/types.js';
import { roleArnOf } from '../../world/world.js';
import {
  alreadyExists,
  checkServiceRequest,
  generatedName,
  jitter,
  type ProviderContext,
  policyDocument,
  type ResourceProvider,
  resourceTagKeys,
  serviceFailure,
  stringList,
  tagRecord,
} from './types.js';

const roleArn = (ctx: ProviderContext, path: string, name: string) =>
  roleArnOf(ctx.partition, ctx.accountId, path, name);

function findRole(ctx: ProviderContext, name: string): IamRole | undefined {
  return ctx.data.roles.find((r) => r.accountId === ctx.accountId && r.name === name);
}

function noSuchEntity(ctx: ProviderContext, message: string) {
  return serviceFailure(ctx, { service: 'Iam', status: 404, message, handlerErrorCode: 'NotFound' });
}

function validPolicy(ctx: ProviderContext, doc: unknown, what: string): PolicyDocument {
  const d = policyDocument(doc);
  if (!d || typeof d !== 'object' || !('Statement' in d)) {
    throw serviceFailure(ctx, {
      service: 'Iam',
      status: 400,
      message: `${what}: Syntax errors in policy.`,
      handlerErrorCode: 'InvalidRequest',
    });
  }
  return d as PolicyDocument;
}

export const iamRole: ResourceProvider = {
  type: 'AWS::IAM::Role',
  attributes: ['Arn', 'RoleId'],
  required: ['AssumeRolePolicyDocument'],
  create(ctx, props) {
    const name = props.RoleName !== undefined ? String(props.RoleName) : generatedName(ctx, 64);
    const path = props.Path !== undefined ? String(props.Path) : '/';
    const arn = roleArn(ctx, path, name);
    const tags = { ...ctx.stackTags, ...tagRecord(props.Tags) };
    const trust = validPolicy(ctx, props.AssumeRolePolicyDocument, 'MalformedPolicyDocument');
    // IAM validates CreateRole (name, path, description, tags with stack tags merged in) before anything else.
    checkServiceRequest(ctx, 'Iam', {
      operation: 'CreateRole',
      input: {
        RoleName: name,
        Path: path,
        AssumeRolePolicyDocument: JSON.stringify(trust),
        ...(props.Description !== undefined ? { Description: String(props.Description) } : {}),
        ...(props.MaxSessionDuration !== undefined ? { MaxSessionDuration: Number(props.MaxSessionDuration) } : {}),
        ...(Object.keys(tags).length ? { Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) } : {}),
      },
    });
    ctx.require('Iam', 'iam:CreateRole', arn);
    if (Object.keys(tags).length) ctx.require('Iam', 'iam:TagRole', arn);
    if (findRole(ctx, name)) throw alreadyExists(ctx, 'AWS::IAM::Role', name);
    const policies = Array.isArray(props.Policies) ? (props.Policies as Record<string, unknown>[]) : [];
    const managed = stringList(props.ManagedPolicyArns);
    const inline: Record<string, PolicyDocument> = {};
    for (const p of policies)
      inline[String(p.PolicyName)] = validPolicy(ctx, p.PolicyDocument, 'MalformedPolicyDocument');
    const role = ctx.world.addRole({
      accountId: ctx.accountId,
      name,
      path,
      partition: ctx.partition,
      trust,
      ...(props.Description !== undefined ? { description: String(props.Description) } : {}),
      ...(props.MaxSessionDuration !== undefined ? { maxSessionDuration: Number(props.MaxSessionDuration) } : {}),
      ...(props.PermissionsBoundary !== undefined ? { permissionsBoundaryArn: String(props.PermissionsBoundary) } : {}),
      tags,
    });
    ctx.setPhysicalId(name);
    // The handler puts inline policies, then attaches managed ones; a denial leaves the role behind.
    for (const [policyName, doc] of Object.entries(inline)) {
      ctx.require('Iam', 'iam:PutRolePolicy', arn);
      role.inlinePolicies[policyName] = doc;
    }
    for (const policyArn of managed) {
      ctx.require('Iam', 'iam:AttachRolePolicy', arn, { 'iam:PolicyARN': policyArn });
      if (!ctx.world.managedPolicy(policyArn)) {
        throw noSuchEntity(ctx, `Policy ${policyArn} does not exist or is not attachable.`);
      }
      if (!role.attachedPolicyArns.includes(policyArn)) role.attachedPolicyArns.push(policyArn);
    }
    return { durationMs: jitter(ctx, 15_000, 0.33) };
  },
  finishCreate(ctx, _props, physicalId) {
    const role = findRole(ctx, physicalId);
    if (!role) throw noSuchEntity(ctx, `The role with name ${physicalId} cannot be found.`);
    return { ref: role.name, attributes: { Arn: role.arn, RoleId: role.roleId } };
  },
  delete(ctx, _props, physicalId) {
    const role = physicalId ? findRole(ctx, physicalId) : undefined;
    if (!role) return { durationMs: 1_000 };
    for (const policyArn of [...role.attachedPolicyArns]) {
      ctx.require('Iam', 'iam:DetachRolePolicy', role.arn, {
        'iam:PolicyARN': policyArn,
        ...resourceTagKeys(role.tags),
      });
      role.attachedPolicyArns = role.attachedPolicyArns.filter((a) => a !== policyArn);
    }
    for (const name of Object.keys(role.inlinePolicies)) {
      ctx.require('Iam', 'iam:DeleteRolePolicy', role.arn, resourceTagKeys(role.tags));
      delete role.inlinePolicies[name];
    }
    ctx.require('Iam', 'iam:DeleteRole', role.arn, resourceTagKeys(role.tags));
    ctx.data.roles = ctx.data.roles.filter((r) => r !== role);
    return { durationMs: jitter(ctx, 3_000) };
  },
  finishDelete() {},
};
