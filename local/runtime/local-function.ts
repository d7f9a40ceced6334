import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { FunctionName } from '../../functions/registry.js';
import { lambdaContext } from './lambda-context.js';

// A function as the gateway and the event sources see it: a name, an ARN and `invoke`. They import
// this module, never handlers.ts: that one loads every handler module and with it Powertools'
// logger, which reads POWERTOOLS_LOG_LEVEL once — before start.ts has set the hub's default.

export const LOCAL_ACCOUNT = '000000000000';

export interface LocalFunction {
  name: FunctionName;
  arn: string;
  invoke(event: unknown): Promise<unknown>;
}

export type LocalFunctions = ReadonlyMap<FunctionName, LocalFunction>;

export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

export function functionArn(name: FunctionName, region: string): string {
  return `arn:aws:lambda:${region}:${LOCAL_ACCOUNT}:function:${name}`;
}

/** Lambda serialises event and result: a Date or an `undefined` field must behave locally as in AWS. */
function jsonRoundTrip(value: unknown): unknown {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value));
}

/** One warm handler, like a reused execution environment, invoked the way the Lambda runtime does. */
export function localFunction(name: FunctionName, region: string, handler: LambdaHandler): LocalFunction {
  const arn = functionArn(name, region);
  return {
    name,
    arn,
    async invoke(event) {
      const result = await handler(jsonRoundTrip(event), lambdaContext(name, arn, randomUUID()));
      return jsonRoundTrip(result);
    },
  };
}

export function requireFunction(functions: LocalFunctions, name: FunctionName): LocalFunction {
  const fn = functions.get(name);
  if (!fn) throw new Error(`function ${name} is not loaded`);
  return fn;
}
