import { describe, expect, it } from 'vitest';
import { signInFromEnv } from '../../infra/aws/needs.ts';
import { looksLikeJwt } from '../../modules/users/sign-in.ts';

describe('sign-in settings on AWS (the environment CDK passes)', () => {
  it('the issuer, its client ids, the email claim and the first admin; nothing without an issuer', () => {
    expect(signInFromEnv({})).toBeUndefined();
    expect(
      signInFromEnv({
        OIDC_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc',
        OIDC_AUDIENCES: 'client-1, client-2',
        ADMIN_EMAIL: 'ops@example.com',
      }),
    ).toEqual({
      issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc',
      audiences: ['client-1', 'client-2'],
      adminEmail: 'ops@example.com',
    });
    expect(signInFromEnv({ OIDC_ISSUER: 'https://x.test', OIDC_AUDIENCES: 'a', OIDC_EMAIL_CLAIM: 'upn' })?.emailClaim).toBe('upn');
    expect(() => signInFromEnv({ OIDC_ISSUER: 'https://x.test' })).toThrow('OIDC_AUDIENCES names no client id');
  });

  it('which bearer tokens are taken for JWTs (the rest are personal or bootstrap tokens)', () => {
    expect(looksLikeJwt('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln')).toBe(true);
    expect(looksLikeJwt('eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.')).toBe(true); // unsigned: checked, then refused
    for (const token of ['stw.usr_0.tok_0.secret', 'test-token', 'eyJ.only-two', 'eyJa.b.c.d', 'eyJ a.b.c'])
      expect(looksLikeJwt(token)).toBe(false);
  });
});
