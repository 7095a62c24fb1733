/**
 * A sandbox that survives its process (`--data-dir DIR`): AWS's side of the world — roles, STS
 * sessions, stacks with their events and in-flight resources, EKS clusters and node groups, captured
 * EventBridge events, the clock offset — is saved to DIR/sandbox-world.json, and DynamoDB's tables live
 * in DIR/dynamodb (dynalite on LevelDB). Started again on the same DIR, the sandbox loads that state and
 * the CloudFormation engine carries on with every stack that was in progress: as with AWS, whatever
 * process called it may die without the AWS side forgetting anything.
 *
 * Saving: synchronously after every successful mutating call (before the answer leaves, so a caller
 * that got an answer can rely on it), and every 250 ms while timers change state (stacks progressing).
 * Writes go to a temporary file renamed over the old one, so a kill mid-write leaves the previous state.
 * The file holds the sandbox's secrets (as AWS holds them): keep DIR private (created 0700, file 0600).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CapturedEvent, WorldData } from '../world/types.js';

export const WORLD_FILE = 'sandbox-world.json';
export const DYNAMODB_DIR = 'dynamodb';

/** Written on save. */
export const SAVED_FORMAT = 'aws-sandbox/1';
/** Also read: the same layout under the name state directories saved before the sandbox was renamed. */
const READABLE_FORMATS: readonly string[] = [SAVED_FORMAT, 'eks-provisioner-sandbox/1'];

export interface SavedSandbox {
  format: string;
  savedAt: string;
  initial: WorldData;
  data: WorldData;
  capturedEvents: CapturedEvent[];
  clockOffsetMs: number;
  /** Per service module: what it keeps outside world state (ServiceModule.snapshot). */
  modules: Record<string, unknown>;
}

/** Creates DIR (private) and returns the saved state if there is one. */
export function openStateDir(dir: string): SavedSandbox | undefined {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  mkdirSync(join(dir, DYNAMODB_DIR), { recursive: true, mode: 0o700 });
  const file = join(dir, WORLD_FILE);
  if (!existsSync(file)) return undefined;
  let saved: SavedSandbox;
  try {
    saved = JSON.parse(readFileSync(file, 'utf8')) as SavedSandbox;
  } catch (e) {
    throw new Error(
      `${file} is not a saved sandbox (${(e as Error).message}): move it away to start from a fresh world.`,
    );
  }
  if (!READABLE_FORMATS.includes(saved?.format) || !saved.data || !saved.initial) {
    throw new Error(
      `${file} is not a saved sandbox of this version (format ${String(saved?.format)}): move it away to start from a fresh world.`,
    );
  }
  return saved;
}

/** Saves what `collect` returns whenever it changed; `flush()` saves now. */
export class StateSaver {
  private last = '';
  private readonly timer: NodeJS.Timeout;
  private readonly file: string;

  constructor(
    dir: string,
    private readonly collect: () => Omit<SavedSandbox, 'format' | 'savedAt'>,
    private readonly log: (m: string) => void,
    intervalMs = 250,
  ) {
    this.file = join(dir, WORLD_FILE);
    this.timer = setInterval(() => this.flush(), intervalMs);
    this.timer.unref();
  }

  flush(): void {
    try {
      const body = JSON.stringify(this.collect());
      if (body === this.last) return;
      const text = `{"format":${JSON.stringify(SAVED_FORMAT)},"savedAt":${JSON.stringify(new Date().toISOString())},${body.slice(1)}`;
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, text, { mode: 0o600 });
      renameSync(tmp, this.file);
      this.last = body;
    } catch (e) {
      this.log(`[sandbox] could not save the world to ${this.file}: ${(e as Error).message}`);
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.flush();
  }
}

/** Operations that change nothing (their answer needs no save first). */
export const READ_ONLY_OPERATION = /^(Describe|Get|List|Lookup|Validate|Simulate|Estimate|Search|Scan|Query|BatchGet)/;
