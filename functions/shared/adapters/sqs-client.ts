import { SQSClient } from '@aws-sdk/client-sqs';

// Created once per cold start and reused across invocations. The endpoint is only set for fauxqs
// (local mode and tests).

export interface SqsClientOptions {
  AWS_REGION: string;
  SQS_ENDPOINT?: string | undefined;
}

export function createSqsClient(options: SqsClientOptions): SQSClient {
  const endpoint = options.SQS_ENDPOINT;
  // fauxqs queue URLs name the host sqs.<region>.localhost, which does not resolve here; an
  // explicit endpoint makes the SDK send to the emulator whatever the queue URL says.
  return new SQSClient({
    region: options.AWS_REGION,
    ...(endpoint
      ? {
          endpoint,
          useQueueUrlAsEndpoint: false,
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }
      : {}),
  });
}
