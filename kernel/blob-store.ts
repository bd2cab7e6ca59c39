/** Raw objects by key: inbound mail as SES's S3 action stores it (S3 on AWS, files in the data folder locally). */
export interface BlobStore {
  get(key: string): Promise<Buffer | undefined>;
  put(key: string, data: Buffer): Promise<void>;
}
