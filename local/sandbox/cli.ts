/**
 * The sandbox's command line (`--port 4566 --world FILE --time-scale 100 --dynamo-path DIR --data-dir DIR`):
 * serve a world on loopback until Ctrl-C. A launcher passes the world served without `--world` (main.ts:
 * the generic default world; whoever seeds the sandbox with its own world has its own launcher).
 */
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { DEFAULT_TIME_SCALE, startSandbox } from './server.js';
import { parseWorld, WorldValidationError } from './world/schema.js';

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number 0–65535');
  return n;
}

export interface CliOptions {
  /** The world served without `--world` (default: the sandbox's default world). */
  world?: unknown;
  /** What `--world` defaults to, for --help. */
  worldName?: string;
  /** Lines printed under the listening line when the default world is served (its keys). */
  banner?: string[];
}

export async function serveFromCommandLine(cli: CliOptions = {}): Promise<void> {
  const program = new Command()
    .name('sandbox')
    .description('AWS sandbox: STS, IAM, EC2, CloudFormation, EKS, EventBridge, DynamoDB on loopback')
    .option('--port <port>', 'port on 127.0.0.1 (0 = random)', port, 4566)
    .option('--world <file>', `world JSON file (default: ${cli.worldName ?? "the sandbox's default world"})`)
    .option('--time-scale <n>', 'divide simulated AWS durations by n', positiveNumber, DEFAULT_TIME_SCALE)
    .option('--dynamo-path <dir>', 'keep DynamoDB tables on disk in this directory (default: in memory)')
    .option(
      '--data-dir <dir>',
      'keep everything (world, stacks in flight, events, DynamoDB) on disk in <dir>; a restart on the same <dir> carries on (default: in memory)',
    )
    .parse();

  const opts = program.opts<{
    port: number;
    world?: string;
    timeScale: number;
    dynamoPath?: string;
    dataDir?: string;
  }>();

  let world: unknown = cli.world;
  if (opts.world) {
    try {
      world = parseWorld(JSON.parse(readFileSync(opts.world, 'utf8')));
    } catch (e) {
      if (e instanceof WorldValidationError) console.error(`${opts.world}: ${e.message}`);
      else console.error(`${opts.world}: cannot read world file: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    }
  }

  try {
    const sandbox = await startSandbox({
      port: opts.port,
      world,
      timeScale: opts.timeScale,
      dynamoPath: opts.dynamoPath,
      ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    });
    console.log(`AWS sandbox listening on ${sandbox.url} (time scale ${opts.timeScale}×)`);
    if (!opts.world) for (const line of cli.banner ?? []) console.log(`  ${line}`);
    console.log(
      `  inspection: ${sandbox.url}/_sandbox/events  /_sandbox/world  /_sandbox/calls  /_sandbox/rate-limits  (POST /_sandbox/reset)`,
    );
    if (opts.dataDir)
      console.log(
        `  state kept in ${opts.dataDir} (a restart on it carries on; without --data-dir everything is in memory)`,
      );
    const shutdown = () => {
      void sandbox.stop().then(() => process.exit(0));
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE')
      console.error(`Port ${opts.port} is in use: pass --port <free port> (or 0 for a random one).`);
    else console.error(`Sandbox failed to start: ${err.message}`);
    process.exit(1);
  }
}
