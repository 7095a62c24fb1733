/** The API client, the deployment mode and what the API offers, shared through React context. */
import { createContext, useContext } from 'react';
import type { ApiClient } from './client';

/** Optional parts of the API, read from GET /v1/openapi.json (older deployments lack them). */
export interface Features {
  principals: boolean;
  kubeconfig: boolean;
  deleteCluster: boolean;
  /** PATCH /v1/clusters/{id}: the "Update cluster" page. */
  updateCluster: boolean;
  adminPrincipalArns: boolean;
  namespaces: boolean;
  deployPrincipalArns: boolean;
}

export const NO_FEATURES: Features = {
  principals: false,
  kubeconfig: false,
  deleteCluster: false,
  updateCluster: false,
  adminPrincipalArns: false,
  namespaces: false,
  deployPrincipalArns: false,
};

export function featuresFromOpenApi(doc: unknown): Features {
  const d = (doc ?? {}) as {
    paths?: Record<string, Record<string, unknown>>;
    components?: { schemas?: Record<string, { properties?: Record<string, unknown> }> };
  };
  const paths = d.paths ?? {};
  const settings = d.components?.schemas?.['ClusterSettings']?.properties ?? {};
  return {
    principals: !!paths['/v1/aws/principals']?.['get'],
    kubeconfig: !!paths['/v1/clusters/{id}/kubeconfig']?.['get'],
    deleteCluster: !!paths['/v1/clusters/{id}']?.['delete'],
    updateCluster: !!paths['/v1/clusters/{id}']?.['patch'],
    adminPrincipalArns: 'adminPrincipalArns' in settings,
    namespaces: 'namespaces' in settings,
    deployPrincipalArns: 'deployPrincipalArns' in settings,
  };
}

export interface ConsoleContext {
  api: ApiClient;
  mode: 'local' | 'aws';
  features: Features;
  /** Changes whenever the tenant (local) or the signed-in user (AWS) changes. */
  tenantKey: string;
  navigate: (path: string) => void;
}

export const Ctx = createContext<ConsoleContext | undefined>(undefined);

export function useConsole(): ConsoleContext {
  const c = useContext(Ctx);
  if (!c) throw new Error('useConsole outside the console');
  return c;
}
