/** Raw objects by key: inbound mail as SES's S3 action stores it (S3 on AWS, files in the data folder locally). */
export interface BlobStore {
  get(key: string): Promise<Buffer | undefined>;
  put(key: string, data: Buffer): Promise<void>;
  /** Removes the object; removing one that is not there is no error (as S3's DeleteObject). */
  delete(key: string): Promise<void>;
}
