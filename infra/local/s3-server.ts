import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
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
  const server = new S3rver({
    address: '127.0.0.1',
    port,
    directory,
    silent: true,
    configureBuckets: [{ name: LOCAL_MAIL_BUCKET, configs: [] }],
  });
  const { port: bound } = (await server.run()) as { port: number };
  return {
    endpoint: `http://127.0.0.1:${bound}`,
    bucket: LOCAL_MAIL_BUCKET,
    stop: async () => {
      const http = (server as unknown as { httpServer?: Server }).httpServer;
      http?.closeAllConnections();
      await server.close();
    },
  };
}
