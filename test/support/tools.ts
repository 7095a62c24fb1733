/**
 * The outside tools some tests check the local stack with: the AWS CLI, kubectl, cfn-lint, moto and
 * Chromium. One rule for all of them: where a tool is missing, its tests skip with a message on a
 * developer's machine, but under CI (CI=true) the test file fails, so a green CI means they all ran.
 *
 *   const kubectl = requireTool('kubectl');
 *   describe.skipIf(!kubectl)('…', () => { … });
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export type ToolName = 'aws' | 'kubectl' | 'cfn-lint' | 'moto' | 'chromium';

export interface Tool {
  name: ToolName;
  /** How to start it: the command and its first arguments (moto may be `python3 -m moto.server`). */
  command: string[];
  /** What `--version` (or the like) said; the path for Chromium. */
  version: string;
}

interface Probe {
  /** Commands to try in order: [probe argv, argv to run the tool with]. */
  candidates: Array<{ probe: string[]; command: string[] }>;
  install: string;
}

export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] || '/usr/bin/chromium';

const PROBES: Record<Exclude<ToolName, 'chromium'>, Probe> = {
  aws: {
    candidates: [{ probe: ['aws', '--version'], command: ['aws'] }],
    install: 'apt-get install -y awscli (or pip install awscli)',
  },
  kubectl: {
    candidates: [{ probe: ['kubectl', 'version', '--client'], command: ['kubectl'] }],
    install: 'install kubectl (https://kubernetes.io/docs/tasks/tools/)',
  },
  'cfn-lint': {
    candidates: [{ probe: ['cfn-lint', '--version'], command: ['cfn-lint'] }],
    install: 'pip install cfn-lint',
  },
  moto: {
    candidates: [
      { probe: ['moto_server', '--help'], command: ['moto_server'] },
      { probe: ['python3', '-c', 'import moto.server'], command: ['python3', '-m', 'moto.server'] },
    ],
    install: 'pip install "moto[server]"',
  },
};

const found = new Map<ToolName, Tool | undefined>();

/** The tool if it is installed and answers, else undefined (probed once per test file, looked up on env's PATH). */
export function findTool(name: ToolName, env: NodeJS.ProcessEnv = process.env): Tool | undefined {
  const cache = env === process.env;
  if (cache && found.has(name)) return found.get(name);
  let tool: Tool | undefined;
  if (name === 'chromium') {
    const path = env['CHROMIUM_PATH'] || '/usr/bin/chromium';
    tool = existsSync(path) ? { name, command: [path], version: path } : undefined;
  } else {
    for (const c of PROBES[name].candidates) {
      // Generous: python tools behind pyenv shims take tens of seconds to start on a loaded machine,
      // and a slow probe must not read as a missing tool.
      const r = spawnSync(c.probe[0]!, c.probe.slice(1), { encoding: 'utf8', timeout: 120_000, env });
      if (!r.error && r.status === 0) {
        tool = { name, command: c.command, version: (r.stdout || r.stderr).trim().split('\n')[0] ?? '' };
        break;
      }
    }
  }
  if (cache) found.set(name, tool);
  return tool;
}

export function installHint(name: ToolName): string {
  return name === 'chromium'
    ? `apt-get install -y chromium (or set CHROMIUM_PATH; looked at ${CHROMIUM_PATH})`
    : PROBES[name].install;
}

/** True where CI says so (GitHub Actions, GitLab CI and .ci/run set CI=true). */
export function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = (env['CI'] ?? '').toLowerCase();
  return ci !== '' && ci !== 'false' && ci !== '0';
}

/**
 * The tool, or — when it is missing — undefined and a warning naming what skips (developer machine),
 * or an error (CI: a skipped check must not look like a passed one).
 */
export function requireTool(name: ToolName, what: string, env: NodeJS.ProcessEnv = process.env): Tool | undefined {
  const tool = findTool(name, env);
  if (tool) return tool;
  const message = `${what} needs ${name}, which is not installed: ${installHint(name)}`;
  if (inCi(env)) throw new Error(`${message}. CI=true: tests that need a tool must run, not skip.`);
  console.warn(`skipped: ${message}`);
  return undefined;
}
