import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { FUNCTION_NAMES, type FunctionName } from '../functions/registry.js';
import type { EnvSource } from '../functions/shared/env.js';
import { HANDLER_FACTORIES } from './handlers.js';

// Plays the part of the Lambda runtime for the real handlers: one handler per function (warm, like
// a reused execution environment), a Context object, and a JSON round trip of event and result,
// because Lambda serialises both — a handler that returns a Date or `undefined` fields must behave
// locally as it does in AWS.

export const LOCAL_ACCOUNT = '000000000000';

/** Lambda's own default; the CDK stack may set others, which local mode does not enforce. */
const DEFAULT_TIMEOUT_MS = 30_000;

export interface LocalFunction {
  name: FunctionName;
  arn: string;
  invoke(event: unknown): Promise<unknown>;
}

export type LocalFunctions = ReadonlyMap<FunctionName, LocalFunction>;

function lambdaContext(name: FunctionName, arn: string, requestId: string): Context {
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

function jsonRoundTrip(value: unknown): unknown {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value));
}

/**
 * Builds every function from `env`, as a cold start would: a bad environment fails here, for the
 * whole hub, as a failed cold start fails every invocation.
 */
export function loadFunctions(env: EnvSource, region: string): LocalFunctions {
  const functions = new Map<FunctionName, LocalFunction>();
  for (const name of FUNCTION_NAMES) {
    const arn = `arn:aws:lambda:${region}:${LOCAL_ACCOUNT}:function:${name}`;
    const handler = HANDLER_FACTORIES[name](env) as (event: unknown, context: Context) => Promise<unknown>;
    functions.set(name, {
      name,
      arn,
      async invoke(event) {
        const result = await handler(jsonRoundTrip(event), lambdaContext(name, arn, randomUUID()));
        return jsonRoundTrip(result);
      },
    });
  }
  return functions;
}

export function requireFunction(functions: LocalFunctions, name: FunctionName): LocalFunction {
  const fn = functions.get(name);
  if (!fn) throw new Error(`function ${name} is not loaded`);
  return fn;
}
