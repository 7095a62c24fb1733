/**
 * The cluster's last update on its page, like creation progress: what changes, phase, resources
 * n of m and elapsed time while it runs; then the outcome — updated, or the update's diagnosis.
 */
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import ProgressBar from '@cloudscape-design/components/progress-bar';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import type { ClusterUpdate } from '../api/types';
import { elapsed } from '../clusters/status';
import DiagnosisAlert from '../components/DiagnosisAlert';
import { changesOf } from './update-text';

const STATUS = {
  RUNNING: { type: 'in-progress', text: 'Updating' },
  SUCCEEDED: { type: 'success', text: 'Updated' },
  FAILED: { type: 'error', text: 'Update failed' },
} as const;

export default function UpdateStatus({ update: u, now }: { update: ClusterUpdate; now: number }) {
  const s = STATUS[u.status as keyof typeof STATUS] ?? { type: 'info' as const, text: u.status };
  const started = Date.parse(u.startedAt);
  const ended = u.status === 'RUNNING' ? now : u.finishedAt ? Date.parse(u.finishedAt) : now;
  const { done, total } = u.resources ?? { done: 0, total: 0 };
  return (
    <Container header={<Header variant="h2">{u.status === 'RUNNING' ? 'Update in progress' : 'Last update'}</Header>}>
      <SpaceBetween size="m">
        <KeyValuePairs
          columns={4}
          items={[
            {
              label: 'Update',
              value: (
                <span data-testid="update-status">
                  <StatusIndicator type={s.type}>{s.text}</StatusIndicator>
                </span>
              ),
            },
            {
              label: 'Changes',
              value: (
                <ul data-testid="update-changes">
                  {changesOf(u).map((c) => (
                    <li key={c}>{c}</li>
                  ))}
                </ul>
              ),
            },
            { label: 'Phase', value: <span data-testid="update-phase">{u.phase}</span> },
            {
              label: 'Resources',
              value: <span data-testid="update-resources">{total ? `${done} of ${total} updated` : '—'}</span>,
            },
            { label: 'Elapsed', value: Number.isFinite(started) ? elapsed(ended - started) : '—' },
          ]}
        />
        {u.status === 'RUNNING' && (
          <ProgressBar
            value={total ? Math.round((done / total) * 100) : 0}
            label="Updating the cluster"
            description={u.phase}
            additionalInfo="A control-plane upgrade takes about 10 minutes in AWS; the Kubernetes API stays available. This page updates by itself."
          />
        )}
        {u.status === 'FAILED' && u.diagnosis && <DiagnosisAlert diagnosis={u.diagnosis} testId="update-diagnosis" />}
      </SpaceBetween>
    </Container>
  );
}
