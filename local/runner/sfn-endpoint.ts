/**
 * A loopback Step Functions endpoint (AWS JSON 1.0 protocol) in front of the runner, for --aws mode:
 * there is no sandbox then, and the API's StartExecution must still reach the local runner
 * (AWS_ENDPOINT_URL_SFN points here). Only the operations the runner serves (OPERATIONS); no auth (loopback).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StepFunctionsSlot } from './runner.js';

const OPERATIONS = [
  'StartExecution',
  'DescribeExecution',
  'GetExecutionHistory',
  'ListExecutions',
  'StopExecution',
  'ListStateMachines',
  'DescribeStateMachine',
  'DescribeStateMachineForExecution',
] as const;

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': 'local',
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startStepFunctionsEndpoint(
  slot: StepFunctionsSlot,
  port = 0,
  host = '127.0.0.1',
): Promise<{ url: string; stop: () => Promise<void> }> {
  const server = createServer((req, res) => {
    void (async () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const op = target.split('.').pop() as (typeof OPERATIONS)[number];
      if (req.method !== 'POST' || !target.startsWith('AWSStepFunctions.') || !OPERATIONS.includes(op)) {
        send(res, 400, {
          __type: 'UnknownOperationException',
          message: `The local Step Functions endpoint does not serve ${target || req.url}`,
        });
        return;
      }
      let input: Record<string, unknown>;
      try {
        const text = await readBody(req);
        input = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch {
        send(res, 400, { __type: 'SerializationException', message: 'Request body is not valid JSON.' });
        return;
      }
      try {
        send(res, 200, await (slot[op] as (i: unknown) => Promise<unknown>)(input));
      } catch (e) {
        const err = e as { code?: string; name?: string; message?: string; httpStatus?: number };
        const status = err.httpStatus ?? 500;
        send(res, status, {
          __type: status < 500 ? (err.code ?? err.name) : 'InternalFailure',
          message: status < 500 ? err.message : 'Internal error in the local Step Functions runner.',
        });
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${actual}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
