/**
 * What a provision role (role B) ARN must look like: an IAM role ARN in any AWS partition whose
 * name starts with the service's allowed prefix (the service's own credentials may assume only
 * such roles, as in the seed's `gitlab-eks-*` example).
 */
import { PARTITIONS, ROLE_ARN_RE } from '../../lib/schema/cluster-settings.js';

// Same rule as the cluster settings' provisionRoleArn, with a clearer message per failure.
const ANY_ROLE_ARN = /^arn:([a-z-]+):iam::(\d{12}):role\/(?:[\x21-\x7e]+\/)?([\w+=,.@-]{1,64})$/;

/** IAM: path ≤ 512 characters, name ≤ 64; the longest partition prefix makes ~614. Keys stay well under DynamoDB's 1 KiB sort key. */
export const MAX_ROLE_ARN_LENGTH = 640;

export const EXAMPLE_ROLE_ARN = (prefix: string) => `arn:aws:iam::123456789012:role/${prefix}provision`;

export interface ParsedRoleArn {
  partition: string;
  accountId: string;
  roleName: string;
}

/** The parsed ARN, or the reason it is not acceptable. */
export function checkRoleArn(arn: string, roleNamePrefix: string): ParsedRoleArn | { problem: string } {
  const m = arn.length <= MAX_ROLE_ARN_LENGTH ? ANY_ROLE_ARN.exec(arn) : null;
  if (!m) {
    return { problem: `Must be a valid IAM role ARN, for example ${EXAMPLE_ROLE_ARN(roleNamePrefix)}.` };
  }
  const [, partition, accountId, roleName] = m as unknown as [string, string, string, string];
  if (!(PARTITIONS as readonly string[]).includes(partition) || !ROLE_ARN_RE.test(arn)) {
    return {
      problem: `Unknown AWS partition "${partition}"; use one of ${PARTITIONS.join(', ')}, for example ${EXAMPLE_ROLE_ARN(roleNamePrefix)}.`,
    };
  }
  if (!roleName.startsWith(roleNamePrefix)) {
    return {
      problem: `The role name must start with "${roleNamePrefix}" (the service may assume only such roles), for example ${EXAMPLE_ROLE_ARN(roleNamePrefix)}.`,
    };
  }
  return { partition, accountId, roleName };
}
