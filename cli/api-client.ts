/**
 * A small client of the service's HTTP API (`/v1`), used by the demo and the command line.
 * Errors say what to do: an API that is not running, a 4xx with the API's error body.
 * With a signer (the deployed API) every request is signed with SigV4 and no X-Tenant-Id is sent.
 */

import type { ClusterAccess, ClusterConfiguration } from '../functions/lib/state.js';
import type { ClusterUpdate } from '../functions/lib/store/types.js';
import type { RequestSigner } from './signing.js';

export const DEFAULT_API_URL = 'http://127.0.0.1:3000';

export interface ApiErrorBody {
  error?: {
    code?: string;
    message?: string;
    fields?: Array<{ path: string; message: string }>;
    remediation?: string[];
  };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody & Record<string, unknown>,
    readonly route: string,
  ) {
    super(body.error?.message ?? `${route} answered HTTP ${status}`);
    this.name = 'ApiError';
  }
}

export class ApiNotRunningError extends Error {
  constructor(readonly url: string) {
    super(
      `The eks-provisioner API is not running at ${url}. Start it with \`npm start\` (or \`npx eks-provisioner start\`), or pass --api <url> / set EKS_PROVISIONER_API.`,
    );
    this.name = 'ApiNotRunningError';
  }
}

export interface ClusterRecordView {
  id: string;
  name: string;
  status: 'CREATING' | 'CREATED' | 'FAILED' | 'DELETING' | 'DELETED';
  phase?: string;
  progress?: { done: number; total: number };
  outputs?: {
    endpoint?: string;
    kubeconfig?: string;
    kubernetesVersion?: string;
    clusterArn?: string;
    clusterName?: string;
    access?: ClusterAccess[];
    configuration?: ClusterConfiguration;
    [k: string]: unknown;
  };
  diagnosis?: { code: string; title: string; message: string; remediation: string[] };
  /** Record version (the ETag PATCH's If-Match wants). */
  version?: number;
  /** The last or running settings update (status stays CREATED while it runs). */
  update?: ClusterUpdate;
  executionArn?: string;
  createdAt?: string;
  updatedAt?: string;
  [k: string]: unknown;
}

export class ApiClient {
  constructor(
    readonly baseUrl: string = process.env['EKS_PROVISIONER_API'] || DEFAULT_API_URL,
    readonly tenantId?: string,
    readonly signer?: RequestSigner,
  ) {}

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: T; text: string }> {
    let url: string;
    try {
      // Relative to the base, so a stage path (https://…/prod/) is kept: '/v1/x' → '<base>/v1/x'.
      const base = this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`;
      url = new URL(path.replace(/^\/+/, ''), base).href;
    } catch {
      // `new URL` says only "Invalid URL"; name the setting and the shape it needs.
      throw new Error(
        `The API address "${this.baseUrl}" is not a URL: pass --api http://host:port (or set EKS_PROVISIONER_API), e.g. ${DEFAULT_API_URL}.`,
      );
    }
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    let sendHeaders: Record<string, string> = {
      accept: 'application/json',
      ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
      // The deployed API ignores X-Tenant-Id (the signer's identity is the tenant): never send it there.
      ...(this.tenantId && !this.signer ? { 'x-tenant-id': this.tenantId } : {}),
      ...Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
    };
    if (this.signer)
      sendHeaders = await this.signer({
        method,
        url: new URL(url),
        headers: sendHeaders,
        ...(payload !== undefined ? { body: payload } : {}),
      });
    let res: Response;
    try {
      res = await fetch(url, { method, headers: sendHeaders, ...(payload !== undefined ? { body: payload } : {}) });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      if (
        !this.signer &&
        (cause?.code === 'ECONNREFUSED' || cause?.code === 'ECONNRESET' || cause?.code === 'UND_ERR_SOCKET')
      )
        throw new ApiNotRunningError(this.baseUrl);
      throw new Error(
        `Cannot reach the eks-provisioner API at ${this.baseUrl}: ${cause?.message ?? (e as Error).message}. Check --api / EKS_PROVISIONER_API.`,
      );
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = { error: { message: text.slice(0, 500) } };
    }
    if (res.status >= 400)
      throw new ApiError(res.status, (parsed ?? {}) as ApiErrorBody & Record<string, unknown>, `${method} ${path}`);
    return { status: res.status, body: parsed as T, text };
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path).then((r) => r.body);
  }

  /** A text answer (e.g. YAML): `accept` names the media type; errors are the API's JSON as usual. */
  getText(path: string, accept: string): Promise<string> {
    return this.request<never>('GET', path, undefined, { accept: `${accept}, application/json` }).then((r) => r.text);
  }

  post<T>(path: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T }> {
    return this.request<T>('POST', path, body, headers);
  }

  patch<T>(path: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T }> {
    return this.request<T>('PATCH', path, body, headers);
  }

  delete<T>(path: string): Promise<{ status: number; body: T }> {
    return this.request<T>('DELETE', path);
  }
}

/** The API's error body as lines a person can act on. */
export function describeApiError(e: ApiError): string[] {
  const lines = [
    `${e.route} → HTTP ${e.status}${e.body.error?.code ? ` ${e.body.error.code}` : ''}: ${e.body.error?.message ?? ''}`.trim(),
  ];
  for (const f of e.body.error?.fields ?? []) lines.push(`  • ${f.path}: ${f.message}`);
  const remediation = e.body.error?.remediation ?? [];
  if (remediation.length) {
    lines.push('  Fix:');
    lines.push(...remediation.map((r, i) => `   ${i + 1}. ${r}`));
  }
  return lines;
}
