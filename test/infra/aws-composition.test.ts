import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsDeps } from '../../infra/aws/needs.ts';
import api from '../../functions/api/function.ts';
import { LocalTelemetry } from '../../infra/local/telemetry.ts';
import { DynamoStore } from '../../kernel/dynamo-store.ts';
import { SecretsManagerSecrets } from '../../kernel/aws/secrets-manager.ts';
import { Telemetry } from '../../kernel/telemetry.ts';

/**
 * The AWS composition root and the Secrets Manager adapter, run as on Lambda: the real SDK client,
 * pointed (AWS_ENDPOINT_URL_SECRETS_MANAGER, an SDK setting, not ours) at a local server that
 * speaks Secrets Manager's JSON protocol. A server rather than a mocked client: the request the SDK
 * really sends (target, body, the error shape it parses) is what is checked.
 */
const DAY = 24 * 3600 * 1000;
type Stored = { current: string; previous?: string; rotatedAt: number };
const secrets = new Map<string, Stored>();
const requests: { secretId: string; stage?: string }[] = [];
let server: Server;
const saved = { ...process.env };

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target']);
      const { SecretId, VersionStage } = JSON.parse(body) as { SecretId: string; VersionStage?: string };
      requests.push({ secretId: SecretId, ...(VersionStage ? { stage: VersionStage } : {}) });
      const secret = secrets.get(SecretId);
      const value = VersionStage === 'AWSPREVIOUS' ? secret?.previous : secret?.current;
      response.setHeader('content-type', 'application/x-amz-json-1.1');
      if (target !== 'secretsmanager.GetSecretValue' || !secret || value === undefined) {
        response
          .writeHead(400)
          .end(JSON.stringify({ __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." }));
        return;
      }
      response.writeHead(200).end(
        JSON.stringify({
          ARN: SecretId,
          Name: SecretId,
          SecretString: value,
          VersionStages: [VersionStage ?? 'AWSCURRENT'],
          CreatedDate: (VersionStage ? secret.rotatedAt - DAY : secret.rotatedAt) / 1000,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${port}`,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  });
});
afterAll(async () => {
  process.env = saved;
  await new Promise((resolve) => server.close(resolve));
});

describe('SecretsManagerSecrets against a server speaking the Secrets Manager protocol', () => {
  it('a secret rotated long ago: its current value only, one request', async () => {
    secrets.set('old', { current: 'c-old', previous: 'p-old', rotatedAt: Date.now() - 30 * DAY });
    requests.length = 0;
    expect(await new SecretsManagerSecrets().versions('old')).toEqual({ current: 'c-old' });
    expect(requests).toEqual([{ secretId: 'old' }]);
  });

  it('rotated within the 7-day grace: the previous value too; a secret with no AWSPREVIOUS has only its current', async () => {
    secrets.set('fresh', { current: 'c-new', previous: 'p-before', rotatedAt: Date.now() - DAY });
    secrets.set('first', { current: 'c-first', rotatedAt: Date.now() - DAY });
    requests.length = 0;
    const adapter = new SecretsManagerSecrets();
    expect(await adapter.versions('fresh')).toEqual({ current: 'c-new', previous: 'p-before' });
    expect(await adapter.versions('first')).toEqual({ current: 'c-first' });
    expect(requests).toEqual([
      { secretId: 'fresh' },
      { secretId: 'fresh', stage: 'AWSPREVIOUS' },
      { secretId: 'first' },
      { secretId: 'first', stage: 'AWSPREVIOUS' },
    ]);
    // Read again within five minutes: from the cache, no request.
    expect(await adapter.versions('fresh')).toEqual({ current: 'c-new', previous: 'p-before' });
    expect(requests).toHaveLength(4);
  });

  it('a secret that does not exist is an error, never an empty token', async () => {
    await expect(new SecretsManagerSecrets().versions('missing')).rejects.toThrow(
      expect.objectContaining({ name: 'ResourceNotFoundException' }),
    );
  });
});

describe('awsDeps: the composition root of a Lambda function', () => {
  const telemetry = new Telemetry(new LocalTelemetry('silent'));

  it("builds what the api function declares from the environment CDK gives it, lazily; the token's rotated-out value verifies too", async () => {
    secrets.set('arn:aws:secretsmanager:eu-west-1:123456789012:secret:api-token', {
      current: 'token-now',
      previous: 'token-before',
      rotatedAt: Date.now() - DAY,
    });
    requests.length = 0;
    const env = {
      TABLE_NAME: 'steward',
      API_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:api-token',
      BOOTSTRAP_TOKEN: 'off',
      INBOUND_ADDRESS: 'support@provider.test',
      FROM_ADDRESS: 'Steward <steward@provider.test>',
      PUBLIC_URL: 'https://steward.provider.test',
      STATE_MACHINE_ARNS: JSON.stringify({
        'issue-lifecycle': 'arn:aws:states:eu-west-1:123456789012:stateMachine:steward-issue-lifecycle',
      }),
    };
    const deps = awsDeps(api.needs, telemetry, env);
    expect(requests).toEqual([]); // nothing is read before it is used
    expect(deps.store).toBeInstanceOf(DynamoStore);
    expect(deps.store).toBe(deps.store); // made once
    expect(await deps.settings.apiTokens()).toEqual(['token-now', 'token-before']);
    expect(deps.settings.bootstrapTokenOff).toBe(true);
    expect(deps.settings.inboundAddress).toBe('support@provider.test');
    // A setting the function does not declare fails as a missing grant would.
    expect(() => deps.settings.unknownSender).toThrow('setting "unknownSender" is not declared in this function\'s needs');
    // A variable CDK did not set is named, not read as empty.
    const bare = awsDeps(api.needs, telemetry, {});
    expect(() => bare.settings.inboundAddress).toThrow(/INBOUND_ADDRESS/);
  });
});
