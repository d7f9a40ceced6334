import { S3Client } from '@aws-sdk/client-s3';

// Created once per cold start. The endpoint is only set for fauxqs, which also serves S3 (local
// mode and tests); it answers path-style requests (http://127.0.0.1:port/bucket/key).

export interface S3ClientOptions {
  AWS_REGION: string;
  S3_ENDPOINT?: string | undefined;
}

export function createS3Client(options: S3ClientOptions): S3Client {
  const endpoint = options.S3_ENDPOINT;
  return new S3Client({
    region: options.AWS_REGION,
    ...(endpoint
      ? { endpoint, forcePathStyle: true, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  });
}
