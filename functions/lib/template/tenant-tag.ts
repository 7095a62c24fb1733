/**
 * The tenant as a tag value. Tenant ids are up to 1024 characters (IAM principal ARNs with paths reach
 * ~620) and may hold characters IAM tag values forbid (a comma in a role path, `;`, `<`…), while
 * CloudFormation, IAM and EKS tag values are at most 256 characters of `[\p{L}\p{Z}\p{N}_.:/=+\-@]`.
 * So resources carry the SHA-256 of the tenant id (64 lower-case hex digits) under
 * `eks-provisioner:tenant-sha256`; the full tenant id stays in the cluster record. To find a tenant's
 * stacks: `printf %s "$TENANT_ID" | sha256sum`.
 */
import { createHash } from 'node:crypto';

export const TENANT_TAG_PATTERN = '^[0-9a-f]{64}$';

export function tenantTagValue(tenantId: string): string {
  return createHash('sha256').update(tenantId, 'utf8').digest('hex');
}
