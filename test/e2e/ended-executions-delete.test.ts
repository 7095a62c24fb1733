/**
 * A delete execution that ends without its Catch (here: the definition's TimeoutSeconds) no longer
 * leaves the record DELETING: it becomes FAILED with DELETE_EXECUTION_TIMED_OUT, one Deletion Failed
 * event goes out, and deleting again works (see ended-harness.ts). One local stack per file.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { describe, expect, it } from 'vitest';
import { executionTimeoutSeconds } from '../../functions/lib/polling/budget.js';
import { type AslDefinition, DELETE_DEFINITION_URL, loadDefinition } from '../../local/runner/definition.js';
import { DEFAULT_WORLD } from '../../local/runner/environment.js';
import { deleting, expectRecordedDeletionEnd, placement, start } from './ended-harness.js';

describe('delete runs that end without their Catch are recorded', () => {
  it('the local delete machine carries the TimeoutSeconds the CDK stack deploys (the poll cap + margin)', async () => {
    expect((await loadDefinition(placement, DELETE_DEFINITION_URL, 7200))['TimeoutSeconds']).toBe(
      executionTimeoutSeconds(7200),
    );
  });

  it("the delete definition's TimeoutSeconds → FAILED DELETE_EXECUTION_TIMED_OUT, one Deletion Failed event; deleting again then succeeds", async () => {
    const definition = {
      ...(await loadDefinition(placement, DELETE_DEFINITION_URL)),
      TimeoutSeconds: 90,
    } as AslDefinition;
    const x = await start({}, undefined, { definition });
    const tenant = 'e2e-delete-timeout';
    const c = await deleting(x, tenant, 'e2e-del-timeout');
    await expectRecordedDeletionEnd(x, tenant, c, 'TIMED_OUT', 'DELETE_EXECUTION_TIMED_OUT');

    // CloudFormation goes on without the service; once the stack is gone, DELETE records it at once.
    const cfn = new CloudFormationClient({
      region: 'us-east-1',
      endpoint: x.sandboxUrl,
      credentials: {
        accessKeyId: DEFAULT_WORLD.customer.accessKeyId,
        secretAccessKey: DEFAULT_WORLD.customer.secretAccessKey,
      },
    });
    try {
      for (const until = Date.now() + 30_000; ; ) {
        const status = (await cfn.send(new DescribeStacksCommand({ StackName: c.stackId }))).Stacks?.[0]?.StackStatus;
        if (status === 'DELETE_COMPLETE') break;
        if (Date.now() > until) throw new Error(`stack still ${status}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      cfn.destroy();
    }
    const again = await x.api('DELETE', `/v1/clusters/${c.id}`, undefined, tenant);
    expect(again.status, again.text).toBe(200);
    expect(again.body.status).toBe('DELETED');
  }, 180_000);
});
