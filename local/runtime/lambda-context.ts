import type { Context } from 'aws-lambda';

/** Lambda's own default; the CDK stack may set others, which local mode does not enforce. */
const DEFAULT_TIMEOUT_MS = 30_000;

/** The Context the nodejs24.x runtime hands a handler, for one invocation. */
export function lambdaContext(name: string, arn: string, requestId: string): Context {
  const deadline = Date.now() + DEFAULT_TIMEOUT_MS;
  const unsupported = () => {
    throw new Error('callback-style completion is not supported by the nodejs24.x runtime');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: arn,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: `local/[$LATEST]${requestId.replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
