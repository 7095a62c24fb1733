import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeDiagnosis } from '../../../functions/lib/diagnosis/catalog.js';
import { DiagnosedError } from '../../../functions/lib/errors.js';
import { lambdaHandler, logger } from '../../../functions/lib/middleware.js';
import { awsError, FIXTURES } from './fixtures.js';

let lines: string[] = [];
beforeEach(() => {
  lines = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
  }
  logger.setLogLevel('DEBUG');
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('lambdaHandler', () => {
  it('returns what the function returns, with or without a Lambda context', async () => {
    const h = lambdaHandler(async (e: { n: number }) => ({ twice: e.n * 2 }));
    expect(await h({ n: 2 })).toEqual({ twice: 4 });
    expect(await h({ n: 3 }, { functionName: 'f', awsRequestId: 'r' } as never)).toEqual({ twice: 6 });
  });

  it.each([
    [FIXTURES.stsThrottling(), 'AwsThrottled'],
    [FIXTURES.ec2RequestLimit(), 'AwsThrottled'],
    [FIXTURES.eksServerError(), 'AwsTransient'],
    [FIXTURES.networkReset(), 'AwsTransient'],
    [FIXTURES.keyPairNotFound(), 'Diagnosed'],
    [new TypeError('boom'), 'Diagnosed'],
  ])('normalises %s to %s', async (thrown, name) => {
    const h = lambdaHandler(async () => {
      throw thrown;
    });
    const err = (await h({}).catch((e: unknown) => e)) as Error;
    expect(err.name).toBe(name);
  });

  it('passes a DiagnosedError through unchanged and keeps the diagnosis readable', async () => {
    const diag = new DiagnosedError(makeDiagnosis('VPC_NOT_FOUND', { vpcId: 'vpc-0a1b2c3d4e5f60009' }));
    const h = lambdaHandler(async () => {
      throw diag;
    });
    const err = await h({}).catch((e: unknown) => e);
    expect(err).toBe(diag);
    expect(JSON.parse((err as Error).message).code).toBe('VPC_NOT_FOUND');
    // An explained failure is a warning for operators, not an error with a stack trace.
    const logged = lines.join('');
    expect(logged).toContain('step failed with a diagnosis');
    expect(logged).not.toContain('step failed unexpectedly');
    expect(logged).not.toContain('"stack"');
  });

  it('turns an unexpected bug into UNKNOWN and logs it with its stack', async () => {
    const h = lambdaHandler(async () => {
      throw new TypeError('x is not a function');
    });
    const err = (await h({}).catch((e: unknown) => e)) as DiagnosedError;
    expect(err.diagnosis.code).toBe('UNKNOWN');
    expect(lines.join('')).toContain('step failed unexpectedly');
  });

  it('never logs credential-shaped values', async () => {
    const h = lambdaHandler(async () => {
      throw awsError(
        'sts',
        'SignatureDoesNotMatch',
        'Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/sts/aws4_request SecretAccessKey=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
        403,
      );
    });
    const err = (await h({}).catch((e: unknown) => e)) as Error;
    const out = lines.join('') + err.message;
    expect(lines.length).toBeGreaterThan(0);
    expect(out).not.toContain('AKIAIOSFODNN7EXAMPLE');
    expect(out).not.toContain('wJalrXUtnFEMI');
  });
});
