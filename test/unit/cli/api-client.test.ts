/** The command line's API client: a mistyped --api names the option and the expected shape. */
import { describe, expect, it } from 'vitest';
import { ApiClient } from '../../../cli/api-client.js';

describe('ApiClient', () => {
  it.each(['localhost:3000', 'not a url', '127.0.0.1'])(
    'refuses --api %j with a message naming --api and EKS_PROVISIONER_API',
    async (base) => {
      const err = await new ApiClient(base).get('/v1/setup').catch((e: unknown) => e as Error);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toContain('--api');
      expect((err as Error).message).toContain('EKS_PROVISIONER_API');
      expect((err as Error).message).not.toBe('Invalid URL');
    },
  );
});
