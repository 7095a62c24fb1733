/**
 * Role B's trust policy: the service's account may assume it, and only with the tenant's External
 * ID. GET /v1/setup hands it out; the EXTERNAL_ID_NOT_REQUIRED diagnosis shows it again.
 */
export interface TrustPolicyDocument {
  Version: '2012-10-17';
  Statement: Array<{
    Sid: string;
    Effect: 'Allow';
    Principal: { AWS: string };
    Action: 'sts:AssumeRole';
    Condition: { StringEquals: { 'sts:ExternalId': string } };
  }>;
}

/** Role B's trust policy: the service's account may assume it, only with the tenant's External ID. */
export function provisionRoleTrustPolicy(
  serviceAccountId: string,
  externalId: string,
  partition = 'aws',
): TrustPolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'EksProvisionerAssumesWithExternalId',
        Effect: 'Allow',
        Principal: { AWS: `arn:${partition}:iam::${serviceAccountId}:root` },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': externalId } },
      },
    ],
  };
}
