import { fromEnv } from '@aws-sdk/credential-provider-env';
import { fromHttp } from '@aws-sdk/credential-provider-http';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { chain, memoize } from '@smithy/core/config';

const REFRESH_BEFORE_EXPIRY_MS = 5 * 60 * 1000;

/**
 * Stands in for `@aws-sdk/credential-provider-node` in Lambda bundles. Lambda hands a function its
 * role's credentials in environment variables (or, on managed instances, a container credentials
 * endpoint), so the default chain's SSO, INI, process and web-identity providers are dead code:
 * about 90 KB of every bundle and its compile time on each cold start.
 */
export const defaultProvider = (init: Parameters<typeof fromEnv>[0] & Parameters<typeof fromHttp>[0] = {}): AwsCredentialIdentityProvider =>
  memoize(
    // fromHttp throws at once when no endpoint is configured: build it only when the chain gets there.
    chain(fromEnv(init), () => fromHttp(init)()),
    (credentials: AwsCredentialIdentity) =>
      credentials.expiration !== undefined && credentials.expiration.getTime() - Date.now() < REFRESH_BEFORE_EXPIRY_MS,
    (credentials: AwsCredentialIdentity) => credentials.expiration !== undefined,
  );
