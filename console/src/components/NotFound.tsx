/** A page or cluster that is not there: said plainly, with the way back (never a bare error code). */
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useConsole } from '../api/context';

export default function NotFound({ path, what = 'page' }: { path: string; what?: 'page' | 'cluster' }) {
  const { navigate } = useConsole();
  return (
    <Container
      header={<Header variant="h1">{what === 'cluster' ? 'Cluster not found' : 'Page not found'}</Header>}
      data-testid="not-found"
    >
      <SpaceBetween size="m">
        <Box variant="p">
          {what === 'cluster'
            ? `There is no cluster ${path} for this tenant. It may belong to another tenant, or the link is wrong.`
            : `There is no page at ${path}.`}
        </Box>
        <SpaceBetween direction="horizontal" size="xs">
          <Button onClick={() => navigate('/clusters')}>All clusters</Button>
          <Button variant="primary" onClick={() => navigate('/')}>
            Create cluster
          </Button>
        </SpaceBetween>
      </SpaceBetween>
    </Container>
  );
}
