/**
 * The API's routes: method, path, and the function that answers. The OpenAPI document
 * (openapi.json) lists exactly these (a test checks both ways).
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { AWS_PROFILE_NAME } from '../lib/kubernetes/kubeconfig.js';
import { recordVersion } from '../lib/store/types.js';
import { FORM_RESOURCES, type FormResource } from './aws-form/form-data.js';
import { formDataRequest } from './aws-form/form-route.js';
import { clusterView } from './clusters/cluster-view.js';
import { createClusterRequest, IDEMPOTENCY_KEY_PATTERN } from './clusters/create-cluster.js';
import { deleteClusterRequest } from './clusters/delete-cluster.js';
import { clusterKubeconfig } from './clusters/kubeconfig.js';
import { pageTokenKey, unwrapPageToken, wrapPageToken } from './clusters/page-token.js';
import { etagOf, updateClusterRequest } from './clusters/update-cluster.js';
import type { ApiDeps } from './deps.js';
import { httpError, notFound } from './http/errors.js';
import { header, readJsonBody, readQuery } from './http/request.js';
import openapiDocument from './openapi.json' with { type: 'json' };
import { registerRole } from './roles/register-role.js';
import { setupFor } from './setup/setup.js';

const PROFILE_RULE = 'An AWS CLI profile name: 1–64 letters, digits and _ . - (e.g. ?profile=my-admin).';

export interface RouteContext {
  event: APIGatewayProxyEvent;
  deps: ApiDeps;
  /** Undefined only on routes with `public: true`. */
  tenantId: string;
  pathParameters: Record<string, string>;
}

export interface RouteResult {
  statusCode: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Set for a text body (a string) answered as is instead of as JSON. */
  contentType?: string;
}

export interface RouteDef {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  /** Served without resolving a tenant (the API description). */
  public?: boolean;
  handle: (ctx: RouteContext) => Promise<RouteResult>;
}

const ok = (body: unknown, headers?: Record<string, string>): RouteResult => ({
  statusCode: 200,
  body,
  ...(headers ? { headers } : {}),
});

/** Cluster ids are UUIDs today; anything outside the execution-name alphabet cannot be one. */
const CLUSTER_ID = /^[A-Za-z0-9_-]{1,80}$/;
const MAX_LIMIT = 100;
const DEFAULT_LIMIT = 20;

/** The tenant's cluster `id`, or 404: another tenant's cluster is indistinguishable from one that does not exist. */
async function tenantCluster(deps: ApiDeps, tenantId: string, id: string) {
  if (!CLUSTER_ID.test(id)) throw notFound(`No cluster with id "${id.slice(0, 80)}".`);
  const record = await deps.store.getCluster(tenantId, id);
  if (!record || record.tenantId !== tenantId) throw notFound(`No cluster with id "${id}".`);
  return record;
}

const formRoute = (resource: FormResource): RouteDef => ({
  method: 'GET',
  path: `/v1/aws/${resource}`,
  handle: async ({ deps, tenantId, event }) => ok(await formDataRequest(deps, tenantId, resource, event)),
});

export const ROUTES: RouteDef[] = [
  {
    method: 'GET',
    path: '/v1/openapi.json',
    public: true,
    handle: async ({ event }) => {
      readQuery(event, {});
      return ok(openapiDocument);
    },
  },
  {
    method: 'GET',
    path: '/v1/setup',
    handle: async ({ deps, tenantId, event }) => {
      readQuery(event, {});
      return ok(await setupFor(deps, tenantId));
    },
  },
  {
    method: 'POST',
    path: '/v1/roles',
    handle: async ({ deps, tenantId, event }) => {
      readQuery(event, {});
      return ok(await registerRole(deps, tenantId, readJsonBody(event)));
    },
  },
  ...FORM_RESOURCES.map(formRoute),
  {
    method: 'POST',
    path: '/v1/clusters',
    handle: async ({ deps, tenantId, event }) => {
      readQuery(event, {});
      const body = readJsonBody(event);
      const key = header(event, 'Idempotency-Key');
      if (key !== undefined && !IDEMPOTENCY_KEY_PATTERN.test(key)) {
        throw httpError(
          400,
          'INVALID_HEADER',
          'Idempotency-Key must be 1–128 characters of letters, digits and _ . : - (a UUID works).',
        );
      }
      return createClusterRequest(deps, { tenantId, body, ...(key !== undefined ? { idempotencyKey: key } : {}) });
    },
  },
  {
    method: 'GET',
    path: '/v1/clusters',
    handle: async ({ deps, tenantId, event }) => {
      const q = readQuery(event, {
        limit: {
          check: (v) =>
            /^\d{1,3}$/.test(v) && Number(v) >= 1 && Number(v) <= MAX_LIMIT
              ? undefined
              : `Must be a whole number from 1 to ${MAX_LIMIT}.`,
        },
        nextToken: {},
      });
      const key = await pageTokenKey(deps.store);
      const page = await deps.store.listClusters(tenantId, {
        limit: q.limit ? Number(q.limit) : DEFAULT_LIMIT,
        ...(q.nextToken !== undefined ? { nextToken: unwrapPageToken(key, tenantId, q.nextToken) } : {}),
      });
      const nextToken = wrapPageToken(key, tenantId, page.nextToken);
      return ok({
        items: page.items.filter((r) => r.tenantId === tenantId).map((r) => clusterView(r, deps.now())),
        ...(nextToken ? { nextToken } : {}),
      });
    },
  },
  {
    method: 'GET',
    path: '/v1/clusters/{id}',
    handle: async ({ deps, tenantId, event, pathParameters }) => {
      readQuery(event, {});
      const record = await tenantCluster(deps, tenantId, pathParameters.id ?? '');
      return ok(clusterView(record, deps.now()), { ETag: etagOf(recordVersion(record)) });
    },
  },
  {
    method: 'PATCH',
    path: '/v1/clusters/{id}',
    handle: async ({ deps, tenantId, event, pathParameters }) => {
      const bool = { check: (v: string) => (v === 'true' || v === 'false' ? undefined : 'Must be true or false.') };
      const q = readQuery(event, { dryRun: bool, force: bool });
      const body = readJsonBody(event);
      const key = header(event, 'Idempotency-Key');
      if (key !== undefined && !IDEMPOTENCY_KEY_PATTERN.test(key)) {
        throw httpError(
          400,
          'INVALID_HEADER',
          'Idempotency-Key must be 1–128 characters of letters, digits and _ . : - (a UUID works).',
        );
      }
      const ifMatch = header(event, 'If-Match');
      const record = await tenantCluster(deps, tenantId, pathParameters.id ?? '');
      return updateClusterRequest(deps, {
        tenantId,
        record,
        body,
        dryRun: q.dryRun === 'true',
        force: q.force === 'true',
        ...(ifMatch !== undefined ? { ifMatch } : {}),
        ...(key !== undefined ? { idempotencyKey: key } : {}),
      });
    },
  },
  {
    method: 'DELETE',
    path: '/v1/clusters/{id}',
    handle: async ({ deps, tenantId, event, pathParameters }) => {
      readQuery(event, {});
      return deleteClusterRequest(deps, tenantId, await tenantCluster(deps, tenantId, pathParameters.id ?? ''));
    },
  },
  {
    method: 'GET',
    path: '/v1/clusters/{id}/kubeconfig',
    handle: async ({ deps, tenantId, event, pathParameters }) => {
      const q = readQuery(event, { profile: { check: (v) => (AWS_PROFILE_NAME.test(v) ? undefined : PROFILE_RULE) } });
      const id = pathParameters.id ?? '';
      if (!CLUSTER_ID.test(id)) throw notFound(`No cluster with id "${id.slice(0, 80)}".`);
      const record = await deps.store.getCluster(tenantId, id);
      if (!record || record.tenantId !== tenantId) throw notFound(`No cluster with id "${id}".`);
      return {
        statusCode: 200,
        body: clusterKubeconfig(record, q.profile),
        contentType: 'application/yaml; charset=utf-8',
      };
    },
  },
];

/** `/v1/clusters/{id}` → a regex with named groups (same rule as @middy/http-router). */
export function routePattern(path: string): RegExp {
  const source = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\/\{([^/}]+)\}/g, '/(?<$1>[^/]+)');
  return new RegExp(`^${source}/?$`);
}
