import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { FUNCTIONS, type FunctionName } from '../functions/catalog.js';

// Plays the part of the Lambda runtime for the real handler modules: one module instance per
// function (warm, like a reused execution environment), a Context object, and a JSON round trip of
// event and result, because Lambda serialises both — a handler that returns a Date or `undefined`
// fields must behave locally as it does in AWS.

export const LOCAL_ACCOUNT = '000000000000';

/** Lambda's own default; the CDK stack may set others, which local mode does not enforce. */
const DEFAULT_TIMEOUT_MS = 30_000;

export interface LocalFunction {
  name: FunctionName;
  arn: string;
  invoke(event: unknown): Promise<unknown>;
}

export type LocalFunctions = ReadonlyMap<FunctionName, LocalFunction>;

export class MissingHandlerError extends Error {
  override name = 'MissingHandlerError';
}

type HandlerFunction = (event: unknown, context: Context) => unknown;

function isHandlerFunction(value: unknown): value is HandlerFunction {
  return typeof value === 'function';
}

export function handlerPath(root: string, name: FunctionName): string {
  return join(root, 'functions', name, 'handler.ts');
}

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
 * Imports every handler module once. Call only after process.env holds the functions'
 * configuration: handlers read it at cold start. A handler file that does not exist yet is
 * reported in `missing` and answers every invocation with MissingHandlerError, so the rest of the
 * hub still runs while it is being written; any other import failure (a bad environment, a syntax
 * error) stops the start, as a failed cold start would fail every invocation.
 */
export async function loadFunctions(
  root: string,
  region: string,
): Promise<{ functions: LocalFunctions; missing: FunctionName[] }> {
  const functions = new Map<FunctionName, LocalFunction>();
  const missing: FunctionName[] = [];
  for (const name of Object.keys(FUNCTIONS) as FunctionName[]) {
    const arn = `arn:aws:lambda:${region}:${LOCAL_ACCOUNT}:function:${name}`;
    const path = handlerPath(root, name);
    if (!existsSync(path)) {
      missing.push(name);
      functions.set(name, {
        name,
        arn,
        invoke: () => Promise.reject(new MissingHandlerError(`functions/${name}/handler.ts does not exist`)),
      });
      continue;
    }
    const module: Record<string, unknown> = await import(pathToFileURL(path).href);
    const handler = module.handler;
    if (!isHandlerFunction(handler)) {
      throw new Error(`functions/${name}/handler.ts does not export a function named handler`);
    }
    functions.set(name, {
      name,
      arn,
      async invoke(event) {
        const result = await handler(jsonRoundTrip(event), lambdaContext(name, arn, randomUUID()));
        return jsonRoundTrip(result);
      },
    });
  }
  return { functions, missing };
}

export function requireFunction(functions: LocalFunctions, name: FunctionName): LocalFunction {
  const fn = functions.get(name);
  if (!fn) throw new Error(`function ${name} is not loaded`);
  return fn;
}
