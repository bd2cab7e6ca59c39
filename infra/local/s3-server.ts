import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import S3rver from '@20minutes/s3rver';

/** The inbound mail bucket's name in the embedded runtime (CDK names the real one). */
export const LOCAL_MAIL_BUCKET = 'steward-inbound-mail';

/** s3rver checks request signatures against its one built-in key pair. */
export const LOCAL_S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface LocalS3 {
  endpoint: string;
  bucket: string;
  stop(): Promise<void>;
}

/**
 * The S3 API locally: s3rver (the maintained @20minutes fork) on 127.0.0.1, objects kept as files in
 * `directory`, with the inbound mail bucket made at start. The functions reach it through the same
 * @aws-sdk/client-s3 adapter as on AWS (path-style addressing).
 */
export async function startS3(port: number, directory: string): Promise<LocalS3> {
  mkdirSync(directory, { recursive: true });
  const app = new S3rver({ directory, silent: true, configureBuckets: [{ name: LOCAL_MAIL_BUCKET, configs: [] }] });
  await app.configureBuckets();
  // Our own listener rather than s3rver's run(): a port in use must fail the start, not escape as an uncaught error.
  const server = createServer(app.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bucket: LOCAL_MAIL_BUCKET,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
