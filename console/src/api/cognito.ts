/**
 * AWS mode sign-in without an SDK: Cognito user pool (InitiateAuth USER_SRP_AUTH + PASSWORD_VERIFIER,
 * so the password never leaves the browser; NEW_PASSWORD_REQUIRED for admin-created users;
 * REFRESH_TOKEN_AUTH) and the identity pool
 * (GetId + GetCredentialsForIdentity) for temporary credentials whose role may only invoke the API.
 * These calls are unsigned JSON calls by design. Tokens stay in sessionStorage (this tab only);
 * credentials only in memory.
 */
import type { AwsConsoleConfig } from './config';
import type { TemporaryCredentials } from './sigv4';
import { passwordVerifierResponses, srpStart } from './srp';

const STORAGE_KEY = 'eks-provisioner.session';

interface Tokens {
  idToken: string;
  refreshToken?: string;
  /** ms since epoch */
  expiresAt: number;
  username: string;
}

export class CognitoError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'CognitoError';
  }
}

export type SignInResult = { kind: 'signed-in' } | { kind: 'new-password-required'; session: string; username: string };

async function call<T>(url: string, target: string, body: unknown): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
    body: JSON.stringify(body),
  });
  const doc = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    const code = String(doc['__type'] ?? `HTTP_${res.status}`)
      .split('#')
      .pop()!;
    throw new CognitoError(code, String(doc['message'] ?? doc['Message'] ?? `Cognito answered ${res.status}.`));
  }
  return doc as T;
}

export class CognitoSession {
  private tokens: Tokens | undefined;
  private creds: (TemporaryCredentials & { identityId: string }) | undefined;
  private inflight: Promise<TemporaryCredentials> | undefined;

  constructor(private readonly c: AwsConsoleConfig) {
    try {
      const raw = window.sessionStorage.getItem(STORAGE_KEY);
      if (raw) this.tokens = JSON.parse(raw) as Tokens;
    } catch {
      this.tokens = undefined;
    }
  }

  get signedIn(): boolean {
    return !!this.tokens;
  }

  get username(): string | undefined {
    return this.tokens?.username;
  }

  private get idpUrl() {
    return `https://cognito-idp.${this.c.region}.amazonaws.com/`;
  }

  private get identityUrl() {
    return `https://cognito-identity.${this.c.region}.amazonaws.com/`;
  }

  private store(t: Tokens | undefined) {
    this.tokens = t;
    this.creds = undefined;
    try {
      if (t) window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(t));
      else window.sessionStorage.removeItem(STORAGE_KEY);
    } catch {
      // Storage unavailable: the session lasts as long as the page.
    }
  }

  private accept(
    username: string,
    r: { AuthenticationResult?: { IdToken?: string; RefreshToken?: string; ExpiresIn?: number } },
    keepRefresh?: string,
  ) {
    const a = r.AuthenticationResult;
    if (!a?.IdToken) throw new CognitoError('NoToken', 'Cognito signed you in but returned no ID token.');
    const refresh = a.RefreshToken ?? keepRefresh;
    this.store({
      idToken: a.IdToken,
      ...(refresh ? { refreshToken: refresh } : {}),
      expiresAt: Date.now() + (a.ExpiresIn ?? 3600) * 1000,
      username,
    });
  }

  async signIn(username: string, password: string): Promise<SignInResult> {
    type AuthAnswer = {
      ChallengeName?: string;
      Session?: string;
      ChallengeParameters?: Record<string, string>;
      AuthenticationResult?: { IdToken?: string; RefreshToken?: string; ExpiresIn?: number };
    };
    const client = srpStart();
    const first = await call<AuthAnswer>(this.idpUrl, 'AWSCognitoIdentityProviderService.InitiateAuth', {
      AuthFlow: 'USER_SRP_AUTH',
      ClientId: this.c.userPoolClientId,
      AuthParameters: { USERNAME: username, SRP_A: client.A.toString(16) },
    });
    let r = first;
    // The user's id in the pool (the alias typed may be an email): what challenge answers must name.
    let challengeUser = username;
    if (first.ChallengeName === 'PASSWORD_VERIFIER') {
      const p = first.ChallengeParameters ?? {};
      if (!p['SALT'] || !p['SRP_B'] || !p['SECRET_BLOCK'] || !p['USER_ID_FOR_SRP'])
        throw new CognitoError('BadChallenge', 'Cognito sent an incomplete PASSWORD_VERIFIER challenge.');
      const responses = await passwordVerifierResponses({
        userPoolId: this.c.userPoolId,
        userIdForSrp: p['USER_ID_FOR_SRP'],
        saltHex: p['SALT'],
        srpBHex: p['SRP_B'],
        secretBlock: p['SECRET_BLOCK'],
        password,
        client,
      });
      r = await call<AuthAnswer>(this.idpUrl, 'AWSCognitoIdentityProviderService.RespondToAuthChallenge', {
        ChallengeName: 'PASSWORD_VERIFIER',
        ClientId: this.c.userPoolClientId,
        ChallengeResponses: responses,
        ...(first.Session ? { Session: first.Session } : {}),
      });
      challengeUser = p['USER_ID_FOR_SRP'];
    }
    if (r.ChallengeName === 'NEW_PASSWORD_REQUIRED' && r.Session)
      return { kind: 'new-password-required', session: r.Session, username: challengeUser };
    if (r.ChallengeName)
      throw new CognitoError(
        r.ChallengeName,
        `Cognito asks for ${r.ChallengeName} (e.g. MFA), which this console does not support yet; ask an administrator to adjust your user.`,
      );
    this.accept(username, r);
    return { kind: 'signed-in' };
  }

  async completeNewPassword(username: string, session: string, newPassword: string): Promise<void> {
    const r = await call<{ AuthenticationResult?: { IdToken?: string; RefreshToken?: string; ExpiresIn?: number } }>(
      this.idpUrl,
      'AWSCognitoIdentityProviderService.RespondToAuthChallenge',
      {
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        ClientId: this.c.userPoolClientId,
        Session: session,
        ChallengeResponses: { USERNAME: username, NEW_PASSWORD: newPassword },
      },
    );
    this.accept(username, r);
  }

  signOut(): void {
    this.store(undefined);
  }

  private async idToken(): Promise<string> {
    const t = this.tokens;
    if (!t) throw new CognitoError('NotSignedIn', 'Sign in first.');
    if (t.expiresAt - 60_000 > Date.now()) return t.idToken;
    if (!t.refreshToken) {
      this.signOut();
      throw new CognitoError('SessionExpired', 'Your session expired; sign in again.');
    }
    try {
      const r = await call<{ AuthenticationResult?: { IdToken?: string; ExpiresIn?: number } }>(
        this.idpUrl,
        'AWSCognitoIdentityProviderService.InitiateAuth',
        {
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          ClientId: this.c.userPoolClientId,
          AuthParameters: { REFRESH_TOKEN: t.refreshToken },
        },
      );
      this.accept(t.username, r, t.refreshToken);
      return this.tokens!.idToken;
    } catch (e) {
      this.signOut();
      throw e;
    }
  }

  /** Temporary credentials of the identity pool's authenticated role, refreshed 5 minutes before they expire. */
  credentials = (): Promise<TemporaryCredentials> => {
    const c = this.creds;
    if (c && (!c.expiration || c.expiration.getTime() - 300_000 > Date.now())) return Promise.resolve(c);
    this.inflight ??= this.fetchCredentials().finally(() => (this.inflight = undefined));
    return this.inflight;
  };

  private async fetchCredentials(): Promise<TemporaryCredentials> {
    const idToken = await this.idToken();
    const logins = { [`cognito-idp.${this.c.region}.amazonaws.com/${this.c.userPoolId}`]: idToken };
    const { IdentityId } = await call<{ IdentityId: string }>(this.identityUrl, 'AWSCognitoIdentityService.GetId', {
      IdentityPoolId: this.c.identityPoolId,
      Logins: logins,
    });
    const r = await call<{
      Credentials?: { AccessKeyId: string; SecretKey: string; SessionToken: string; Expiration: number };
    }>(this.identityUrl, 'AWSCognitoIdentityService.GetCredentialsForIdentity', { IdentityId, Logins: logins });
    const k = r.Credentials;
    if (!k) throw new CognitoError('NoCredentials', 'The identity pool returned no credentials.');
    this.creds = {
      identityId: IdentityId,
      accessKeyId: k.AccessKeyId,
      secretAccessKey: k.SecretKey,
      sessionToken: k.SessionToken,
      expiration: new Date(k.Expiration * 1000),
    };
    return this.creds;
  }
}
