/**
 * Runtime configuration. The deployed console finds `/config.json` next to index.html:
 *   { "apiUrl", "region", "userPoolId", "userPoolClientId", "identityPoolId" }
 * (written by the CDK stack at deploy time, so one build serves every stage). No config.json, or
 * `{ "mode": "local" }` (what the local stack serves), means local mode: the API is on this origin and the tenant is picked in the header.
 */
export interface AwsConsoleConfig {
  /** The REST API's invoke URL including the stage, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com/prod */
  apiUrl: string;
  region: string;
  userPoolId: string;
  userPoolClientId: string;
  identityPoolId: string;
}

export type ConsoleConfig = { mode: 'local'; apiUrl: string } | ({ mode: 'aws' } & AwsConsoleConfig);

const KEYS = ['apiUrl', 'region', 'userPoolId', 'userPoolClientId', 'identityPoolId'] as const;

/** Checks a parsed config.json; the message names the field and what it should look like. */
export function parseAwsConfig(doc: unknown): AwsConsoleConfig {
  if (!doc || typeof doc !== 'object')
    throw new Error(
      'config.json must be a JSON object with apiUrl, region, userPoolId, userPoolClientId and identityPoolId.',
    );
  const o = doc as Record<string, unknown>;
  for (const k of KEYS) {
    if (typeof o[k] !== 'string' || !(o[k] as string).trim())
      throw new Error(`config.json: "${k}" is missing or empty.`);
  }
  const c = Object.fromEntries(KEYS.map((k) => [k, (o[k] as string).trim()])) as unknown as AwsConsoleConfig;
  if (!/^https:\/\//.test(c.apiUrl))
    throw new Error(`config.json: "apiUrl" must be the API's https:// invoke URL (got "${c.apiUrl}").`);
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(c.region))
    throw new Error(`config.json: "region" must be an AWS region such as eu-west-1 (got "${c.region}").`);
  if (!c.userPoolId.startsWith(`${c.region}_`))
    throw new Error(`config.json: "userPoolId" must look like ${c.region}_AbCdEf123 (got "${c.userPoolId}").`);
  if (!c.identityPoolId.startsWith(`${c.region}:`))
    throw new Error(`config.json: "identityPoolId" must look like ${c.region}:<uuid> (got "${c.identityPoolId}").`);
  return c;
}

/** `origin`: the page's own origin (the local API's). No DOM use here, so Node tests can run it. */
export async function loadConfig(
  origin: string,
  fetchImpl: typeof fetch = (...a) => fetch(...a),
): Promise<ConsoleConfig> {
  const res = await fetchImpl(`${origin}/config.json`, { headers: { accept: 'application/json' } });
  if (res.status === 404) return { mode: 'local', apiUrl: origin };
  if (!res.ok) throw new Error(`Loading /config.json failed: ${res.status} ${res.statusText}.`);
  let doc: unknown;
  try {
    doc = await res.json();
  } catch {
    throw new Error('/config.json is not valid JSON.');
  }
  // The local stack serves { "mode": "local" }: same as no config.json, without a 404 on every load.
  if (doc && typeof doc === 'object' && (doc as { mode?: unknown }).mode === 'local')
    return { mode: 'local', apiUrl: origin };
  return { mode: 'aws', ...parseAwsConfig(doc) };
}
