/**
 * What the user sees is ours. The terminal writers are captured before anything else runs; `quiet()`
 * then sends everything else that writes to stdout/stderr (AWS SDK notices, Powertools JSON logs from
 * the handlers, library warnings) to a log file instead — unless --verbose.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

type Write = typeof process.stdout.write;

const stdoutWrite: Write = process.stdout.write.bind(process.stdout);
const stderrWrite: Write = process.stderr.write.bind(process.stderr);

export const isTty = Boolean(process.stdout.isTTY);
/** Colours only on a terminal, and never with NO_COLOR (https://no-color.org). */
const color = isTty && !process.env['NO_COLOR'];

/** A line for the user (stdout). */
export function say(text = ''): void {
  stdoutWrite(`${text}\n`);
}

/** A line for the user about a problem (stderr). */
export function warn(text: string): void {
  stderrWrite(`${text}\n`);
}

/** Raw write to the terminal (progress redraws). */
export function raw(text: string): void {
  stdoutWrite(text);
}

let logStream: WriteStream | undefined;

/** Routes every other write to stdout/stderr into `logFile`. Returns a function that undoes it. */
export function quiet(logFile: string): () => void {
  mkdirSync(dirname(logFile), { recursive: true });
  logStream = createWriteStream(logFile, { flags: 'a' });
  const toLog = ((chunk: string | Uint8Array, encodingOrCb?: unknown, cb?: unknown) => {
    logStream?.write(chunk);
    const done = typeof encodingOrCb === 'function' ? encodingOrCb : cb;
    if (typeof done === 'function') (done as () => void)();
    return true;
  }) as Write;
  process.stdout.write = toLog;
  process.stderr.write = toLog;
  // Node's own warnings (e.g. experimental features) are library noise too.
  process.removeAllListeners('warning');
  process.on('warning', (w) => logStream?.write(`${w.name}: ${w.message}\n`));
  return () => {
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
    logStream?.end();
    logStream = undefined;
  };
}

/** Appends a line to the log file (when quiet) or stderr (verbose). */
export function logLine(text: string): void {
  if (logStream) logStream.write(`${new Date().toISOString()} ${text}\n`);
  else stderrWrite(`${text}\n`);
}

export const style = {
  bold: (s: string) => (color ? `\x1b[1m${s}\x1b[22m` : s),
  dim: (s: string) => (color ? `\x1b[2m${s}\x1b[22m` : s),
  green: (s: string) => (color ? `\x1b[32m${s}\x1b[39m` : s),
  red: (s: string) => (color ? `\x1b[31m${s}\x1b[39m` : s),
  cyan: (s: string) => (color ? `\x1b[36m${s}\x1b[39m` : s),
  yellow: (s: string) => (color ? `\x1b[33m${s}\x1b[39m` : s),
};
