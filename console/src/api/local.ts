/** Local mode: the API on this origin; the tenant travels in X-Tenant-Id (the local server's convention). */
import type { Signer } from './signer';

export const TENANT_STORAGE_KEY = 'eks-provisioner.tenant';
export const DEFAULT_TENANT = 'local';

export function currentTenant(): string {
  try {
    return window.localStorage.getItem(TENANT_STORAGE_KEY) || DEFAULT_TENANT;
  } catch {
    return DEFAULT_TENANT;
  }
}

export function setTenant(tenant: string): void {
  try {
    window.localStorage.setItem(TENANT_STORAGE_KEY, tenant);
  } catch {
    // Private mode without storage: the tenant holds for this page only.
  }
}

export function localSigner(tenant: () => string): Signer {
  return async (req) => ({ ...req, headers: { ...req.headers, 'x-tenant-id': tenant() } });
}
