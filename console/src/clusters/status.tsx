/** Cluster status as a Cloudscape status indicator, and a human elapsed time. */
import StatusIndicator, { type StatusIndicatorProps } from '@cloudscape-design/components/status-indicator';

const TYPE: Record<string, StatusIndicatorProps.Type> = {
  CREATING: 'in-progress',
  CREATED: 'success',
  FAILED: 'error',
  DELETING: 'in-progress',
  DELETED: 'stopped',
  DELETE_FAILED: 'error',
};

export function ClusterStatus({ status }: { status: string }) {
  return <StatusIndicator type={TYPE[status] ?? 'info'}>{status}</StatusIndicator>;
}

export function elapsed(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const m = Math.floor(s / 60);
  return m ? `${m} min ${String(s % 60).padStart(2, '0')} s` : `${s} s`;
}

export const isBusy = (status: string) => status === 'CREATING' || status === 'DELETING';
