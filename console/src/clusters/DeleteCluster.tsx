/** Delete, where the API offers it: confirm, DELETE /v1/clusters/{id}, show a refusal's diagnosis. */
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Modal from '@cloudscape-design/components/modal';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useState } from 'react';
import { ApiError } from '../api/client';
import { useConsole } from '../api/context';
import type { ApiErrorBody, ClusterRecord } from '../api/types';
import DiagnosisAlert, { fromApiError } from '../components/DiagnosisAlert';

export default function DeleteCluster({
  cluster,
  onDone,
  disabled,
}: {
  cluster: Pick<ClusterRecord, 'id' | 'name'>;
  onDone: () => void;
  disabled?: boolean;
}) {
  const { api } = useConsole();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiErrorBody>();
  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api.request('DELETE', `/v1/clusters/${encodeURIComponent(cluster.id)}`);
      setOpen(false);
      onDone();
    } catch (e) {
      setError(e instanceof ApiError ? e.error : { code: 'ERROR', message: String(e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button onClick={() => setOpen(true)} disabled={!!disabled} data-testid="delete">
        Delete
      </Button>
      <Modal
        visible={open}
        onDismiss={() => setOpen(false)}
        closeAriaLabel="Close"
        header={`Delete cluster ${cluster.name}?`}
        footer={
          <Box float="right">
            <SpaceBetween direction="horizontal" size="xs">
              <Button variant="link" onClick={() => setOpen(false)}>
                Cancel
              </Button>
              <Button variant="primary" loading={busy} onClick={() => void confirm()} data-testid="confirm-delete">
                Delete
              </Button>
            </SpaceBetween>
          </Box>
        }
      >
        <SpaceBetween size="m">
          <Box>
            The cluster's CloudFormation stack is deleted through role B: the control plane, the node group and their
            IAM roles. Workloads on it stop.
          </Box>
          {error && <DiagnosisAlert diagnosis={fromApiError(error)} testId="delete-diagnosis" />}
        </SpaceBetween>
      </Modal>
    </>
  );
}
