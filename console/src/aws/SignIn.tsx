/** Cognito user-pool sign-in (and the first-time new password admin-created users must set). */
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useState } from 'react';
import type { CognitoSession } from '../api/cognito';

export default function SignIn({ session, onSignedIn }: { session: CognitoSession; onSignedIn: () => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [challenge, setChallenge] = useState<{ session: string; username: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      if (challenge) {
        await session.completeNewPassword(challenge.username, challenge.session, newPassword);
        onSignedIn();
        return;
      }
      const r = await session.signIn(username.trim(), password);
      if (r.kind === 'new-password-required') setChallenge({ session: r.session, username: r.username });
      else onSignedIn();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main>
      <Box padding="xxl">
        <div style={{ maxWidth: 480, margin: '0 auto' }}>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void submit();
            }}
          >
            <Form
              actions={
                <Button variant="primary" loading={busy} formAction="submit">
                  {challenge ? 'Set password and sign in' : 'Sign in'}
                </Button>
              }
            >
              <Container header={<Header variant="h1">Sign in to eks-provisioner</Header>}>
                <SpaceBetween size="m">
                  {!challenge ? (
                    <>
                      <FormField label="User name or email">
                        <Input
                          value={username}
                          onChange={({ detail }) => setUsername(detail.value)}
                          autoComplete="username"
                          autoFocus
                        />
                      </FormField>
                      <FormField label="Password">
                        <Input
                          type="password"
                          value={password}
                          onChange={({ detail }) => setPassword(detail.value)}
                          autoComplete="current-password"
                        />
                      </FormField>
                    </>
                  ) : (
                    <FormField
                      label="New password"
                      description="Your administrator created this account; choose your own password."
                    >
                      <Input
                        type="password"
                        value={newPassword}
                        onChange={({ detail }) => setNewPassword(detail.value)}
                        autoComplete="new-password"
                        autoFocus
                      />
                    </FormField>
                  )}
                  {error && <Alert type="error">{error}</Alert>}
                </SpaceBetween>
              </Container>
            </Form>
          </form>
        </div>
      </Box>
    </main>
  );
}
