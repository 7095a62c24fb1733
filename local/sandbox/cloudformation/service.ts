/**
 * The CloudFormation API of the sandbox: CreateStack, DescribeStacks, DescribeStackEvents,
 * DescribeStackResources, DescribeStackResource, ListStackResources, ListStacks, DeleteStack, GetTemplate,
 * ValidateTemplate; updates: CreateChangeSet, DescribeChangeSet, ListChangeSets, ExecuteChangeSet,
 * DeleteChangeSet, UpdateStack, ContinueUpdateRollback. Thin over the template analyser (synchronous
 * checks), the update planner (engine/plan.ts) and the stack engine (lifecycle: run.ts, update.ts).
 *
 * `service` runs stacks on real timers; tests build their own with `createCloudFormationService({ clock })`.
 */

import {
  type OperationHandler,
  type OperationInput,
  type RequestContext,
  SandboxAwsError,
  type ServiceModule,
} from '../protocol/types.js';
import type { World } from '../world/world.js';
import { type Clock, realClock } from './engine/clock.js';
import { planChanges, plannedResources } from './engine/plan.js';
import { cfnState, noEchoValues, rememberNoEcho, StackEngine, templateOf } from './engine/run.js';
import type { ChangeSetRecord, ResourceRecord, StackRecord, UpdatePlan } from './engine/types.js';
import { StackUpdater } from './engine/update.js';
import { catalog } from './providers/registry.js';
import {
  type AnalyzedTemplate,
  analyzeTemplate,
  checkCapabilities,
  evaluateConditions,
  type GivenParameter,
  resolveParameters,
} from './template/analyze.js';
import { TemplateError } from './template/errors.js';
import { MAX_TEMPLATE_BODY_BYTES, parseTemplateBody } from './template/parse.js';

export interface CloudFormationServiceOptions {
  clock?: Clock;
  random?: () => number;
}

const PAGE_SIZE = 100;

function validation(message: string): SandboxAwsError {
  return new SandboxAwsError('ValidationError', message, 400);
}

function asAwsError(err: unknown): never {
  if (err instanceof TemplateError) throw new SandboxAwsError(err.code, err.message, 400);
  throw err;
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64');
}

function decodeToken(token: unknown): number {
  if (token === undefined || token === null || token === '') return 0;
  try {
    const o = (JSON.parse(Buffer.from(String(token), 'base64').toString('utf8')) as { o?: unknown }).o;
    if (typeof o === 'number' && Number.isInteger(o) && o >= 0) return o;
  } catch {
    // fall through
  }
  throw validation('Invalid NextToken');
}

function page<T>(items: T[], token: unknown, size = PAGE_SIZE): { items: T[]; NextToken?: string } {
  const offset = decodeToken(token);
  const slice = items.slice(offset, offset + size);
  return offset + size < items.length ? { items: slice, NextToken: encodeToken(offset + size) } : { items: slice };
}

function stackArnPattern(ctx: RequestContext, name: string): string {
  return `arn:${ctx.world.data.partition}:cloudformation:${ctx.region}:${ctx.accountId}:stack/${name}/*`;
}

function stacksHere(ctx: RequestContext): StackRecord[] {
  return cfnState(ctx.world).stacks.filter((s) => s.accountId === ctx.accountId && s.region === ctx.region);
}

/** By name: the live stack of that name. By id (ARN): any stack, deleted ones included. */
function findStack(ctx: RequestContext, nameOrId: string): StackRecord | undefined {
  const stacks = stacksHere(ctx);
  if (nameOrId.startsWith('arn:')) return stacks.find((s) => s.stackId === nameOrId);
  return stacks.find((s) => s.stackName === nameOrId && s.status !== 'DELETE_COMPLETE');
}

function requireStack(ctx: RequestContext, nameOrId: unknown): StackRecord {
  if (typeof nameOrId !== 'string' || nameOrId === '') throw validation('Stack name or id must be specified');
  const stack = findStack(ctx, nameOrId);
  if (!stack) throw validation(`Stack with id ${nameOrId} does not exist`);
  return stack;
}

/** AWS-specific parameter types whose values the sandbox looks up in the world (others are accepted unchecked). */
export const CHECKED_AWS_PARAMETER_TYPES = [
  'AWS::EC2::Subnet::Id',
  'AWS::EC2::VPC::Id',
  'AWS::EC2::SecurityGroup::Id',
  'AWS::EC2::SecurityGroup::GroupName',
  'AWS::EC2::KeyPair::KeyName',
  'AWS::EC2::AvailabilityZone::Name',
] as const;

function awsValueExists(world: World, accountId: string, region: string) {
  const here = <T extends { accountId: string; region: string }>(list: T[]) =>
    list.filter((x) => x.accountId === accountId && x.region === region);
  return (type: string, value: string): boolean => {
    switch (type) {
      case 'AWS::EC2::Subnet::Id':
        return here(world.data.subnets).some((s) => s.subnetId === value);
      case 'AWS::EC2::VPC::Id':
        return here(world.data.vpcs).some((v) => v.vpcId === value);
      case 'AWS::EC2::SecurityGroup::Id':
        return here(world.data.securityGroups).some((g) => g.groupId === value);
      case 'AWS::EC2::SecurityGroup::GroupName':
        return here(world.data.securityGroups).some((g) => g.groupName === value);
      case 'AWS::EC2::KeyPair::KeyName':
        return here(world.data.keyPairs).some((k) => k.keyName === value);
      case 'AWS::EC2::AvailabilityZone::Name':
        return !!world.region(region)?.availabilityZones.some((z) => z.name === value);
      default:
        // Images, instances, volumes, hosted zones: the sandbox has none to check against.
        return true;
    }
  };
}

function analyze(body: unknown): AnalyzedTemplate {
  if (typeof body !== 'string' || body === '')
    throw validation('Either Template URL or Template Body must be specified.');
  if (Buffer.byteLength(body, 'utf8') > MAX_TEMPLATE_BODY_BYTES) {
    throw validation(
      `1 validation error detected: Value at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to ${MAX_TEMPLATE_BODY_BYTES}`,
    );
  }
  try {
    return analyzeTemplate(parseTemplateBody(body), catalog);
  } catch (err) {
    return asAwsError(err);
  }
}

function describeStack(stack: StackRecord): Record<string, unknown> {
  return {
    StackId: stack.stackId,
    StackName: stack.stackName,
    ...(stack.description !== undefined ? { Description: stack.description } : {}),
    Parameters: stack.parameters.map((p) => ({ ParameterKey: p.key, ParameterValue: p.noEcho ? '****' : p.raw })),
    CreationTime: stack.creationTime,
    ...(stack.deletionTime ? { DeletionTime: stack.deletionTime } : {}),
    ...(stack.lastUpdatedTime ? { LastUpdatedTime: stack.lastUpdatedTime } : {}),
    RollbackConfiguration: {},
    StackStatus: stack.status,
    ...(stack.statusReason !== undefined ? { StackStatusReason: stack.statusReason } : {}),
    DisableRollback: stack.disableRollback,
    NotificationARNs: stack.notificationArns,
    ...(stack.timeoutInMinutes !== undefined ? { TimeoutInMinutes: stack.timeoutInMinutes } : {}),
    ...(stack.capabilities.length ? { Capabilities: stack.capabilities } : {}),
    ...(stack.outputs?.length ? { Outputs: stack.outputs } : {}),
    Tags: stack.tags,
    EnableTerminationProtection: false,
    DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
  };
}

function resourceRow(stack: StackRecord, r: ResourceRecord): Record<string, unknown> {
  return {
    StackName: stack.stackName,
    StackId: stack.stackId,
    LogicalResourceId: r.logicalId,
    ...(r.physicalId ? { PhysicalResourceId: r.physicalId } : {}),
    ResourceType: r.type,
    Timestamp: r.lastUpdated,
    ResourceStatus: r.status,
    ...(r.statusReason !== undefined ? { ResourceStatusReason: r.statusReason } : {}),
    DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
  };
}

export function createCloudFormationService(
  options: CloudFormationServiceOptions = {},
): ServiceModule & { engine: StackEngine } {
  const engine = new StackEngine({
    clock: options.clock ?? realClock,
    ...(options.random ? { random: options.random } : {}),
  });

  const CreateStack: OperationHandler = (ctx, input) => {
    const name = input.StackName;
    if (typeof name !== 'string' || name === '')
      throw validation(
        "1 validation error detected: Value null at 'stackName' failed to satisfy constraint: Member must not be null",
      );
    if (!/^[a-zA-Z][-a-zA-Z0-9]*$/.test(name) || name.length > 128) {
      throw validation(
        `1 validation error detected: Value '${name}' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/._+]*`,
      );
    }
    const token = typeof input.ClientRequestToken === 'string' ? input.ClientRequestToken : undefined;
    if (input.TemplateURL !== undefined && input.TemplateBody === undefined) {
      throw validation(
        'TemplateURL is not modelled by the AWS sandbox (it has no S3); pass the template as TemplateBody',
      );
    }
    if (input.RoleARN !== undefined) {
      throw validation(
        "RoleARN (a CloudFormation service role) is not modelled by the AWS sandbox; stacks run with the caller's credentials",
      );
    }
    if (input.OnFailure !== undefined && input.DisableRollback !== undefined) {
      throw validation('You cannot specify both OnFailure and DisableRollback.');
    }
    const onFailure = (input.OnFailure ?? 'ROLLBACK') as StackRecord['onFailure'];
    if (!['ROLLBACK', 'DO_NOTHING', 'DELETE'].includes(onFailure)) {
      throw validation(
        `1 validation error detected: Value '${String(onFailure)}' at 'onFailure' failed to satisfy constraint: Member must satisfy enum value set: [DO_NOTHING, ROLLBACK, DELETE]`,
      );
    }
    const analyzed = analyze(input.TemplateBody);
    const capabilities = Array.isArray(input.Capabilities) ? input.Capabilities.map(String) : [];
    const tags = Array.isArray(input.Tags)
      ? (input.Tags as { Key?: unknown; Value?: unknown }[]).map((t) => ({
          Key: String(t.Key),
          Value: String(t.Value ?? ''),
        }))
      : [];
    if (tags.length > 50)
      throw validation(
        "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50",
      );
    // CloudFormation's request context: the template's resource types and the tags asked for.
    const stackArn = stackArnPattern(ctx, name);
    const tagKeys: Record<string, string | string[]> = { 'aws:TagKeys': tags.map((t) => t.Key) };
    for (const t of tags) tagKeys[`aws:RequestTag/${t.Key}`] = t.Value;
    const resourceTypes = [...new Set(Object.values(analyzed.template.Resources).map((r) => r.Type))];
    ctx.authorize('cloudformation:CreateStack', stackArn, {
      'cloudformation:ResourceTypes': resourceTypes,
      ...(tags.length ? tagKeys : {}),
    });
    // Tagging on create is authorised separately (cloudformation:TagResource).
    if (tags.length)
      ctx.authorize('cloudformation:TagResource', stackArn, {
        'cloudformation:CreateAction': 'CreateStack',
        ...tagKeys,
      });
    const existing = findStack(ctx, name);
    if (existing) {
      // A retry with the same token is the same request: same answer.
      if (token && existing.clientRequestToken === token) return { StackId: existing.stackId };
      throw new SandboxAwsError('AlreadyExistsException', `Stack [${name}] already exists`, 400);
    }

    const stackId = `arn:${ctx.world.data.partition}:cloudformation:${ctx.region}:${ctx.accountId}:stack/${name}/${ctx.world.uuid()}`;
    let stack: StackRecord;
    try {
      checkCapabilities(analyzed, capabilities);
      const parameters = resolveParameters(
        analyzed,
        (input.Parameters ?? []) as GivenParameter[],
        awsValueExists(ctx.world, ctx.accountId, ctx.region),
      );
      const template = analyzed.template;
      const base = {
        parameters: Object.fromEntries(parameters.map((p) => [p.key, p.value])),
        pseudo: {
          region: ctx.region,
          accountId: ctx.accountId,
          stackName: name,
          stackId,
          partition: ctx.world.data.partition,
          urlSuffix: 'amazonaws.com',
        },
        mappings: (template.Mappings ?? {}) as Record<string, Record<string, Record<string, unknown>>>,
        resource: () => undefined,
        availabilityZones: (r: string) => ctx.world.region(r)?.availabilityZones.map((z) => z.name) ?? [],
      };
      const conditions = evaluateConditions(template, base);
      const now = engine.nowIso();
      const resources = plannedResources(template, conditions, now);
      if (resources.length === 0)
        throw new TemplateError('Template format error: At least one Resources member must be defined.');
      stack = {
        stackId,
        stackName: name,
        accountId: ctx.accountId,
        region: ctx.region,
        templateBody: input.TemplateBody as string,
        ...(typeof template.Description === 'string' ? { description: template.Description } : {}),
        // NoEcho values stay out of the record (world state); the engine keeps them in memory.
        parameters: parameters.map((p) =>
          p.noEcho ? { ...p, raw: '****', value: Array.isArray(p.value) ? p.value.map(() => '****') : '****' } : p,
        ),
        conditions,
        capabilities,
        tags,
        onFailure: input.DisableRollback === true ? 'DO_NOTHING' : onFailure,
        disableRollback: input.DisableRollback === true || onFailure === 'DO_NOTHING',
        status: 'CREATE_IN_PROGRESS',
        creationTime: now,
        ...(token ? { clientRequestToken: token, operationToken: token } : {}),
        timeScale: ctx.timeScale,
        caller: engine.registerCaller(ctx.world, ctx.caller),
        resources,
        events: [],
        notificationArns: Array.isArray(input.NotificationARNs) ? input.NotificationARNs.map(String) : [],
        ...(input.TimeoutInMinutes !== undefined ? { timeoutInMinutes: Number(input.TimeoutInMinutes) } : {}),
      };
      rememberNoEcho(stack, Object.fromEntries(parameters.filter((p) => p.noEcho).map((p) => [p.key, p.value])));
    } catch (err) {
      return asAwsError(err);
    }
    cfnState(ctx.world).stacks.push(stack);
    engine.stackEvent(ctx.world, stack, 'CREATE_IN_PROGRESS', 'User Initiated');
    engine.startCreate(ctx.world, stack);
    return { StackId: stackId };
  };

  const DescribeStacks: OperationHandler = (ctx, input) => {
    if (input.StackName !== undefined) {
      const stack = requireStack(ctx, input.StackName);
      ctx.authorize('cloudformation:DescribeStacks', stack.stackId);
      return { Stacks: [describeStack(stack)] };
    }
    ctx.authorize('cloudformation:DescribeStacks', '*');
    const live = stacksHere(ctx)
      .filter((s) => s.status !== 'DELETE_COMPLETE')
      .reverse();
    const p = page(live, input.NextToken);
    return { Stacks: p.items.map(describeStack), ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
  };

  const DescribeStackEvents: OperationHandler = (ctx, input) => {
    const stack = requireStack(ctx, input.StackName);
    ctx.authorize('cloudformation:DescribeStackEvents', stack.stackId);
    const p = page([...stack.events].reverse(), input.NextToken);
    return { StackEvents: p.items, ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
  };

  const started = (stack: StackRecord) => stack.resources.filter((r) => r.status !== 'NOT_STARTED');

  const DescribeStackResources: OperationHandler = (ctx, input) => {
    let stack: StackRecord;
    if (input.StackName === undefined && typeof input.PhysicalResourceId === 'string') {
      const found = stacksHere(ctx).find(
        (s) => s.status !== 'DELETE_COMPLETE' && s.resources.some((r) => r.physicalId === input.PhysicalResourceId),
      );
      if (!found) throw validation(`Stack for ${input.PhysicalResourceId} does not exist`);
      stack = found;
    } else stack = requireStack(ctx, input.StackName);
    ctx.authorize('cloudformation:DescribeStackResources', stack.stackId);
    const rows = started(stack).filter(
      (r) => input.LogicalResourceId === undefined || r.logicalId === input.LogicalResourceId,
    );
    return { StackResources: rows.map((r) => resourceRow(stack, r)) };
  };

  const DescribeStackResource: OperationHandler = (ctx, input) => {
    const stack = requireStack(ctx, input.StackName);
    ctx.authorize('cloudformation:DescribeStackResource', stack.stackId);
    const r = started(stack).find((x) => x.logicalId === input.LogicalResourceId);
    if (!r) throw validation(`Resource ${String(input.LogicalResourceId)} does not exist for stack ${stack.stackName}`);
    const row = resourceRow(stack, r);
    const { Timestamp, ...rest } = row;
    return { StackResourceDetail: { ...rest, LastUpdatedTimestamp: Timestamp, Metadata: '' } };
  };

  const ListStackResources: OperationHandler = (ctx, input) => {
    const stack = requireStack(ctx, input.StackName);
    ctx.authorize('cloudformation:ListStackResources', stack.stackId);
    const p = page(started(stack), input.NextToken);
    return {
      StackResourceSummaries: p.items.map((r) => ({
        LogicalResourceId: r.logicalId,
        ...(r.physicalId ? { PhysicalResourceId: r.physicalId } : {}),
        ResourceType: r.type,
        LastUpdatedTimestamp: r.lastUpdated,
        ResourceStatus: r.status,
        ...(r.statusReason !== undefined ? { ResourceStatusReason: r.statusReason } : {}),
        DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
      })),
      ...(p.NextToken ? { NextToken: p.NextToken } : {}),
    };
  };

  const ListStacks: OperationHandler = (ctx, input) => {
    ctx.authorize('cloudformation:ListStacks', '*');
    const filter = Array.isArray(input.StackStatusFilter) ? input.StackStatusFilter.map(String) : undefined;
    const rows = stacksHere(ctx)
      .filter((s) => !filter || filter.includes(s.status))
      .reverse();
    const p = page(rows, input.NextToken);
    return {
      StackSummaries: p.items.map((s) => ({
        StackId: s.stackId,
        StackName: s.stackName,
        ...(s.description !== undefined ? { TemplateDescription: s.description } : {}),
        CreationTime: s.creationTime,
        ...(s.deletionTime ? { DeletionTime: s.deletionTime } : {}),
        StackStatus: s.status,
        ...(s.statusReason !== undefined ? { StackStatusReason: s.statusReason } : {}),
        DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
      })),
      ...(p.NextToken ? { NextToken: p.NextToken } : {}),
    };
  };

  const DeleteStack: OperationHandler = (ctx, input) => {
    if (typeof input.StackName !== 'string' || input.StackName === '')
      throw validation('Stack name or id must be specified');
    const stack = findStack(ctx, input.StackName);
    // Stack tags are the stack's aws:ResourceTag keys (a delete permission may be scoped by them).
    const resourceTags: Record<string, string> = {};
    for (const t of stack?.tags ?? []) resourceTags[`aws:ResourceTag/${t.Key}`] = t.Value;
    ctx.authorize('cloudformation:DeleteStack', stack?.stackId ?? stackArnPattern(ctx, input.StackName), resourceTags);
    // Deleting a stack that does not exist (or is already gone) succeeds, as in AWS.
    if (!stack || stack.status === 'DELETE_COMPLETE' || stack.status === 'DELETE_IN_PROGRESS') return {};
    if (
      [
        'ROLLBACK_IN_PROGRESS',
        'UPDATE_IN_PROGRESS',
        'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
        'UPDATE_ROLLBACK_IN_PROGRESS',
        'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
      ].includes(stack.status)
    ) {
      throw validation(`Stack [${stack.stackName}] cannot be deleted while in status ${stack.status}`);
    }
    const retain = Array.isArray(input.RetainResources) ? input.RetainResources.map(String) : [];
    if (retain.length && stack.status !== 'DELETE_FAILED') {
      throw validation(
        `Invalid operation on stack [${stack.stackId}]: RetainResources can only be specified when the stack is in the DELETE_FAILED state`,
      );
    }
    const caller = engine.registerCaller(ctx.world, ctx.caller);
    if (stack.status === 'CREATE_IN_PROGRESS') engine.cancelCreate(ctx.world, stack);
    stack.operationToken = typeof input.ClientRequestToken === 'string' ? input.ClientRequestToken : undefined;
    if (!stack.operationToken) delete stack.operationToken;
    delete stack.update;
    engine.stackEvent(ctx.world, stack, 'DELETE_IN_PROGRESS', 'User Initiated');
    engine.startTeardown(ctx.world, stack, 'DELETE', caller, retain);
    return {};
  };

  const GetTemplate: OperationHandler = (ctx, input) => {
    const stack = requireStack(ctx, input.StackName);
    ctx.authorize('cloudformation:GetTemplate', stack.stackId);
    return { TemplateBody: stack.templateBody, StagesAvailable: ['Original', 'Processed'] };
  };

  const ValidateTemplate: OperationHandler = (ctx, input) => {
    ctx.authorize('cloudformation:ValidateTemplate', '*');
    const analyzed = analyze(input.TemplateBody);
    const decls = (analyzed.template.Parameters ?? {}) as Record<string, Record<string, unknown>>;
    const iamTypes = [
      ...new Set(
        Object.values(analyzed.template.Resources)
          .map((r) => r.Type)
          .filter((t) => t.startsWith('AWS::IAM::')),
      ),
    ];
    return {
      Parameters: analyzed.parameterNames.map((k) => ({
        ParameterKey: k,
        ...(decls[k]!.Default !== undefined ? { DefaultValue: String(decls[k]!.Default) } : {}),
        NoEcho: String(decls[k]!.NoEcho) === 'true',
        ...(decls[k]!.Description !== undefined ? { Description: String(decls[k]!.Description) } : {}),
      })),
      ...(typeof analyzed.template.Description === 'string' ? { Description: analyzed.template.Description } : {}),
      ...(analyzed.requiredCapability
        ? {
            Capabilities: [analyzed.requiredCapability],
            CapabilitiesReason: `The following resource(s) require capabilities: [${iamTypes.join(', ')}]`,
          }
        : {}),
    };
  };

  // ----- updates: change sets, UpdateStack, ContinueUpdateRollback (issue 22) -------------------------------

  const updater = new StackUpdater(engine);
  const UPDATABLE = ['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE'];
  /** AWS takes a few seconds to compute a change set. */
  const CHANGE_SET_COMPUTE_MS = 5_000;
  const NO_CHANGES =
    "The submitted information didn't contain changes. Submit different information to create a change set.";

  function requireUpdatable(stack: StackRecord): void {
    if (!UPDATABLE.includes(stack.status))
      throw validation(`Stack:${stack.stackId} is in ${stack.status} state and can not be updated.`);
  }

  const changeSets = (ctx: RequestContext) => (cfnState(ctx.world).changeSets ??= []);

  /** The update a CreateChangeSet / UpdateStack asks for, planned against the stack as it is. */
  function plan(
    ctx: RequestContext,
    stack: StackRecord,
    input: OperationInput,
  ): { plan: UpdatePlan; noEcho: Record<string, string | string[]>; noChange: boolean } {
    if (input.UsePreviousTemplate === true && input.TemplateBody !== undefined) {
      throw validation('You cannot specify both usePreviousTemplate and Template Body');
    }
    if (input.TemplateURL !== undefined && input.TemplateBody === undefined) {
      throw validation(
        'TemplateURL is not modelled by the AWS sandbox (it has no S3); pass the template as TemplateBody or UsePreviousTemplate',
      );
    }
    if (input.RoleARN !== undefined) {
      throw validation(
        "RoleARN (a CloudFormation service role) is not modelled by the AWS sandbox; stacks run with the caller's credentials",
      );
    }
    const body = input.UsePreviousTemplate === true ? stack.templateBody : input.TemplateBody;
    const analyzed = analyze(body);
    const capabilities = Array.isArray(input.Capabilities) ? input.Capabilities.map(String) : [];
    try {
      checkCapabilities(analyzed, capabilities);
      const previous = new Map(stack.parameters.map((p) => [p.key, p]));
      const hidden = noEchoValues(stack);
      const given = ((input.Parameters ?? []) as GivenParameter[]).map((g) => {
        if (g.UsePreviousValue !== true) return g;
        if (g.ParameterValue !== undefined)
          throw validation(
            `Invalid input for parameter key ${g.ParameterKey}. Cannot specify usePreviousValue as true and non empty value for a parameter`,
          );
        const prev = previous.get(String(g.ParameterKey));
        if (!prev)
          throw validation(
            `Invalid input for parameter key ${g.ParameterKey}. Cannot specify usePreviousValue as true for a parameter key not in the previous template`,
          );
        const real = hidden[prev.key];
        return {
          ParameterKey: g.ParameterKey,
          ParameterValue: prev.noEcho && real !== undefined ? (Array.isArray(real) ? real.join(',') : real) : prev.raw,
        };
      });
      const parameters = resolveParameters(analyzed, given, awsValueExists(ctx.world, ctx.accountId, ctx.region));
      const template = analyzed.template;
      const conditions = evaluateConditions(template, {
        parameters: Object.fromEntries(parameters.map((p) => [p.key, p.value])),
        pseudo: {
          region: ctx.region,
          accountId: ctx.accountId,
          stackName: stack.stackName,
          stackId: stack.stackId,
          partition: ctx.world.data.partition,
          urlSuffix: 'amazonaws.com',
        },
        mappings: (template.Mappings ?? {}) as Record<string, Record<string, Record<string, unknown>>>,
        resource: () => undefined,
        availabilityZones: (r: string) => ctx.world.region(r)?.availabilityZones.map((z) => z.name) ?? [],
      });
      const noEcho = Object.fromEntries(parameters.filter((p) => p.noEcho).map((p) => [p.key, p.value]));
      const changes = planChanges(
        ctx.world,
        stack,
        templateOf(stack),
        template,
        parameters,
        noEcho,
        conditions,
        hidden,
      );
      const tags = Array.isArray(input.Tags)
        ? (input.Tags as { Key?: unknown; Value?: unknown }[]).map((t) => ({
            Key: String(t.Key),
            Value: String(t.Value ?? ''),
          }))
        : stack.tags;
      const masked = parameters.map((p) =>
        p.noEcho ? { ...p, raw: '****', value: Array.isArray(p.value) ? p.value.map(() => '****') : '****' } : p,
      );
      const sameParams =
        parameters.length === stack.parameters.length &&
        parameters.every((p) => {
          const prev = previous.get(p.key);
          if (!prev) return false;
          if (p.noEcho) return JSON.stringify(hidden[p.key] ?? prev.value) === JSON.stringify(p.value);
          return prev.raw === p.raw;
        });
      const noChange =
        changes.length === 0 &&
        body === stack.templateBody &&
        sameParams &&
        JSON.stringify(tags) === JSON.stringify(stack.tags);
      return {
        plan: {
          templateBody: body as string,
          ...(typeof template.Description === 'string' ? { description: template.Description } : {}),
          parameters: masked,
          conditions,
          capabilities,
          tags,
          changes,
        },
        noEcho,
        noChange,
      };
    } catch (err) {
      return asAwsError(err);
    }
  }

  function findChangeSet(ctx: RequestContext, input: OperationInput): ChangeSetRecord {
    const name = String(input.ChangeSetName ?? '');
    let cs: ChangeSetRecord | undefined;
    if (name.startsWith('arn:')) cs = changeSets(ctx).find((c) => c.changeSetId === name);
    else {
      if (input.StackName === undefined)
        throw validation('StackName must be specified if ChangeSetName is not specified as an ARN.');
      const stack = findStack(ctx, String(input.StackName));
      cs = stack ? changeSets(ctx).find((c) => c.stackId === stack.stackId && c.changeSetName === name) : undefined;
    }
    if (!cs || cs.status === 'DELETE_COMPLETE')
      throw new SandboxAwsError('ChangeSetNotFound', `ChangeSet [${name}] does not exist`, 404);
    return cs;
  }

  /** Status as time goes by: pending, computing, then complete (or FAILED without changes). */
  function changeSetStatus(
    cs: ChangeSetRecord,
    stack: StackRecord | undefined,
  ): Pick<ChangeSetRecord, 'status' | 'executionStatus' | 'statusReason'> {
    const now = engine.nowIso();
    if (cs.status === 'CREATE_PENDING' && now < cs.readyAt) {
      const started = Date.parse(cs.creationTime) + (Date.parse(cs.readyAt) - Date.parse(cs.creationTime)) / 5;
      return {
        status: Date.parse(now) < started ? 'CREATE_PENDING' : 'CREATE_IN_PROGRESS',
        executionStatus: 'UNAVAILABLE',
      };
    }
    if (cs.status === 'CREATE_PENDING') {
      if (cs.statusReason === NO_CHANGES) Object.assign(cs, { status: 'FAILED', executionStatus: 'UNAVAILABLE' });
      else Object.assign(cs, { status: 'CREATE_COMPLETE', executionStatus: 'AVAILABLE' });
    }
    if (cs.executionStatus === 'EXECUTE_IN_PROGRESS' && stack) {
      if (stack.status === 'UPDATE_COMPLETE') cs.executionStatus = 'EXECUTE_COMPLETE';
      else if (
        stack.status === 'UPDATE_ROLLBACK_COMPLETE' ||
        stack.status === 'UPDATE_ROLLBACK_FAILED' ||
        stack.status.startsWith('DELETE')
      )
        cs.executionStatus = 'EXECUTE_FAILED';
    }
    return {
      status: cs.status,
      executionStatus: cs.executionStatus,
      ...(cs.statusReason !== undefined ? { statusReason: cs.statusReason } : {}),
    };
  }

  const CreateChangeSet: OperationHandler = (ctx, input) => {
    const type = input.ChangeSetType ?? 'UPDATE';
    if (type !== 'UPDATE') {
      throw validation(
        `ChangeSetType ${String(type)} is not modelled by the AWS sandbox; create stacks with CreateStack and update them with change sets (ChangeSetType UPDATE)`,
      );
    }
    const stack = requireStack(ctx, input.StackName);
    ctx.authorize('cloudformation:CreateChangeSet', stack.stackId, {
      'cloudformation:ChangeSetName': String(input.ChangeSetName),
    });
    const existing = changeSets(ctx).find(
      (c) => c.stackId === stack.stackId && c.changeSetName === input.ChangeSetName && c.status !== 'DELETE_COMPLETE',
    );
    if (existing) {
      if (typeof input.ClientToken === 'string' && existing.clientToken === input.ClientToken)
        return { Id: existing.changeSetId, StackId: stack.stackId };
      throw new SandboxAwsError(
        'AlreadyExistsException',
        `ChangeSet [${String(input.ChangeSetName)}] already exists`,
        400,
      );
    }
    requireUpdatable(stack);
    const planned = plan(ctx, stack, input);
    const now = engine.nowIso();
    const cs: ChangeSetRecord = {
      changeSetId: `arn:${ctx.world.data.partition}:cloudformation:${ctx.region}:${ctx.accountId}:changeSet/${String(input.ChangeSetName)}/${ctx.world.uuid()}`,
      changeSetName: String(input.ChangeSetName),
      stackId: stack.stackId,
      ...(typeof input.Description === 'string' ? { description: input.Description } : {}),
      status: 'CREATE_PENDING',
      ...(planned.noChange ? { statusReason: NO_CHANGES } : {}),
      executionStatus: 'UNAVAILABLE',
      creationTime: now,
      readyAt: new Date(Date.parse(now) + CHANGE_SET_COMPUTE_MS / Math.max(ctx.timeScale, 1e-9)).toISOString(),
      ...(typeof input.ClientToken === 'string' ? { clientToken: input.ClientToken } : {}),
      plan: planned.plan,
    };
    changeSetSecrets.set(cs.changeSetId, planned.noEcho);
    changeSets(ctx).push(cs);
    return { Id: cs.changeSetId, StackId: stack.stackId };
  };

  /** NoEcho values of change sets (process memory only, like the stacks'). */
  const changeSetSecrets = new Map<string, Record<string, string | string[]>>();

  const DescribeChangeSet: OperationHandler = (ctx, input) => {
    const cs = findChangeSet(ctx, input);
    const stack = stacksHere(ctx).find((s) => s.stackId === cs.stackId);
    ctx.authorize('cloudformation:DescribeChangeSet', cs.stackId, { 'cloudformation:ChangeSetName': cs.changeSetName });
    const st = changeSetStatus(cs, stack);
    const ready = st.status === 'CREATE_COMPLETE';
    return {
      ChangeSetName: cs.changeSetName,
      ChangeSetId: cs.changeSetId,
      StackId: cs.stackId,
      StackName: stack?.stackName,
      ...(cs.description !== undefined ? { Description: cs.description } : {}),
      Parameters: cs.plan.parameters.map((p) => ({ ParameterKey: p.key, ParameterValue: p.raw })),
      CreationTime: cs.creationTime,
      ExecutionStatus: st.executionStatus,
      Status: st.status,
      ...(st.statusReason !== undefined && st.status === 'FAILED' ? { StatusReason: st.statusReason } : {}),
      NotificationARNs: stack?.notificationArns ?? [],
      RollbackConfiguration: {},
      ...(cs.plan.capabilities.length ? { Capabilities: cs.plan.capabilities } : {}),
      Tags: cs.plan.tags,
      Changes:
        ready || st.status === 'FAILED'
          ? cs.plan.changes.map((c) => ({
              Type: 'Resource',
              ResourceChange: {
                Action: c.action,
                LogicalResourceId: c.logicalId,
                ...(c.physicalId !== undefined ? { PhysicalResourceId: c.physicalId } : {}),
                ResourceType: c.type,
                ...(c.replacement !== undefined ? { Replacement: c.replacement } : {}),
                Scope: c.scope,
                Details: c.details,
              },
            }))
          : [],
      IncludeNestedStacks: false,
    };
  };

  const ListChangeSets: OperationHandler = (ctx, input) => {
    const stack = requireStack(ctx, input.StackName);
    ctx.authorize('cloudformation:ListChangeSets', stack.stackId);
    const list = changeSets(ctx).filter((c) => c.stackId === stack.stackId && c.status !== 'DELETE_COMPLETE');
    const p = page(list, input.NextToken);
    return {
      Summaries: p.items.map((cs) => {
        const st = changeSetStatus(cs, stack);
        return {
          StackId: stack.stackId,
          StackName: stack.stackName,
          ChangeSetId: cs.changeSetId,
          ChangeSetName: cs.changeSetName,
          ExecutionStatus: st.executionStatus,
          Status: st.status,
          ...(st.status === 'FAILED' && st.statusReason !== undefined ? { StatusReason: st.statusReason } : {}),
          CreationTime: cs.creationTime,
          ...(cs.description !== undefined ? { Description: cs.description } : {}),
          IncludeNestedStacks: false,
        };
      }),
      ...(p.NextToken ? { NextToken: p.NextToken } : {}),
    };
  };

  function refuseDisableRollback(input: OperationInput): void {
    if (input.DisableRollback === true || input.RetainExceptOnCreate === true) {
      throw validation(
        'DisableRollback/RetainExceptOnCreate on stack updates are not modelled by the AWS sandbox: a failed update always rolls back',
      );
    }
  }

  function begin(
    ctx: RequestContext,
    stack: StackRecord,
    planned: UpdatePlan,
    noEcho: Record<string, string | string[]>,
    token: unknown,
  ): void {
    stack.operationToken = typeof token === 'string' ? token : undefined;
    if (!stack.operationToken) delete stack.operationToken;
    const caller = engine.registerCaller(ctx.world, ctx.caller);
    engine.stackEvent(ctx.world, stack, 'UPDATE_IN_PROGRESS', 'User Initiated');
    updater.start(ctx.world, stack, planned, noEcho, caller);
  }

  const ExecuteChangeSet: OperationHandler = (ctx, input) => {
    const cs = findChangeSet(ctx, input);
    refuseDisableRollback(input);
    const stack = stacksHere(ctx).find((s) => s.stackId === cs.stackId && s.status !== 'DELETE_COMPLETE');
    ctx.authorize('cloudformation:ExecuteChangeSet', cs.stackId, { 'cloudformation:ChangeSetName': cs.changeSetName });
    const st = changeSetStatus(cs, stack);
    if (!stack || st.status !== 'CREATE_COMPLETE' || st.executionStatus !== 'AVAILABLE') {
      throw new SandboxAwsError(
        'InvalidChangeSetStatus',
        `ChangeSet [${cs.changeSetId}] cannot be executed in its current status of [${st.status}]`,
        400,
      );
    }
    requireUpdatable(stack);
    // The stack must not have changed since the change set was made.
    if (Date.parse(stack.lastUpdatedTime ?? stack.creationTime) > Date.parse(cs.creationTime)) {
      cs.executionStatus = 'OBSOLETE';
      throw new SandboxAwsError(
        'InvalidChangeSetStatus',
        `ChangeSet [${cs.changeSetId}] cannot be executed in its current status of [OBSOLETE]`,
        400,
      );
    }
    cs.executionStatus = 'EXECUTE_IN_PROGRESS';
    // CloudFormation deletes the stack's other change sets once one is executed.
    for (const other of changeSets(ctx))
      if (other.stackId === stack.stackId && other !== cs) other.status = 'DELETE_COMPLETE';
    begin(ctx, stack, cs.plan, changeSetSecrets.get(cs.changeSetId) ?? {}, input.ClientRequestToken);
    return {};
  };

  const DeleteChangeSet: OperationHandler = (ctx, input) => {
    const cs = findChangeSet(ctx, input);
    ctx.authorize('cloudformation:DeleteChangeSet', cs.stackId, { 'cloudformation:ChangeSetName': cs.changeSetName });
    if (cs.executionStatus === 'EXECUTE_IN_PROGRESS') {
      throw new SandboxAwsError(
        'InvalidChangeSetStatus',
        `Cannot delete ChangeSet [${cs.changeSetId}] while it is in EXECUTE_IN_PROGRESS`,
        400,
      );
    }
    cs.status = 'DELETE_COMPLETE';
    changeSetSecrets.delete(cs.changeSetId);
    return {};
  };

  const UpdateStack: OperationHandler = (ctx, input) => {
    const stack = requireStack(ctx, input.StackName);
    ctx.authorize('cloudformation:UpdateStack', stack.stackId);
    refuseDisableRollback(input);
    requireUpdatable(stack);
    const planned = plan(ctx, stack, input);
    if (planned.noChange) throw validation('No updates are to be performed.');
    begin(ctx, stack, planned.plan, planned.noEcho, input.ClientRequestToken);
    return { StackId: stack.stackId };
  };

  const ContinueUpdateRollback: OperationHandler = (ctx, input) => {
    const stack = requireStack(ctx, input.StackName);
    ctx.authorize('cloudformation:ContinueUpdateRollback', stack.stackId);
    if (stack.status !== 'UPDATE_ROLLBACK_FAILED' || !stack.update) {
      throw validation(
        `Stack ${stack.stackName} is in ${stack.status} state and cannot continue update rollback; ContinueUpdateRollback applies to stacks in UPDATE_ROLLBACK_FAILED`,
      );
    }
    const skip = Array.isArray(input.ResourcesToSkip) ? input.ResourcesToSkip.map(String) : [];
    for (const id of skip) {
      const res = stack.resources.find((r) => r.logicalId === id);
      if (res?.status !== 'UPDATE_FAILED') {
        throw validation(
          `Resource ${id} cannot be skipped: ResourcesToSkip may name only resources in UPDATE_FAILED state`,
        );
      }
    }
    stack.operationToken = typeof input.ClientRequestToken === 'string' ? input.ClientRequestToken : undefined;
    if (!stack.operationToken) delete stack.operationToken;
    updater.continueRollback(ctx.world, stack, skip, engine.registerCaller(ctx.world, ctx.caller));
    return {};
  };

  return {
    engine,
    snapshot: (world) => ({ callers: engine.exportCallers(world) }),
    onResume: (world, snapshot) =>
      engine.resume(world, ((snapshot ?? {}) as { callers?: Record<string, string> }).callers ?? {}),
    operations: {
      CreateStack,
      DescribeStacks,
      DescribeStackEvents,
      DescribeStackResources,
      DescribeStackResource,
      ListStackResources,
      ListStacks,
      DeleteStack,
      GetTemplate,
      ValidateTemplate,
      CreateChangeSet,
      DescribeChangeSet,
      ListChangeSets,
      ExecuteChangeSet,
      DeleteChangeSet,
      UpdateStack,
      ContinueUpdateRollback,
    },
  };
}

/** The sandbox server's CloudFormation (real timers). */
export const service: ServiceModule = createCloudFormationService();
