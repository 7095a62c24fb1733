/**
 * The service's own account and partition (sts:GetCallerIdentity with the default credential chain),
 * asked once per container: GET /v1/setup hands it out, and the External ID proof checks role B trusts
 * exactly it. Asked in the function's own region, which is always enabled, whatever region role B is in.
 */
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { toStepError } from '../diagnosis/from-aws-error.js';
import { serviceSts } from './clients.js';

export interface ServiceIdentity {
  accountId: string;
  partition: string;
}

let cached: Promise<ServiceIdentity> | undefined;

export function serviceIdentity(): Promise<ServiceIdentity> {
  cached ??= (async () => {
    try {
      const out = await serviceSts(process.env.AWS_REGION || 'us-east-1').send(new GetCallerIdentityCommand({}));
      if (!out.Account || !out.Arn)
        throw Object.assign(new Error('GetCallerIdentity returned no account'), {
          name: 'InternalFailure',
          $fault: 'server',
        });
      return { accountId: out.Account, partition: out.Arn.split(':')[1] || 'aws' };
    } catch (err) {
      throw toStepError(err, { service: 'sts', operation: 'GetCallerIdentity', principal: 'service' });
    }
  })();
  // A failure is not cached: the next request asks again.
  cached.catch(() => (cached = undefined));
  return cached;
}

/** For tests. */
export function forgetServiceIdentity(): void {
  cached = undefined;
}
