/**
 * `eks-provisioner kubeconfig <id>`: fetch the cluster's kubeconfig from the API and merge it into
 * the user's kubeconfig file (created 0600, with its directory, when missing).
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { apiClient, type ApiOptions } from '../connect.js';
import { say, style, warn } from '../terminal.js';
import { defaultKubeconfigPath, KubeconfigFileError, mergeKubeconfig } from './merge.js';

export interface KubeconfigOptions extends ApiOptions {
  file?: string;
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

export async function kubeconfig(id: string, o: KubeconfigOptions, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const query = o.profile ? `?profile=${encodeURIComponent(o.profile)}` : '';
  const yaml = await apiClient(o).getText(`/v1/clusters/${encodeURIComponent(id)}/kubeconfig${query}`, 'application/yaml');
  const given = o.file ?? defaultKubeconfigPath(env, homedir(), delimiter);
  // Write through a symlinked kubeconfig to its target, as kubectl does.
  const path = await realpath(given).catch(() => given);
  const existing = await readIfPresent(path);
  let merged;
  try {
    merged = mergeKubeconfig(existing, yaml, path);
  } catch (e) {
    if (e instanceof KubeconfigFileError) {
      warn(e.message);
      return 2;
    }
    throw e;
  }
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  // Whole file or nothing: a temp file in the same directory, then rename over the old one.
  const tmp = join(dirname(path), `.${randomBytes(6).toString('hex')}.kubeconfig.tmp`);
  try {
    await writeFile(tmp, merged.text, { mode: 0o600 });
    await chmod(tmp, 0o600);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  const verb = merged.replaced.contexts ? 'Updated context' : 'Added new context';
  say(`${verb} ${style.bold(merged.context)} to ${path}${existing === undefined ? ' (new file, mode 0600)' : ''}`);
  say(`current-context is now ${merged.context}; other contexts were kept.`);
  say(
    o.profile
      ? `kubectl runs \`aws eks get-token\` with AWS_PROFILE=${o.profile}; that identity needs an access entry on the cluster.`
      : 'kubectl runs `aws eks get-token` as your current AWS identity; it needs an access entry on the cluster (pass --profile to pin one).',
  );
  return 0;
}
