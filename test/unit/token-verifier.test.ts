import { createServer } from 'node:net';
import { generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { TokenVerifier } from '../../modules/users/sign-in.ts';

/** Only an issuer whose keys cannot be read makes `verify` throw (the API answers 503); everything about the token itself is a refusal (401). */
describe('TokenVerifier: an unreachable issuer is not the caller’s fault', () => {
  const settings = { issuer: 'http://127.0.0.1:9/issuer', audiences: ['steward-console'] };
  const token = async () => {
    const { privateKey } = await generateKeyPair('RS256');
    return new SignJWT({ email: 'a@b.test', aud: 'steward-console', iss: settings.issuer, exp: Math.floor(Date.now() / 1000) + 60 })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .sign(privateKey);
  };

  it('a discovery document that cannot be fetched throws', async () => {
    const verifier = new TokenVerifier(settings, async () => {
      throw new TypeError('fetch failed');
    });
    await expect(verifier.verify(await token(), new Date())).rejects.toThrow('fetch failed');
  });

  it('a key set at an address where nothing answers throws', async () => {
    // A port that was just free: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const verifier = new TokenVerifier(settings, async () => ({ jwks_uri: `http://127.0.0.1:${port}/jwks` }));
    await expect(verifier.verify(await token(), new Date())).rejects.toThrow();
  });

  it('a token that is no JWT at all is refused, not thrown', async () => {
    const verifier = new TokenVerifier(settings, async () => {
      throw new TypeError('never asked');
    });
    expect(await verifier.verify('a.b.c', new Date())).toEqual({ refused: 'not a JWT' });
  });
});
