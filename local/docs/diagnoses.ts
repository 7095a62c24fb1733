/**
 * docs/diagnoses.md, generated from the diagnosis catalog (functions/lib/diagnosis/catalog.ts) so the
 * user guide's troubleshooting cannot drift from what the service says. After adding or changing a
 * code: `npm run docs:diagnoses` (test/unit/docs/diagnoses-doc.test.ts fails while the file is stale).
 * Messages are shown with no evidence: the service fills in ids, ARNs and AWS's own reason.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CATALOG, makeDiagnosis } from '../../functions/lib/diagnosis/catalog.js';
import { DIAGNOSIS_CODES, type DiagnosisCode } from '../../functions/lib/diagnosis/types.js';

export const DIAGNOSES_DOC = fileURLToPath(new URL('../../docs/diagnoses.md', import.meta.url));

/** GitHub's anchor for a heading that is just the code (`QUOTA_EXCEEDED` → `quota_exceeded`). */
const anchor = (code: string) => code.toLowerCase();

export function renderDiagnosesDoc(): string {
  // types.ts order (the catalog itself is gathered by phase).
  const codes: readonly DiagnosisCode[] = DIAGNOSIS_CODES;
  const out: string[] = [
    '# Diagnoses',
    '',
    '<!-- Generated from functions/lib/diagnosis/catalog.ts by `npm run docs:diagnoses`. Do not edit by hand. -->',
    '',
    'Every failure the service reports carries one of these codes, on the cluster record (`diagnosis`), in',
    'the "Failed" EventBridge event, in API errors, and in the console. In a real diagnosis the message is',
    "filled in with the evidence (ids, ARNs, regions, AWS's own reason) and the steps name your values; here",
    'they are shown as they read without evidence. See [the user guide](user-guide.md) for where each appears.',
    '',
    '| code | title | retryable |',
    '|---|---|---|',
    ...codes.map(
      (c) =>
        `| [\`${c}\`](#${anchor(c)}) | ${CATALOG[c].title.replace(/\|/g, '\\|')} | ${CATALOG[c].retryable ? 'yes' : 'no'} |`,
    ),
  ];
  for (const code of codes) {
    const d = makeDiagnosis(code);
    out.push('', `## ${code}`, '', `**${d.title}**`, '', d.message, '');
    if (d.remediation.length) {
      out.push('How to fix it:', '');
      out.push(...d.remediation.map((step, i) => `${i + 1}. ${step}`));
      out.push('');
    }
    out.push(`Retryable: ${d.retryable ? 'yes' : 'no'}.${d.docsUrl ? ` AWS documentation: <${d.docsUrl}>` : ''}`);
  }
  return `${out.join('\n')}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(DIAGNOSES_DOC, renderDiagnosesDoc());
  console.log(`wrote ${DIAGNOSES_DOC.slice(DIAGNOSES_DOC.lastIndexOf('docs/'))}`);
}
