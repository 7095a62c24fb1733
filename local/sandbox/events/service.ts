/**
 * EventBridge: event buses and PutEvents. Accepted events are captured in the world
 * (`GET /_sandbox/events`); entries for a bus that does not exist are accepted and dropped, as AWS does.
 */
import { type OperationInput, type RequestContext, SandboxAwsError, type ServiceModule } from '../protocol/types.js';
import type { EventBus } from '../world/types.js';

function busArn(ctx: RequestContext, name: string): string {
  return `arn:aws:events:${ctx.region}:${ctx.accountId}:event-bus/${name}`;
}

/** Bus name from a name or ARN (`arn:aws:events:<region>:<acct>:event-bus/<name>`). */
function busName(ref: string | undefined): string {
  if (!ref) return 'default';
  const m = /^arn:aws[a-z-]*:events:[^:]+:\d{12}:event-bus\/(.+)$/.exec(ref);
  return m ? m[1]! : ref;
}

function findBus(ctx: RequestContext, name: string): EventBus | undefined {
  if (name === 'default')
    return {
      accountId: ctx.accountId,
      region: ctx.region,
      name,
      arn: busArn(ctx, name),
      createdAt: new Date(0).toISOString(),
    };
  return ctx.world.data.eventBuses.find(
    (b) => b.accountId === ctx.accountId && b.region === ctx.region && b.name === name,
  );
}

function createEventBus(ctx: RequestContext, input: OperationInput) {
  const name = String(input.Name ?? '');
  if (!/^[/.\-_A-Za-z0-9]{1,256}$/.test(name)) {
    throw new SandboxAwsError(
      'ValidationException',
      `1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [/\\.\\-_A-Za-z0-9]+`,
    );
  }
  ctx.authorize('events:CreateEventBus', busArn(ctx, name));
  if (name === 'default' || findBus(ctx, name)) {
    throw new SandboxAwsError('ResourceAlreadyExistsException', `Event bus ${name} already exists.`);
  }
  const bus: EventBus = {
    accountId: ctx.accountId,
    region: ctx.region,
    name,
    arn: busArn(ctx, name),
    createdAt: new Date(ctx.now).toISOString(),
  };
  ctx.world.data.eventBuses.push(bus);
  return { EventBusArn: bus.arn };
}

function describeEventBus(ctx: RequestContext, input: OperationInput) {
  const name = busName(input.Name as string | undefined);
  ctx.authorize('events:DescribeEventBus', busArn(ctx, name));
  const bus = findBus(ctx, name);
  if (!bus) throw new SandboxAwsError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
  return {
    Name: bus.name,
    Arn: bus.arn,
    CreationTime: new Date(bus.createdAt),
    LastModifiedTime: new Date(bus.createdAt),
  };
}

function listEventBuses(ctx: RequestContext, input: OperationInput) {
  ctx.authorize('events:ListEventBuses');
  const prefix = (input.NamePrefix as string | undefined) ?? '';
  const buses = [
    findBus(ctx, 'default')!,
    ...ctx.world.data.eventBuses.filter((b) => b.accountId === ctx.accountId && b.region === ctx.region),
  ];
  return { EventBuses: buses.filter((b) => b.name.startsWith(prefix)).map((b) => ({ Name: b.name, Arn: b.arn })) };
}

function deleteEventBus(ctx: RequestContext, input: OperationInput) {
  const name = String(input.Name ?? '');
  ctx.authorize('events:DeleteEventBus', busArn(ctx, name));
  if (name === 'default') throw new SandboxAwsError('ValidationException', 'Cannot delete event bus default.');
  ctx.world.data.eventBuses = ctx.world.data.eventBuses.filter(
    (b) => !(b.accountId === ctx.accountId && b.region === ctx.region && b.name === name),
  );
  return {};
}

interface PutEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Resources?: string[];
  Time?: number | string;
}

function putEvents(ctx: RequestContext, input: OperationInput) {
  const entries = (input.Entries as PutEntry[] | undefined) ?? [];
  if (entries.length < 1 || entries.length > 10) {
    throw new SandboxAwsError(
      'ValidationException',
      `1 validation error detected: Value '[...]' at 'entries' failed to satisfy constraint: Member must have length ${entries.length < 1 ? 'greater than or equal to 1' : 'less than or equal to 10'}`,
    );
  }
  // Permission is per bus; AWS rejects the whole call when one is denied.
  for (const name of new Set(entries.map((e) => busName(e.EventBusName))))
    ctx.authorize('events:PutEvents', busArn(ctx, name));

  let failed = 0;
  const results = entries.map((e) => {
    const name = busName(e.EventBusName);
    const fail = (ErrorCode: string, ErrorMessage: string) => {
      failed += 1;
      return { ErrorCode, ErrorMessage };
    };
    // AWS accepts an entry for a bus that does not exist and drops it: 200, an EventId, FailedEntryCount 0
    // (the per-entry error codes EventBridge documents have none for a missing bus; reported by AWS SDK
    // users in aws/aws-sdk#186 and aws/aws-cli#9186). Modelled as such, so nothing locally relies on an
    // error AWS never gives: the event gets an id and is not captured.
    if (!findBus(ctx, name)) return { EventId: ctx.world.uuid() };
    if (!e.Source)
      return fail('InvalidArgument', 'Parameter Source is not valid. Reason: Source is a required argument.');
    if (!e.DetailType)
      return fail('InvalidArgument', 'Parameter DetailType is not valid. Reason: DetailType is a required argument.');
    if (e.Detail === undefined)
      return fail('InvalidArgument', 'Parameter Detail is not valid. Reason: Detail is a required argument.');
    let detail: unknown;
    try {
      detail = JSON.parse(e.Detail);
    } catch {
      return fail('MalformedDetail', 'Detail is malformed.');
    }
    if (!detail || typeof detail !== 'object' || Array.isArray(detail))
      return fail('MalformedDetail', 'Detail is malformed.');
    if (Buffer.byteLength(JSON.stringify(e)) > 256 * 1024)
      return fail('InvalidArgument', 'Total size of the entries in the request is over the limit.');
    const eventId = ctx.world.uuid();
    const time =
      e.Time !== undefined ? new Date(typeof e.Time === 'number' ? e.Time * 1000 : e.Time) : new Date(ctx.now);
    ctx.world.captureEvent({
      eventId,
      accountId: ctx.accountId,
      region: ctx.region,
      eventBusName: name,
      source: e.Source,
      detailType: e.DetailType,
      detail,
      resources: e.Resources ?? [],
      time: time.toISOString(),
    });
    return { EventId: eventId };
  });
  return { FailedEntryCount: failed, Entries: results };
}

export const service: ServiceModule = {
  operations: {
    PutEvents: putEvents,
    CreateEventBus: createEventBus,
    DescribeEventBus: describeEventBus,
    ListEventBuses: listEventBuses,
    DeleteEventBus: deleteEventBus,
  },
};
