import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { cachedFor, ROTATION_GRACE_MS, SECRET_TTL_MS, type SecretVersions } from '../secrets.ts';

/**
 * Secrets Manager secrets as a function reads them: AWSCURRENT, and AWSPREVIOUS while the current
 * version is younger than the rotation grace period; read again every few minutes, so a rotation
 * reaches running containers without a deploy.
 */
export class SecretsManagerSecrets {
  private readonly read = new Map<string, () => Promise<SecretVersions>>();
  private client?: SecretsManagerClient;

  versions(secretId: string): Promise<SecretVersions> {
    let reader = this.read.get(secretId);
    if (!reader) {
      reader = cachedFor(SECRET_TTL_MS, () => this.load(secretId));
      this.read.set(secretId, reader);
    }
    return reader();
  }

  private async load(secretId: string): Promise<SecretVersions> {
    this.client ??= new SecretsManagerClient({});
    const current = await this.client.send(new GetSecretValueCommand({ SecretId: secretId }));
    const rotatedAt = current.CreatedDate?.getTime() ?? 0;
    if (Date.now() - rotatedAt >= ROTATION_GRACE_MS) return { current: current.SecretString ?? '' };
    try {
      const previous = await this.client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: 'AWSPREVIOUS' }));
      return { current: current.SecretString ?? '', previous: previous.SecretString };
    } catch (error) {
      // A secret never rotated has no AWSPREVIOUS.
      if ((error as Error).name === 'ResourceNotFoundException') return { current: current.SecretString ?? '' };
      throw error;
    }
  }
}
