/**
 * Each code's evidence is a type: `tsc --noEmit` (run by `npm test`) fails on an unused
 * `@ts-expect-error` below, so a catalog that went back to loose string-keyed evidence breaks the build.
 */
import { describe, expect, it } from 'vitest';
import { type EvidenceOf, makeDiagnosis } from '../../../functions/lib/diagnosis/catalog.js';

describe('typed evidence', () => {
  it('accepts the keys a code reads plus the common context, and drops undefined ones', () => {
    const vpcId: string | undefined = 'vpc-0a1b2c3d4e5f60001';
    const accountId: string | undefined = undefined;
    const d = makeDiagnosis('VPC_NOT_FOUND', { vpcId, region: 'us-east-1', accountId });
    expect(Object.keys(d.evidence ?? {})).toEqual(['vpcId', 'region']);
    expect(d.message).toBe('VPC vpc-0a1b2c3d4e5f60001 does not exist in us-east-1.');
    const nodes: EvidenceOf<'NODES_NOT_READY'> = { readyNodes: 1, expectedNodes: 2, clusterName: 'demo' };
    expect(makeDiagnosis('NODES_NOT_READY', nodes).message).toContain('only 1 of 2 nodes were Ready');
  });

  it('rejects a wrong key, a wrong value type and an unknown code at compile time', () => {
    // @ts-expect-error misspelt key
    makeDiagnosis('VPC_NOT_FOUND', { vpcID: 'vpc-1' });
    // @ts-expect-error a key another code reads
    makeDiagnosis('VPC_NOT_FOUND', { readyNodes: 1 });
    // @ts-expect-error a number where the template expects a list
    makeDiagnosis('SUBNET_NOT_FOUND', { subnetIds: 3 });
    // @ts-expect-error no such code
    expect(() => makeDiagnosis('VPC_MISSING', {})).not.toThrow();
    // A union of codes accepts what any of them accepts, nothing else.
    const code = Math.random() > 2 ? 'EXECUTION_FAILED' : 'DELETE_EXECUTION_FAILED';
    makeDiagnosis(code, { executionArn: 'arn', error: 'States.Runtime' });
    // @ts-expect-error not an execution fact
    makeDiagnosis(code, { readyNodes: 1 });
  });
});
