/**
 * DynamoDB behind the sandbox endpoint: a real emulator (dynalite, LevelDB in memory by default or on disk
 * with `path`) listening on a private loopback port. The sandbox identifies the caller and checks
 * `dynamodb:<Operation>` on the table ARN(s) first, then forwards the request unchanged.
 */
import { request, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { RawBackend, RawResponse } from '../protocol/router.js';

const require = createRequire(import.meta.url);
// dynalite ships CommonJS without types: (options) => http.Server.
const dynalite = require('dynalite') as (options: Record<string, unknown>) => Server;

export interface DynamoBackend {
  backend: RawBackend;
  stop(): Promise<void>;
  /** Drop every table (in-memory stores only): a fresh emulator replaces the old one. */
  clear(): Promise<void>;
}

/** Table names a request touches (for the IAM check). */
function tablesOf(input: Record<string, unknown>): string[] {
  if (typeof input.TableName === 'string') return [input.TableName];
  const items = (input.RequestItems ?? undefined) as Record<string, unknown> | undefined;
  if (items) return Object.keys(items);
  const transact = input.TransactItems as Record<string, { TableName?: string }>[] | undefined;
  if (transact) return transact.flatMap((t) => Object.values(t).map((x) => x.TableName ?? '')).filter(Boolean);
  return [];
}

/**
 * How long dynalite keeps a new table CREATING (its createTableMs), here and in the test harnesses.
 * AWS takes seconds; dynalite's 0 turns a missing wait into a rare race (PutItem before the ACTIVE write
 * lands). A short, real CREATING window makes a caller that does not wait fail every time, as in AWS.
 */
export const TABLE_CREATING_MS = 50;

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

export async function startDynamo(path?: string): Promise<DynamoBackend> {
  const options = { path, createTableMs: TABLE_CREATING_MS, deleteTableMs: 0, updateTableMs: 0 };
  let server = dynalite(options);
  let port = await listen(server);

  const close = (s: Server) => new Promise<void>((resolve) => s.close(() => resolve()));

  const backend: RawBackend = async (req, ctx, operation, input) => {
    const tables = tablesOf(input);
    if (tables.length === 0)
      ctx.authorize(`dynamodb:${operation}`, `arn:aws:dynamodb:${ctx.region}:${ctx.accountId}:table/*`);
    for (const t of tables)
      ctx.authorize(`dynamodb:${operation}`, `arn:aws:dynamodb:${ctx.region}:${ctx.accountId}:table/${t}`);
    return new Promise<RawResponse>((resolve, reject) => {
      const headers = { ...req.headers, host: `127.0.0.1:${port}`, 'content-length': String(req.body.length) };
      const upstream = request(
        { host: '127.0.0.1', port, method: req.method, path: req.url.pathname + req.url.search, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const out: Record<string, string> = {};
            for (const [k, v] of Object.entries(res.headers))
              if (v !== undefined && k !== 'connection' && k !== 'transfer-encoding')
                out[k] = Array.isArray(v) ? v.join(', ') : v;
            resolve({ status: res.statusCode ?? 500, headers: out, body: Buffer.concat(chunks) });
          });
          res.on('error', reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(req.body);
    });
  };

  return {
    backend,
    stop: () => close(server),
    clear: async () => {
      if (path) return;
      await close(server);
      server = dynalite(options);
      port = await listen(server);
    },
  };
}
