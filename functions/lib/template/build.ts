/**
 * Writes cluster-template.json from the CDK definition. Run after changing cluster-stack.ts:
 *   npx tsx functions/lib/template/build.ts
 * (test/unit/template.test.ts fails while the committed file differs from a fresh synthesis.)
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { synthesizeClusterTemplate } from './cluster-stack.js';

export const TEMPLATE_FILE = fileURLToPath(new URL('./cluster-template.json', import.meta.url));

export function renderTemplateFile(): string {
  return `${JSON.stringify(synthesizeClusterTemplate(), null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(TEMPLATE_FILE, renderTemplateFile());
  console.log(`wrote ${TEMPLATE_FILE}`);
}
