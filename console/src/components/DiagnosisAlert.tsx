/**
 * A diagnosis or API error in plain words: title, message, the evidence, and the numbered steps
 * that fix it (the seed's troubleshooting, filled in with this tenant's values).
 */
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import ExpandableSection from '@cloudscape-design/components/expandable-section';
import Link from '@cloudscape-design/components/link';
import SpaceBetween from '@cloudscape-design/components/space-between';
import type { ApiErrorBody, Diagnosis } from '../api/types';

type Shown = Pick<Diagnosis, 'code' | 'message'> & Partial<Diagnosis> & { title?: string };

export function fromApiError(e: ApiErrorBody): Shown {
  return e as unknown as Shown;
}

function evidenceOf(d: Shown): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const fr = d.failedResource;
  if (fr) {
    const what = [fr.logicalId, fr.type].filter(Boolean).join(' ');
    out.push(['Failed resource', `${what}${fr.status ? ` — ${fr.status}` : ''}${fr.reason ? `: ${fr.reason}` : ''}`]);
  }
  // A single problem usually is the message itself: show only what adds to it.
  for (const p of d.problems ?? []) if (p.message !== d.message) out.push([p.code, p.message]);
  for (const f of d.fields ?? []) out.push([f.path, f.message]);
  if (d.evidence)
    for (const [k, v] of Object.entries(d.evidence)) out.push([k, typeof v === 'string' ? v : JSON.stringify(v)]);
  if (d.cause?.message) out.push([d.cause.code ?? 'cause', d.cause.message]);
  return out;
}

export default function DiagnosisAlert({
  diagnosis,
  type = 'error',
  testId,
}: {
  diagnosis: Shown;
  type?: 'error' | 'warning';
  testId?: string;
}) {
  const evidence = evidenceOf(diagnosis);
  return (
    <Alert type={type} header={diagnosis.title ?? diagnosis.code} data-testid={testId ?? 'diagnosis'}>
      <SpaceBetween size="s">
        <Box>
          {diagnosis.message} <Box variant="small">({diagnosis.code})</Box>
        </Box>
        {evidence.length > 0 && (
          <ExpandableSection headerText="Evidence" defaultExpanded>
            <ul>
              {evidence.map(([k, v], i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list, never reordered, whose entries may repeat
                <li key={i}>
                  <Box variant="strong">{k}</Box>: {v}
                </li>
              ))}
            </ul>
          </ExpandableSection>
        )}
        {!!diagnosis.remediation?.length && (
          <div>
            <Box variant="h4">How to fix it</Box>
            <ol data-testid="remediation">
              {diagnosis.remediation.map((r, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list, never reordered, whose entries may repeat
                <li key={i}>{r}</li>
              ))}
            </ol>
          </div>
        )}
        {diagnosis.docsUrl && (
          <Link external href={diagnosis.docsUrl}>
            AWS documentation
          </Link>
        )}
      </SpaceBetween>
    </Alert>
  );
}
