/** Reading a stack's events: newest first, page by page, up to the event that started the stack. */
import { type CloudFormationClient, DescribeStackEventsCommand, type StackEvent } from '@aws-sdk/client-cloudformation';
import { type AwsCallContext, awsCall } from '../diagnosis/from-aws-error.js';
import { STACK_RESOURCE_TYPE } from './timeline.js';

export interface ReadEventsOptions {
  /** Stop after this many pages (100 events each). Undefined: read every page. */
  maxPages?: number;
  context?: AwsCallContext;
}

/**
 * All events of the stack's current life. `stack` is the stack id (preferred: it still answers
 * after deletion) or name. Stops at the stack's own first CREATE_IN_PROGRESS, which is the oldest
 * event of a creation, so a poll usually costs one request.
 */
export async function readStackEvents(
  cfn: CloudFormationClient,
  stack: string,
  opts: ReadEventsOptions = {},
): Promise<StackEvent[]> {
  const events: StackEvent[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const out = await awsCall(
      { service: 'cloudformation', operation: 'DescribeStackEvents', principal: 'provision-role', ...opts.context },
      () => cfn.send(new DescribeStackEventsCommand({ StackName: stack, ...(token ? { NextToken: token } : {}) })),
    );
    const page = out.StackEvents ?? [];
    events.push(...page);
    pages++;
    const reachedStart = page.some(
      (e) =>
        e.ResourceType === STACK_RESOURCE_TYPE &&
        e.ResourceStatus === 'CREATE_IN_PROGRESS' &&
        e.PhysicalResourceId === e.StackId,
    );
    token = reachedStart ? undefined : out.NextToken;
  } while (token && (opts.maxPages === undefined || pages < opts.maxPages));
  return events;
}
