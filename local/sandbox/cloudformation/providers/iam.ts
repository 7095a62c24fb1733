/**
 * IAM resources: AWS::IAM::Role, AWS::IAM::Policy (inline), AWS::IAM::ManagedPolicy.
 * IAM is global: ARNs carry no region; the handlers call CreateRole/PutRolePolicy/AttachRolePolicy (and
 * TagRole when the role gets tags, stack tags included) with the caller's permissions.
 */
import type { IamRole, ManagedPolicy, PolicyDocument } from '../../world/types.js';
import { roleArnOf } from '../../world/world.js';
import {
  alreadyExists,
  checkServiceRequest,
  generatedName,
  jitter,
  policyDocument,
  resourceTagKeys,
  serviceFailure,
  stringList,
  tagRecord,
  type ProviderContext,
  type ResourceProvider,
} from './types.js';

const roleArn = (ctx: ProviderContext, path: string, name: string) => roleArnOf(ctx.partition, ctx.accountId, path, name);

function findRole(ctx: ProviderContext, name: string): IamRole | undefined {
  return ctx.data.roles.find((r) => r.accountId === ctx.accountId && r.name === name);
}

/** Role name from a `Roles` entry (name or ARN). */
function roleNameOf(value: string): string {
  return value.startsWith('arn:') ? value.slice(value.lastIndexOf('/') + 1) : value;
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
    for (const p of policies) inline[String(p.PolicyName)] = validPolicy(ctx, p.PolicyDocument, 'MalformedPolicyDocument');
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
      ctx.require('Iam', 'iam:DetachRolePolicy', role.arn, { 'iam:PolicyARN': policyArn, ...resourceTagKeys(role.tags) });
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

/** AWS::IAM::Policy: one inline policy put on each listed role. */
export const iamPolicy: ResourceProvider = {
  type: 'AWS::IAM::Policy',
  attributes: ['Id'],
  required: ['PolicyDocument', 'PolicyName'],
  create(ctx, props) {
    const doc = validPolicy(ctx, props.PolicyDocument, 'MalformedPolicyDocument');
    const policyName = String(props.PolicyName);
    const roles = stringList(props.Roles).map(roleNameOf);
    if (roles.length === 0 && stringList(props.Users).length === 0 && stringList(props.Groups).length === 0) {
      throw serviceFailure(ctx, {
        service: 'Iam',
        status: 400,
        message: 'At least one of [Groups,Roles,Users] must be non-empty.',
        handlerErrorCode: 'InvalidRequest',
      });
    }
    const id = generatedName({ ...ctx, stackName: ctx.stackName.slice(0, 5), logicalId: ctx.logicalId.slice(0, 5) }, 64);
    for (const name of roles) {
      const role = findRole(ctx, name);
      ctx.require('Iam', 'iam:PutRolePolicy', role?.arn ?? roleArn(ctx, '/', name));
      if (!role) throw noSuchEntity(ctx, `The role with name ${name} cannot be found.`);
      role.inlinePolicies[policyName] = doc;
      ctx.setPhysicalId(id);
    }
    return { durationMs: jitter(ctx, 15_000, 0.3), state: { roles, policyName } };
  },
  finishCreate(_ctx, _props, physicalId) {
    return { ref: physicalId, attributes: { Id: physicalId } };
  },
  delete(ctx, props, physicalId) {
    if (!physicalId) return { durationMs: 500 };
    const policyName = String(props.PolicyName);
    for (const name of stringList(props.Roles).map(roleNameOf)) {
      const role = findRole(ctx, name);
      if (!role || !(policyName in role.inlinePolicies)) continue;
      ctx.require('Iam', 'iam:DeleteRolePolicy', role.arn);
      delete role.inlinePolicies[policyName];
    }
    return { durationMs: jitter(ctx, 2_000) };
  },
  finishDelete() {},
};

export const iamManagedPolicy: ResourceProvider = {
  type: 'AWS::IAM::ManagedPolicy',
  attributes: ['PolicyArn', 'AttachmentCount', 'CreateDate', 'DefaultVersionId', 'IsAttachable', 'PolicyId', 'UpdateDate'],
  required: ['PolicyDocument'],
  create(ctx, props) {
    const doc = validPolicy(ctx, props.PolicyDocument, 'MalformedPolicyDocument');
    const name = props.ManagedPolicyName !== undefined ? String(props.ManagedPolicyName) : generatedName(ctx, 128);
    const path = props.Path !== undefined ? String(props.Path) : '/';
    const arn = `arn:${ctx.partition}:iam::${ctx.accountId}:policy${path}${name}`;
    ctx.require('Iam', 'iam:CreatePolicy', arn);
    if (ctx.world.managedPolicy(arn)) throw alreadyExists(ctx, 'AWS::IAM::ManagedPolicy', arn);
    const policy: ManagedPolicy = {
      arn,
      name,
      path,
      policyId: ctx.world.uniqueId('ANPA'),
      accountId: ctx.accountId,
      ...(props.Description !== undefined ? { description: String(props.Description) } : {}),
      document: doc,
      defaultVersionId: 'v1',
      createDate: ctx.nowIso(),
    };
    ctx.data.managedPolicies.push(policy);
    ctx.setPhysicalId(arn);
    for (const roleName of stringList(props.Roles).map(roleNameOf)) {
      const role = findRole(ctx, roleName);
      ctx.require('Iam', 'iam:AttachRolePolicy', role?.arn ?? roleArn(ctx, '/', roleName), { 'iam:PolicyARN': arn });
      if (!role) throw noSuchEntity(ctx, `The role with name ${roleName} cannot be found.`);
      if (!role.attachedPolicyArns.includes(arn)) role.attachedPolicyArns.push(arn);
    }
    return { durationMs: jitter(ctx, 10_000, 0.3) };
  },
  finishCreate(ctx, _props, physicalId) {
    const p = ctx.world.managedPolicy(physicalId);
    const attachments = ctx.data.roles.filter((r) => r.attachedPolicyArns.includes(physicalId)).length;
    return {
      ref: physicalId,
      attributes: {
        PolicyArn: physicalId,
        AttachmentCount: attachments,
        CreateDate: p?.createDate ?? '',
        DefaultVersionId: p?.defaultVersionId ?? 'v1',
        IsAttachable: true,
        PolicyId: p?.policyId ?? '',
        UpdateDate: p?.createDate ?? '',
      },
    };
  },
  delete(ctx, _props, physicalId) {
    if (!physicalId || !ctx.world.managedPolicy(physicalId)) return { durationMs: 500 };
    for (const role of ctx.data.roles.filter((r) => r.attachedPolicyArns.includes(physicalId))) {
      ctx.require('Iam', 'iam:DetachRolePolicy', role.arn, { 'iam:PolicyARN': physicalId });
      role.attachedPolicyArns = role.attachedPolicyArns.filter((a) => a !== physicalId);
    }
    ctx.require('Iam', 'iam:DeletePolicy', physicalId);
    ctx.data.managedPolicies = ctx.data.managedPolicies.filter((p) => p.arn !== physicalId);
    return { durationMs: jitter(ctx, 3_000) };
  },
  finishDelete() {},
};

