/**
 * EC2 resources an EKS stack uses: AWS::EC2::SecurityGroup, AWS::EC2::SecurityGroupIngress,
 * AWS::EC2::LaunchTemplate (kept in the engine's own state: the EC2 module does not describe them yet).
 */
import type { SecurityGroup, SecurityGroupRule } from '../../world/types.js';
import { launchTemplates } from './eks.js';
import {
  jitter,
  type ProviderContext,
  type ResourceProvider,
  randomHex,
  serviceFailure,
  stringList,
  tagRecord,
} from './types.js';

function ec2Error(ctx: ProviderContext, message: string, status = 400, handlerErrorCode = 'InvalidRequest') {
  return serviceFailure(ctx, { service: 'Ec2', status, message, handlerErrorCode });
}

function arn(ctx: ProviderContext, kind: string, id: string): string {
  return `arn:${ctx.partition}:ec2:${ctx.region}:${ctx.accountId}:${kind}/${id}`;
}

function findGroup(ctx: ProviderContext, groupId: string): SecurityGroup | undefined {
  return ctx.data.securityGroups.find(
    (g) => g.groupId === groupId && g.accountId === ctx.accountId && g.region === ctx.region,
  );
}

function rule(r: Record<string, unknown>): SecurityGroupRule {
  const out: SecurityGroupRule = { ipProtocol: String(r.IpProtocol ?? '-1') };
  if (r.FromPort !== undefined) out.fromPort = Number(r.FromPort);
  if (r.ToPort !== undefined) out.toPort = Number(r.ToPort);
  if (r.CidrIp !== undefined) out.cidrIps = [String(r.CidrIp)];
  const source = r.SourceSecurityGroupId ?? r.DestinationSecurityGroupId;
  if (source !== undefined) out.sourceGroupIds = [String(source)];
  return out;
}

export const ec2SecurityGroup: ResourceProvider = {
  type: 'AWS::EC2::SecurityGroup',
  attributes: ['GroupId', 'VpcId'],
  required: ['GroupDescription'],
  create(ctx, props) {
    const vpcId =
      props.VpcId !== undefined
        ? String(props.VpcId)
        : ctx.data.vpcs.find((v) => v.accountId === ctx.accountId && v.region === ctx.region && v.isDefault)?.vpcId;
    if (!vpcId) throw ec2Error(ctx, 'No default VPC for this user', 400);
    ctx.require('Ec2', 'ec2:CreateSecurityGroup', arn(ctx, 'vpc', vpcId));
    ctx.require('Ec2', 'ec2:CreateSecurityGroup', arn(ctx, 'security-group', '*'));
    const vpc = ctx.data.vpcs.find(
      (v) => v.vpcId === vpcId && v.accountId === ctx.accountId && v.region === ctx.region,
    );
    if (!vpc) throw ec2Error(ctx, `The vpc ID '${vpcId}' does not exist`, 400, 'NotFound');
    const groupName =
      props.GroupName !== undefined
        ? String(props.GroupName)
        : `${ctx.stackName}-${ctx.logicalId}-${randomHex(ctx, 12).toUpperCase()}`;
    if (ctx.data.securityGroups.some((g) => g.vpcId === vpcId && g.groupName === groupName)) {
      throw ec2Error(ctx, `The security group '${groupName}' already exists for VPC '${vpcId}'`, 400, 'AlreadyExists');
    }
    const groupId = `sg-${randomHex(ctx, 17)}`;
    const tags = { ...ctx.stackTags, ...tagRecord(props.Tags) };
    if (Object.keys(tags).length) ctx.require('Ec2', 'ec2:CreateTags', arn(ctx, 'security-group', groupId));
    const group: SecurityGroup = {
      accountId: ctx.accountId,
      region: ctx.region,
      groupId,
      groupName,
      description: String(props.GroupDescription),
      vpcId,
      ingress: [],
      egress: [{ ipProtocol: '-1', cidrIps: ['0.0.0.0/0'] }],
      tags,
    };
    ctx.data.securityGroups.push(group);
    ctx.setPhysicalId(groupId);
    const ingress = Array.isArray(props.SecurityGroupIngress)
      ? (props.SecurityGroupIngress as Record<string, unknown>[])
      : [];
    if (ingress.length) ctx.require('Ec2', 'ec2:AuthorizeSecurityGroupIngress', arn(ctx, 'security-group', groupId));
    group.ingress.push(...ingress.map(rule));
    const egress = Array.isArray(props.SecurityGroupEgress)
      ? (props.SecurityGroupEgress as Record<string, unknown>[])
      : undefined;
    if (egress) {
      ctx.require('Ec2', 'ec2:RevokeSecurityGroupEgress', arn(ctx, 'security-group', groupId));
      ctx.require('Ec2', 'ec2:AuthorizeSecurityGroupEgress', arn(ctx, 'security-group', groupId));
      group.egress = egress.map(rule);
    }
    return { durationMs: jitter(ctx, 5_000, 0.3) };
  },
  finishCreate(ctx, _props, physicalId) {
    const g = findGroup(ctx, physicalId);
    if (!g) throw ec2Error(ctx, `The security group '${physicalId}' does not exist`, 400, 'NotFound');
    return { ref: g.groupId, attributes: { GroupId: g.groupId, VpcId: g.vpcId } };
  },
  delete(ctx, _props, physicalId) {
    const g = physicalId ? findGroup(ctx, physicalId) : undefined;
    if (!g) return { durationMs: 500 };
    ctx.require('Ec2', 'ec2:DeleteSecurityGroup', arn(ctx, 'security-group', g.groupId));
    const inUse = ctx.data.eksClusters.some((c) => c.resourcesVpcConfig.securityGroupIds.includes(g.groupId));
    if (inUse) throw ec2Error(ctx, `resource ${g.groupId} has a dependent object`, 400, 'ResourceConflict');
    ctx.data.securityGroups = ctx.data.securityGroups.filter((x) => x !== g);
    return { durationMs: jitter(ctx, 3_000, 0.3) };
  },
  finishDelete() {},
};

export const ec2SecurityGroupIngress: ResourceProvider = {
  type: 'AWS::EC2::SecurityGroupIngress',
  attributes: ['Id'],
  required: ['IpProtocol'],
  create(ctx, props) {
    const groupId = props.GroupId !== undefined ? String(props.GroupId) : '';
    ctx.require('Ec2', 'ec2:AuthorizeSecurityGroupIngress', arn(ctx, 'security-group', groupId || '*'));
    const g = findGroup(ctx, groupId);
    if (!g) throw ec2Error(ctx, `The security group '${groupId}' does not exist`, 400, 'NotFound');
    const id = `sgr-${randomHex(ctx, 17)}`;
    g.ingress.push(rule(props));
    ctx.setPhysicalId(id);
    return { durationMs: jitter(ctx, 2_000, 0.3), state: { groupId } };
  },
  finishCreate(_ctx, _props, physicalId) {
    return { ref: physicalId, attributes: { Id: physicalId } };
  },
  delete(ctx, props, physicalId) {
    const g = props.GroupId !== undefined ? findGroup(ctx, String(props.GroupId)) : undefined;
    if (!physicalId || !g) return { durationMs: 500 };
    ctx.require('Ec2', 'ec2:RevokeSecurityGroupIngress', arn(ctx, 'security-group', g.groupId));
    const r = JSON.stringify(rule(props));
    const index = g.ingress.findIndex((x) => JSON.stringify(x) === r);
    if (index >= 0) g.ingress.splice(index, 1);
    return { durationMs: jitter(ctx, 2_000, 0.3) };
  },
  finishDelete() {},
};

export const ec2LaunchTemplate: ResourceProvider = {
  type: 'AWS::EC2::LaunchTemplate',
  attributes: ['LaunchTemplateId', 'LatestVersionNumber', 'DefaultVersionNumber'],
  required: ['LaunchTemplateData'],
  create(ctx, props) {
    const name =
      props.LaunchTemplateName !== undefined
        ? String(props.LaunchTemplateName)
        : `${ctx.logicalId}_${randomHex(ctx, 12)}`;
    ctx.require('Ec2', 'ec2:CreateLaunchTemplate', arn(ctx, 'launch-template', '*'));
    const store = launchTemplates(ctx);
    if (store.some((t) => t.accountId === ctx.accountId && t.region === ctx.region && t.name === name)) {
      throw ec2Error(ctx, `Launch template name already in use.`, 400, 'AlreadyExists');
    }
    const data = (props.LaunchTemplateData ?? {}) as Record<string, unknown>;
    // KeyName is not checked here: EC2 resolves it when instances launch (see the node group).
    for (const sg of stringList(data.SecurityGroupIds)) {
      if (!findGroup(ctx, sg)) throw ec2Error(ctx, `The security group '${sg}' does not exist`, 400, 'NotFound');
    }
    const id = `lt-${randomHex(ctx, 17)}`;
    const tags = { ...ctx.stackTags };
    if (Object.keys(tags).length) ctx.require('Ec2', 'ec2:CreateTags', arn(ctx, 'launch-template', id));
    store.push({
      accountId: ctx.accountId,
      region: ctx.region,
      id,
      name,
      latestVersion: 1,
      data,
      tags,
      createTime: ctx.nowIso(),
    });
    ctx.setPhysicalId(id);
    return { durationMs: jitter(ctx, 2_000, 0.3) };
  },
  finishCreate(ctx, _props, physicalId) {
    const t = launchTemplates(ctx).find((x) => x.id === physicalId);
    if (!t)
      throw ec2Error(
        ctx,
        `The specified launch template, with template ID ${physicalId}, does not exist.`,
        400,
        'NotFound',
      );
    return {
      ref: t.id,
      attributes: { LaunchTemplateId: t.id, LatestVersionNumber: String(t.latestVersion), DefaultVersionNumber: '1' },
    };
  },
  delete(ctx, _props, physicalId) {
    const store = launchTemplates(ctx);
    const t = physicalId ? store.find((x) => x.id === physicalId) : undefined;
    if (!t) return { durationMs: 500 };
    ctx.require('Ec2', 'ec2:DeleteLaunchTemplate', arn(ctx, 'launch-template', t.id));
    store.splice(store.indexOf(t), 1);
    return { durationMs: jitter(ctx, 2_000, 0.3) };
  },
  finishDelete() {},
};
