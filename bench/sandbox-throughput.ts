/**
 * Sandbox benchmark (a script, not a timed test):
 *  1. describe calls per second with AWS SDK v3 clients over loopback (EC2 DescribeSubnets/DescribeVpcs,
 *     STS GetCallerIdentity, EKS DescribeClusterVersions), fixed concurrency, bounded duration;
 *  2. the same EC2/STS calls against `moto_server` when installed (started on a free loopback port);
 *  3. wall time of the full default-world cluster stack (functions/lib/template/cluster-template.json)
 *     at the default time scale (a stack that cannot be created or ends other than CREATE_COMPLETE
 *     fails the run: exit code 1).
 *
 *   npx tsx bench/sandbox-throughput.ts [--seconds 5] [--concurrency 16] [--no-moto] [--no-stack]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import '../local/quiet-sdk.js';
import { DescribeSubnetsCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeClusterVersionsCommand, EKSClient } from '@aws-sdk/client-eks';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { clusterStackParameters } from '../functions/lib/template/index.js';
import { computeSignature } from '../local/sandbox/protocol/sigv4.js';
import { DEFAULT_TIME_SCALE, startSandbox } from '../local/sandbox/server.js';
import { CUSTOMER_ACCESS_KEY_ID, CUSTOMER_SECRET_ACCESS_KEY, DEMO } from '../local/sandbox/world/default-world.js';

const args = process.argv.slice(2);
const arg = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const SECONDS = arg('seconds', 5);
const CONCURRENCY = arg('concurrency', 16);

type Call = () => Promise<unknown>;

interface Result {
  calls: number;
  errors: number;
  perSecond: number;
  p50: number;
  p99: number;
}

/** Keep `concurrency` calls in flight for `seconds`, cycling through `calls` (after a 1 s warm-up). */
async function measure(calls: Call[], seconds: number, concurrency: number, warmUp = true): Promise<Result> {
  // Warm-up: connections, SDK lazy init, JIT on both sides.
  for (const c of calls) await c();
  if (warmUp) await measure(calls, 1, concurrency, false);
  const latencies: number[] = [];
  let errors = 0;
  let n = 0;
  const end = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const call = calls[n++ % calls.length]!;
      const t0 = performance.now();
      try {
        await call();
      } catch {
        errors += 1;
      }
      latencies.push(performance.now() - t0);
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
  return { calls: latencies.length, errors, perSecond: latencies.length / elapsed, p50: pct(0.5), p99: pct(0.99) };
}

function clientsFor(endpoint: string, credentials: AwsCredentialIdentity) {
  const cfg = { endpoint, region: 'us-east-1', credentials, maxAttempts: 1 };
  return {
    ec2: new EC2Client(cfg),
    sts: new STSClient(cfg),
    eks: new EKSClient(cfg),
    cfn: new CloudFormationClient(cfg),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function startMoto(): Promise<{ url: string; proc: ChildProcess } | undefined> {
  const port = await freePort();
  let proc: ChildProcess;
  try {
    proc = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  const failed = new Promise<undefined>((resolve) => proc.once('error', () => resolve(undefined)));
  const url = `http://127.0.0.1:${port}`;
  const ready = (async () => {
    for (let i = 0; i < 200; i++) {
      try {
        const res = await fetch(`${url}/moto-api/`);
        if (res.status < 500) return { url, proc };
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    proc.kill();
    return undefined;
  })();
  return Promise.race([ready, failed]);
}

/**
 * Server capacity without SDK client cost: replay fixed requests, signed once (SigV4) with the key's
 * secret, over fetch. Neither server rejects a replayed signature.
 */
function rawCalls(url: string, accessKeyId: string, secret: string): Call[] {
  const amzDate = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const host = new URL(url).host;
  const post = (service: string, bodyText: string) => {
    const body = Buffer.from(bodyText);
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      host,
      'x-amz-date': amzDate,
    };
    const signed = ['content-type', 'host', 'x-amz-date'];
    const scope = { date: amzDate.slice(0, 8), region: 'us-east-1', service };
    const signature = computeSignature({ method: 'POST', rawUrl: '/', headers, body }, signed, secret, scope, amzDate);
    const authorization = `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${scope.date}/us-east-1/${service}/aws4_request, SignedHeaders=${signed.join(';')}, Signature=${signature}`;
    return async () => {
      const res = await fetch(`${url}/`, {
        method: 'POST',
        headers: { 'content-type': headers['content-type']!, 'x-amz-date': amzDate, authorization },
        body,
      });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    };
  };
  return [
    post('ec2', 'Action=DescribeSubnets&Version=2016-11-15'),
    post('ec2', 'Action=DescribeVpcs&Version=2016-11-15'),
    post('sts', 'Action=GetCallerIdentity&Version=2011-06-15'),
  ];
}

const fmt = (r: Result) =>
  `${r.perSecond.toFixed(0).padStart(6)} calls/s  (${r.calls} calls, ${r.errors} errors, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms)`;

async function waitFor(url: string, proc: ChildProcess): Promise<boolean> {
  for (let i = 0; i < 300; i++) {
    if (proc.exitCode !== null) return false;
    try {
      const res = await fetch(url);
      if (res.status < 500) return true;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/**
 * The sandbox under test. By default it runs in its own process (`npm run sandbox`), like moto_server, so
 * the SDK clients of this process do not share an event loop with it; `--in-process` keeps it here.
 */
async function sandboxUnderTest(): Promise<{ url: string; stop: () => Promise<void>; pid?: number }> {
  if (args.includes('--in-process')) {
    const sb = await startSandbox({
      port: 0,
      log: () => undefined,
      rateLimits: false /* raw throughput, not AWS's quotas */,
    });
    return { url: sb.url, stop: () => sb.stop() };
  }
  const port = await freePort();
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', new URL('../local/runner/sandbox-main.ts', import.meta.url).pathname, '--port', String(port)],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  if (!(await waitFor(`${url}/_sandbox/health`, proc))) throw new Error('sandbox process did not start');
  return { url, stop: async () => void proc.kill('SIGTERM'), pid: proc.pid };
}

/** CPU time (ms) a process has used so far, from /proc (Linux); undefined elsewhere. */
function cpuMs(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, 100 ticks/s
  } catch {
    return undefined;
  }
}

/** Run `measure` and report the server process's CPU per call (load-independent cost). */
async function measureServer(calls: Call[], pid: number | undefined): Promise<Result & { cpuPerCall?: number }> {
  for (const c of calls) await c();
  await measure(calls, 1, CONCURRENCY, false);
  const before = cpuMs(pid);
  const r = await measure(calls, SECONDS, CONCURRENCY, false);
  const after = cpuMs(pid);
  return { ...r, cpuPerCall: before !== undefined && after !== undefined ? (after - before) / r.calls : undefined };
}

const cpuText = (r: { cpuPerCall?: number }) =>
  r.cpuPerCall === undefined
    ? ''
    : `; server CPU ${r.cpuPerCall.toFixed(2)} ms/call ≈ ${(1000 / r.cpuPerCall).toFixed(0)} calls/s per core`;

async function main() {
  const creds = { accessKeyId: CUSTOMER_ACCESS_KEY_ID, secretAccessKey: CUSTOMER_SECRET_ACCESS_KEY };
  const sb = await sandboxUnderTest();
  const { loadavg, cpus } = await import('node:os');
  console.log(
    `sandbox ${sb.url}; ${SECONDS}s per run, concurrency ${CONCURRENCY}, node ${process.version}, ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)}`,
  );
  try {
    const c = clientsFor(sb.url, creds);
    const common: Call[] = [
      () => c.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [DEMO.vpcId] }] })),
      () => c.ec2.send(new DescribeVpcsCommand({})),
      () => c.sts.send(new GetCallerIdentityCommand({})),
    ];
    const sandboxCommon = await measureServer(common, sb.pid);
    console.log(`sandbox  ec2+sts mix            ${fmt(sandboxCommon)}${cpuText(sandboxCommon)}`);
    const sandboxRaw = await measureServer(
      rawCalls(sb.url, CUSTOMER_ACCESS_KEY_ID, CUSTOMER_SECRET_ACCESS_KEY),
      sb.pid,
    );
    console.log(`sandbox  raw HTTP ec2+sts mix   ${fmt(sandboxRaw)}${cpuText(sandboxRaw)}`);
    const withEks = await measure(
      [...common, () => c.eks.send(new DescribeClusterVersionsCommand({}))],
      SECONDS,
      CONCURRENCY,
    );
    console.log(`sandbox  ec2+sts+eks mix        ${fmt(withEks)}`);

    if (!args.includes('--no-moto')) {
      const moto = await startMoto();
      if (!moto) {
        // The comparison was asked for (no --no-moto) and cannot run: say so and fail, never skip quietly.
        console.log(
          'moto     NOT MEASURED: moto_server not installed or did not start (pass --no-moto to leave it out)',
        );
        process.exitCode = 1;
      } else {
        try {
          const m = clientsFor(moto.url, { accessKeyId: 'testing', secretAccessKey: 'testing' });
          const motoCalls: Call[] = [
            () => m.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] })),
            () => m.ec2.send(new DescribeVpcsCommand({})),
            () => m.sts.send(new GetCallerIdentityCommand({})),
          ];
          const motoResult = await measureServer(motoCalls, moto.proc.pid);
          console.log(`moto     ec2+sts mix            ${fmt(motoResult)}${cpuText(motoResult)}`);
          console.log(
            `ratio    sandbox / moto         ${(sandboxCommon.perSecond / motoResult.perSecond).toFixed(1)}× (SDK clients)`,
          );
          const motoRaw = await measureServer(rawCalls(moto.url, 'AKIAIOSFODNN7EXAMPLE', 'testing'), moto.proc.pid);
          console.log(`moto     raw HTTP ec2+sts mix   ${fmt(motoRaw)}${cpuText(motoRaw)}`);
          console.log(
            `ratio    sandbox / moto         ${(sandboxRaw.perSecond / motoRaw.perSecond).toFixed(1)}× (raw HTTP)`,
          );
          if (sandboxCommon.cpuPerCall && motoResult.cpuPerCall) {
            console.log(
              `ratio    moto / sandbox CPU     ${(motoResult.cpuPerCall / sandboxCommon.cpuPerCall).toFixed(1)}× server CPU per call (load-independent)`,
            );
          }
        } finally {
          moto.proc.kill();
        }
      }
    }

    if (!args.includes('--no-stack')) {
      const template = readFileSync(
        new URL('../functions/lib/template/cluster-template.json', import.meta.url),
        'utf8',
      );
      // The product's own parameter list (the one CreateClusterStack sends), so the bench cannot drift
      // from the template's parameters again (it once passed TenantId after the tenant tag changed).
      const parameters = clusterStackParameters({
        clusterId: 'bench-1',
        tenantId: 'bench',
        name: 'bench',
        kubernetesVersion: '1.33',
        serviceRoleArn: DEMO.serviceRoleArn,
        subnetIds: [...DEMO.subnetIds],
        securityGroupIds: [DEMO.securityGroupId],
        instanceType: 't3.medium',
        nodeCount: 2,
        keyName: DEMO.keyName,
        adminPrincipalArns: [],
      });
      const t0 = performance.now();
      try {
        await c.cfn.send(
          new CreateStackCommand({
            StackName: 'bench-cluster',
            TemplateBody: template,
            Parameters: parameters,
            Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
          }),
        );
        let status = '';
        let reason: string | undefined;
        while (performance.now() - t0 < 120_000) {
          const out = await c.cfn.send(new DescribeStacksCommand({ StackName: 'bench-cluster' }));
          status = out.Stacks?.[0]?.StackStatus ?? '';
          reason = out.Stacks?.[0]?.StackStatusReason;
          if (!status.endsWith('IN_PROGRESS')) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        console.log(
          `stack    default-world cluster  ${status} in ${((performance.now() - t0) / 1000).toFixed(1)} s at time scale ${DEFAULT_TIME_SCALE}${reason ? ` (${reason})` : ''}`,
        );
        if (status !== 'CREATE_COMPLETE')
          throw new Error(`the stack ended ${status || 'without a status'}${reason ? `: ${reason}` : ''}`);
      } catch (e) {
        // A measurement that cannot run is a broken benchmark, not a skipped one.
        console.error(`stack    FAILED: ${(e as Error).name}: ${(e as Error).message}`);
        process.exitCode = 1;
      }
    }
  } finally {
    await sb.stop();
  }
}

await main();
