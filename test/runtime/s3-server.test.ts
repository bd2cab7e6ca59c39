import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_S3_CREDENTIALS, startS3 } from '../../infra/local/s3-server.ts';
import { S3BlobStore } from '../../kernel/aws/s3-blob-store.ts';
import { freePort } from '../support/dynamodb.ts';

const dir = mkdtempSync(join(tmpdir(), 'steward-s3-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the local S3 API (s3rver)', () => {
  it('keeps objects through the same adapter as on AWS: put, get, delete; a missing key is undefined', async () => {
    const s3 = await startS3(await freePort(), join(dir, 'a'));
    try {
      const client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: LOCAL_S3_CREDENTIALS });
      const blobs = new S3BlobStore(s3.bucket, client);
      await blobs.put('inbound/m-1', Buffer.from('raw message'));
      expect((await blobs.get('inbound/m-1'))?.toString()).toBe('raw message');
      await blobs.delete('inbound/m-1');
      expect(await blobs.get('inbound/m-1')).toBeUndefined();
      await blobs.delete('inbound/m-1'); // as S3: deleting what is not there is no error
    } finally {
      await s3.stop();
    }
  });

  it('a port in use fails the start with EADDRINUSE (it does not hang or escape as an uncaught error)', async () => {
    const taken = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    try {
      await expect(startS3(port, join(dir, 'b'))).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      taken.close();
    }
  });
});
