/**
 * A kubeconfig that authenticates the way `aws eks update-kubeconfig` sets up: an exec plugin
 * running `aws eks get-token` (client.authentication.k8s.io/v1beta1). It holds no credential: the
 * user's own AWS identity (which must have an access entry) makes the token at use time.
 *
 * Written by blockYaml below rather than a YAML library: the document has one fixed shape, and the
 * `yaml` package is ~113 KiB of the API's and FinalizeCluster's bundles and a measurable share of their
 * cold-start import time.
 */

export interface KubeconfigInput {
  clusterName: string;
  clusterArn: string;
  endpoint: string;
  certificateAuthorityData: string;
  region: string;
  /** An AWS CLI profile for `aws eks get-token` (set as AWS_PROFILE in the exec env). */
  profile?: string;
}

/** What an AWS CLI profile name may be here (one rule for the API, the CLI and the console). */
export { AWS_PROFILE_NAME } from '../../../shared/kubectl/access.js';

export function kubeconfigYaml(c: KubeconfigInput): string {
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: c.clusterArn, cluster: { server: c.endpoint, 'certificate-authority-data': c.certificateAuthorityData } },
    ],
    contexts: [{ name: c.clusterArn, context: { cluster: c.clusterArn, user: c.clusterArn } }],
    'current-context': c.clusterArn,
    preferences: {},
    users: [
      {
        name: c.clusterArn,
        user: {
          exec: {
            apiVersion: 'client.authentication.k8s.io/v1beta1',
            command: 'aws',
            args: ['--region', c.region, 'eks', 'get-token', '--cluster-name', c.clusterName, '--output', 'json'],
            // Without a profile: empty on purpose, the user's own credentials apply.
            env: c.profile ? [{ name: 'AWS_PROFILE', value: c.profile }] : null,
            interactiveMode: 'IfAvailable',
            provideClusterInfo: false,
          },
        },
      },
    ],
  };
  return blockYaml(doc);
}

export type Yaml = string | number | boolean | null | Yaml[] | { [key: string]: Yaml };

/** A string that reads back as the same string when written plain (no quotes) in block YAML: no ": ", no trailing ":". */
const PLAIN = /^[A-Za-z_/](?:[A-Za-z0-9_./:@+=-]*[A-Za-z0-9_./@+=-])?$/;
/** Plain words YAML 1.1 readers (kubectl's among them) take as booleans or null. */
const RESERVED = /^(y|n|yes|no|on|off|true|false|null|~)$/i;

/** A scalar: plain when unambiguous, else a JSON string, which is a valid YAML double-quoted scalar. */
function scalar(v: string | number | boolean | null): string {
  if (typeof v !== 'string') return JSON.stringify(v);
  return PLAIN.test(v) && !RESERVED.test(v) ? v : JSON.stringify(v);
}

const isCollection = (v: Yaml): v is Yaml[] | { [key: string]: Yaml } => typeof v === 'object' && v !== null;
const isEmpty = (v: Yaml[] | { [key: string]: Yaml }) =>
  Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0;

/** Block-style YAML: mappings and sequences nested by two spaces; empty collections as [] / {}. */
export function blockYaml(value: Yaml, indent = ''): string {
  const lines: string[] = [];
  const entry = (prefix: string, v: Yaml, childIndent: string) => {
    if (!isCollection(v)) lines.push(`${prefix} ${scalar(v)}`);
    else if (isEmpty(v)) lines.push(`${prefix} ${Array.isArray(v) ? '[]' : '{}'}`);
    else lines.push(prefix, blockYaml(v, childIndent).trimEnd());
  };
  if (Array.isArray(value)) {
    for (const item of value) {
      if (isCollection(item) && !Array.isArray(item) && !isEmpty(item)) {
        // "- key: value" with the item's other keys aligned under the first.
        lines.push(
          `${indent}- ${blockYaml(item, `${indent}  `)
            .slice(indent.length + 2)
            .trimEnd()}`,
        );
      } else entry(`${indent}-`, item, `${indent}  `);
    }
  } else if (isCollection(value)) {
    for (const [k, v] of Object.entries(value)) entry(`${indent}${scalar(k)}:`, v, `${indent}  `);
  } else {
    lines.push(`${indent}${scalar(value)}`);
  }
  return `${lines.join('\n')}\n`;
}
