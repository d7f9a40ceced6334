import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { packBuildTimeValue } from '../../functions/shared/build-time-values.js';
import type { FunctionDeclaration } from '../../functions/shared/declarations.js';
import { BUILD_TIME_KEYS, type EnvKey } from '../../functions/shared/env.js';
import { BUNDLING, NODE_OPTIONS } from '../bundling.js';
import { LOG_RETENTION } from '../settings.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The values the stacks can offer; each function gets only the keys its declaration names. */
export type EnvironmentValues = Partial<Record<EnvKey, string>>;

/**
 * Keys never set as Lambda environment variables:
 * - PSEUDONYM_KEY, PUPIL_DATA_KEY: local mode only; in AWS the keys stay in Secrets Manager
 *   (PSEUDONYM_SECRET_ARN) and KMS (PUPIL_DATA_KEY_ARN).
 * - AUDIT_EXPORT_SETTLE_SECONDS: local mode only; in AWS an export keeps its default margin.
 * - BUILD_TIME_KEYS (the deployment config, the OpenAPI document): Lambda caps all variables
 *   together at 4 KB and these exceed it, so they are compiled into the bundle (`define` below).
 */
const LOCAL_ONLY: ReadonlySet<EnvKey> = new Set<EnvKey>([
  'PSEUDONYM_KEY',
  'PUPIL_DATA_KEY',
  'AUDIT_EXPORT_SETTLE_SECONDS',
]);
const BUILD_TIME: ReadonlySet<EnvKey> = new Set<EnvKey>(BUILD_TIME_KEYS);

export interface HouseFunctionProps {
  declaration: FunctionDeclaration;
  values: EnvironmentValues;
}

/**
 * A Lambda function of functions/<name>/handler.ts with the house defaults: Node.js 24 on Graviton,
 * active tracing, its own log group and its own role (so it can only write its own logs).
 */
export class HouseFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: HouseFunctionProps) {
    super(scope, id);
    const spec = props.declaration;
    const environment: Record<string, string> = { POWERTOOLS_SERVICE_NAME: 'schakel' };
    if (NODE_OPTIONS) environment.NODE_OPTIONS = NODE_OPTIONS;
    const define: Record<string, string> = {};
    for (const key of spec.environment) {
      if (LOCAL_ONLY.has(key)) continue;
      const value = props.values[key];
      if (value === undefined)
        throw new Error(`${spec.name} needs ${key}, but the stack offers no value for it`);
      // esbuild replaces the expression `process.env.KEY` with this JavaScript string literal.
      if (BUILD_TIME.has(key)) define[`process.env.${key}`] = JSON.stringify(packBuildTimeValue(value));
      else environment[key] = value;
    }

    this.logGroup = new LogGroup(this, 'Logs', { retention: LOG_RETENTION });
    // An own role instead of the default one with AWSLambdaBasicExecutionRole, which may write to
    // every log group in the account.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Schakel ${spec.name}`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      // lambda.ts binds the handler to production dependencies; handler.ts itself reads no environment.
      entry: join(REPO_ROOT, 'functions', spec.name, 'lambda.ts'),
      handler: 'handler',
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      projectRoot: REPO_ROOT,
      description: spec.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      timeout: Duration.seconds(spec.timeoutSeconds),
      memorySize: spec.memoryMb,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      tracing: Tracing.ACTIVE,
      environment,
      bundling: {
        ...BUNDLING,
        format: OutputFormat.ESM,
        mainFields: [...BUNDLING.mainFields],
        define,
        logLevel: LogLevel.WARNING,
      },
    });

    const asynchronous =
      spec.trigger.kind === 'schedule'
        ? 'Invoked asynchronously by its schedule only, with an event that carries no work: a failed ' +
          'run is retried by Lambda, and the next scheduled run does whatever is left.'
        : 'Never invoked asynchronously: API Gateway invokes synchronously, and event source ' +
          'mappings keep failed records in the SQS dead-letter queue or the stream on-failure queue.';
    Validations.of(this).acknowledge(
      { id: 'Serverless-LambdaDLQ', reason: asynchronous },
      { id: 'Serverless-LambdaAsyncFailureDestination', reason: `${asynchronous} (Serverless-LambdaDLQ)` },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray PutTraceSegments/PutTelemetryRecords (and, for the stream consumer, ' +
          'dynamodb:ListStreams) support no resource-level permissions.',
      },
    );
  }
}
