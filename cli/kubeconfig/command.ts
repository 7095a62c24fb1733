/**
 * `eks-provisioner kubeconfig <id>`: fetch the cluster's kubeconfig from the API and merge it into
 * the user's kubeconfig file (created 0600, with its directory, when missing).
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { AWS_PROFILE_NAME } from '../../functions/lib/kubernetes/kubeconfig.js';
import { type ApiOptions, apiClient } from '../connect.js';
import { say, style, warn } from '../terminal.js';
import { type AssumeRoleProfile, assumeRoleProfile } from './assume-role-profile.js';
import { defaultKubeconfigPath, KubeconfigFileError, mergeKubeconfig } from './merge.js';

export interface KubeconfigOptions extends ApiOptions {
  file?: string;
  /** Use role B through an AWS CLI profile with the tenant's External ID (self-managed installs). */
  assumeProvisionRole?: boolean;
  /** The profile whose credentials assume role B (default `default`). */
  sourceProfile?: string;
}

/** The record fields `--assume-provision-role` reads. */
interface RecordForProfile {
  name: string;
  settings?: { provisionRoleArn?: string };
  outputs?: { clusterName?: string };
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

export async function kubeconfig(
  id: string,
  o: KubeconfigOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  if (o.sourceProfile !== undefined && !o.assumeProvisionRole) {
    warn(
      '--source-profile goes with --assume-provision-role: add it, or use --profile to pick the profile kubectl runs as.',
    );
    return 2;
  }
  if (o.sourceProfile !== undefined && !AWS_PROFILE_NAME.test(o.sourceProfile)) {
    warn(
      `--source-profile "${o.sourceProfile}" is not an AWS CLI profile name: use 1–64 letters, digits and _ . - (e.g. --source-profile work).`,
    );
    return 2;
  }
  const api = apiClient(o);
  // --profile signs the API requests and, without --assume-provision-role, is the kubeconfig's AWS_PROFILE too.
  let kubeProfile = o.profile;
  let roleProfile: AssumeRoleProfile | undefined;
  if (o.assumeProvisionRole) {
    const [record, setup] = await Promise.all([
      api.get<RecordForProfile>(`/v1/clusters/${encodeURIComponent(id)}`),
      api.get<{ externalId: string }>('/v1/setup'),
    ]);
    const roleArn = record.settings?.provisionRoleArn;
    if (!roleArn) {
      warn(
        `Cluster ${id} has no provision role (role B) on its record: use --profile with an identity that has an access entry instead.`,
      );
      return 2;
    }
    try {
      roleProfile = assumeRoleProfile({
        clusterName: record.outputs?.clusterName ?? record.name,
        roleArn,
        externalId: setup.externalId,
        ...(o.sourceProfile !== undefined ? { sourceProfile: o.sourceProfile } : {}),
      });
    } catch (e) {
      warn((e as Error).message);
      return 2;
    }
    kubeProfile = roleProfile.name;
  }
  const query = kubeProfile ? `?profile=${encodeURIComponent(kubeProfile)}` : '';
  const yaml = await api.getText(`/v1/clusters/${encodeURIComponent(id)}/kubeconfig${query}`, 'application/yaml');
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
  if (roleProfile) {
    say('');
    say(
      `kubectl runs \`aws eks get-token\` with AWS_PROFILE=${roleProfile.name}, which assumes role B (the cluster's creator, cluster-admin).`,
    );
    say(
      'Add this profile to ~/.aws/config (the identity of its source_profile must be allowed to assume role B — self-managed installs):',
    );
    say('');
    say(roleProfile.text);
    return 0;
  }
  say(
    kubeProfile
      ? `kubectl runs \`aws eks get-token\` with AWS_PROFILE=${kubeProfile}; that identity needs an access entry on the cluster.`
      : 'kubectl runs `aws eks get-token` as your current AWS identity; it needs an access entry on the cluster (pass --profile to pin one).',
  );
  return 0;
}
