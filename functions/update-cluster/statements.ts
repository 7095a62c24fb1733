/** The policy statements an older role B lacks for updates, as the UPDATE_NOT_PERMITTED diagnosis shows them. */
import { updateStatements } from '../lib/policy/provision-policy.js';

export function updateStatementsFor(roleArn: string): string {
  const partition = /^arn:([\w-]+):/.exec(roleArn)?.[1] ?? 'aws';
  return JSON.stringify(updateStatements({ partition }));
}
