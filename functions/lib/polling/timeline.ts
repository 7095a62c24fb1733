/**
 * Stack events → what each resource is doing and since when. CloudFormation stamps every event with
 * the exact time, so a late poll loses no information: we know when each resource started and ended
 * however rarely we look.
 */

/** The fields of a CloudFormation StackEvent this module reads (SDK or plain JSON). */
export interface StackEventLike {
  EventId?: string;
  StackName?: string;
  LogicalResourceId?: string;
  PhysicalResourceId?: string;
  ResourceType?: string;
  Timestamp?: Date | string | number;
  ResourceStatus?: string;
  ResourceStatusReason?: string;
}

export interface ResourceState {
  logicalId: string;
  type: string;
  status: string;
  /** First CREATE_IN_PROGRESS (epoch ms). */
  startedAt?: number;
  /** CREATE_COMPLETE or CREATE_FAILED (epoch ms). */
  endedAt?: number;
  reason?: string;
  physicalId?: string;
}

export interface StackSnapshot {
  stackStatus: string;
  /** When the stack reached stackStatus (epoch ms). */
  stackStatusAt: number;
  /** The stack's first CREATE_IN_PROGRESS (epoch ms), if seen. */
  createdAt?: number;
  resources: Record<string, ResourceState>;
}

export const STACK_RESOURCE_TYPE = 'AWS::CloudFormation::Stack';

export const toMillis = (t: Date | string | number | undefined): number =>
  t instanceof Date ? t.getTime() : typeof t === 'number' ? t : t ? Date.parse(t) : NaN;

/** Events in the order they happened (the API lists newest first; ties keep API order reversed). */
export function chronological<E extends StackEventLike>(events: readonly E[]): E[] {
  return events
    .map((e, i) => ({ e, i, t: toMillis(e.Timestamp) }))
    .sort((a, b) => a.t - b.t || b.i - a.i)
    .map((x) => x.e);
}

export const isStackEvent = (e: StackEventLike, stackName?: string) =>
  e.ResourceType === STACK_RESOURCE_TYPE && (stackName === undefined || e.LogicalResourceId === stackName);

export function snapshotFromEvents(events: readonly StackEventLike[], stackName?: string): StackSnapshot {
  const snap: StackSnapshot = { stackStatus: 'CREATE_IN_PROGRESS', stackStatusAt: NaN, resources: {} };
  for (const e of chronological(events)) {
    const t = toMillis(e.Timestamp);
    const status = e.ResourceStatus ?? '';
    if (isStackEvent(e, stackName)) {
      if (status === 'CREATE_IN_PROGRESS' && snap.createdAt === undefined) snap.createdAt = t;
      snap.stackStatus = status;
      snap.stackStatusAt = t;
      continue;
    }
    const id = e.LogicalResourceId;
    if (!id) continue;
    const r = (snap.resources[id] ??= { logicalId: id, type: e.ResourceType ?? '', status });
    r.status = status;
    if (e.PhysicalResourceId) r.physicalId = e.PhysicalResourceId;
    if (e.ResourceStatusReason) r.reason = e.ResourceStatusReason;
    if (status === 'CREATE_IN_PROGRESS' && r.startedAt === undefined) r.startedAt = t;
    if ((status === 'CREATE_COMPLETE' || status === 'CREATE_FAILED') && r.endedAt === undefined) r.endedAt = t;
  }
  return snap;
}
