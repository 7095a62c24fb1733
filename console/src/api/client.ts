/**
 * The console's HTTP client for /v1. How a request is authorised is a pluggable `Signer`:
 * locally a header naming the tenant, in AWS a SigV4 signature with Cognito credentials.
 * Every non-2xx answer becomes an ApiError carrying the API's `{ error }` body.
 */
import type { Signer } from './signer';
import type { ApiErrorBody } from './types';

export type { Signer } from './signer';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: ApiErrorBody,
  ) {
    super(error.message);
    this.name = 'ApiError';
  }
}

/** The API answered nothing usable (network down, not JSON). */
export function networkError(url: URL, cause: unknown): ApiError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new ApiError(0, {
    code: 'API_UNREACHABLE',
    message: `The console could not reach the API at ${url.origin} (${why}).`,
    remediation: ['Check that the API is running (locally: npm start) and reload the page.'],
  });
}

export interface ApiResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

export class ApiClient {
  constructor(
    /** Base URL of the API, e.g. https://abc.execute-api.eu-west-1.amazonaws.com/prod (no trailing /v1). */
    readonly baseUrl: string,
    private readonly signer: Signer,
    private readonly fetchImpl: typeof fetch = (...a) => fetch(...a),
  ) {}

  url(path: string, query?: Record<string, string | undefined>): URL {
    const base = this.baseUrl.endsWith('/') ? this.baseUrl.slice(0, -1) : this.baseUrl;
    const u = new URL(`${base}${path}`, window.location.href);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') u.searchParams.set(k, v);
    return u;
  }

  async request<T>(
    method: string,
    path: string,
    o: { query?: Record<string, string | undefined>; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse<T>> {
    const url = this.url(path, o.query);
    const headers: Record<string, string> = { accept: 'application/json', ...(o.headers ?? {}) };
    let body: string | undefined;
    if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] = 'application/json';
    }
    const signed = await this.signer({ method, url, headers, ...(body !== undefined ? { body } : {}) });
    let res: Response;
    try {
      res = await this.fetchImpl(signed.url.toString(), {
        method,
        headers: signed.headers,
        ...(signed.body !== undefined ? { body: signed.body } : {}),
      });
    } catch (e) {
      throw networkError(url, e);
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!res.ok) {
      const err = (parsed as { error?: ApiErrorBody; message?: string } | undefined)?.error;
      // API Gateway's own refusals (403 from IAM auth) answer { message } without our envelope.
      const gatewayMessage = (parsed as { message?: string } | undefined)?.message;
      throw new ApiError(
        res.status,
        err ?? {
          code: `HTTP_${res.status}`,
          message: gatewayMessage
            ? `The API refused the request: ${gatewayMessage}`
            : `The API answered ${res.status} ${res.statusText}.`,
        },
      );
    }
    if (text && parsed === undefined && res.headers.get('content-type')?.includes('json'))
      throw new ApiError(res.status, { code: 'BAD_RESPONSE', message: 'The API answered something that is not JSON.' });
    return { status: res.status, body: (parsed ?? text) as T, headers: res.headers };
  }

  get<T>(path: string, query?: Record<string, string | undefined>): Promise<T> {
    return this.request<T>('GET', path, query ? { query } : {}).then((r) => r.body);
  }

  /** GET a text document (kubeconfig YAML). */
  async getText(path: string): Promise<string> {
    const r = await this.request<unknown>('GET', path, { headers: { accept: 'application/yaml, application/json' } });
    return typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
  }
}
