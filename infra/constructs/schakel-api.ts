import type { Duration } from 'aws-cdk-lib';
import { Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  IdentitySource,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  type MethodOptions,
  RequestAuthorizer,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { OPERATIONS } from '../../functions/registry.js';
import {
  GATEWAY_PROBLEMS,
  type GatewayResponseKind,
  gatewayProblemBody,
  PROBLEM_CONTENT_TYPE,
  STANDARD_HEADERS,
} from '../../functions/shared/http/gateway-responses.js';
import { API_THROTTLING, LOG_RETENTION } from '../settings.js';

export interface SchakelApiProps {
  deployment: string;
  /** The functions that serve the registered operations, by function name. */
  integrations: Readonly<Record<string, IFunction>>;
  authorizer: IFunction;
  /** How long API Gateway keeps an authorizer decision per API key. */
  authorizerCacheTtl: Duration;
}

/** Stage name; the version lives in the path (/v1/…) as the API Design Rules require. */
export const STAGE_NAME = 'live';

// Request metadata only: no query strings, no bodies, and resourcePath (/v1/signals/{id}) rather
// than the concrete path. API Gateway's access log never contains request bodies.
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTimeEpoch',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  principalId: '$context.authorizer.principalId',
  errorType: '$context.error.responseType',
  sourceIp: '$context.identity.sourceIp',
  xrayTraceId: '$context.xrayTraceId',
};

/** Header values of a gateway response are mapping expressions: literals need single quotes. */
function literal(value: string): string {
  if (value.includes("'")) throw new Error(`gateway response header value may not contain a quote: ${value}`);
  return `'${value}'`;
}

/**
 * The REST API (v1, not an HTTP API: only REST APIs have gateway responses, which make the errors
 * API Gateway produces itself problem+json with API-Version too).
 */
export class SchakelApi extends Construct {
  readonly restApi: RestApi;

  constructor(scope: Construct, id: string, props: SchakelApiProps) {
    super(scope, id);
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: LOG_RETENTION });

    this.restApi = new RestApi(this, 'RestApi', {
      restApiName: `schakel-${props.deployment}`,
      description: 'Schakel: signals from schools to youth-care access teams',
      // Regional: clients are Dutch systems, and mutual TLS on a custom domain needs a regional API.
      endpointTypes: [EndpointType.REGIONAL],
      // Execution logging (below) needs the account-level CloudWatch role.
      cloudWatchRole: true,
      deployOptions: {
        stageName: STAGE_NAME,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
        tracingEnabled: true,
        // Data tracing would write full request and response bodies, i.e. pupil data (BSN, names),
        // to CloudWatch: invariant 4 forbids that.
        dataTraceEnabled: false,
        loggingLevel: MethodLoggingLevel.ERROR,
        metricsEnabled: true,
        throttlingRateLimit: API_THROTTLING.rateLimit,
        throttlingBurstLimit: API_THROTTLING.burstLimit,
      },
    });

    const authorizer = new RequestAuthorizer(this, 'Authorizer', {
      handler: props.authorizer,
      identitySources: [IdentitySource.header('Authorization')],
      resultsCacheTtl: props.authorizerCacheTtl,
    });

    const integrations = new Map<string, LambdaIntegration>();
    const integrationFor = (name: string): LambdaIntegration => {
      const fn = props.integrations[name];
      if (!fn) throw new Error(`API route needs function ${name}, but it was not passed to SchakelApi`);
      let integration = integrations.get(name);
      if (!integration) {
        // allowTestInvoke: false halves the Lambda permissions (one per method instead of two).
        integration = new LambdaIntegration(fn, { allowTestInvoke: false });
        integrations.set(name, integration);
      }
      return integration;
    };

    // Every declared operation becomes a method of its function; nothing else is routed.
    for (const operation of OPERATIONS) {
      const { spec } = operation;
      const isPublic = spec.roles === 'public';
      const options: MethodOptions = {
        operationName: operation.operationId,
        ...(isPublic
          ? { authorizationType: AuthorizationType.NONE }
          : { authorizationType: AuthorizationType.CUSTOM, authorizer }),
      };
      const method = this.restApi.root
        .resourceForPath(spec.path)
        .addMethod(spec.method, integrationFor(operation.function), options);
      if (isPublic) {
        Validations.of(method).acknowledge(
          {
            id: 'AwsSolutions-APIG4',
            reason: 'The OpenAPI document is public by design (API Design Rules).',
          },
          { id: 'AwsSolutions-COG4', reason: 'The OpenAPI document is public by design (API Design Rules).' },
        );
      }
    }

    for (const kind of Object.keys(GATEWAY_PROBLEMS) as GatewayResponseKind[]) {
      const body = gatewayProblemBody(kind);
      // Gateway response templates substitute $context variables; a literal $ would be read as one.
      if (body.includes('$')) throw new Error(`gateway response body for ${kind} may not contain '$'`);
      const headers: Record<string, string> = { 'Content-Type': literal(PROBLEM_CONTENT_TYPE) };
      for (const [name, value] of Object.entries(STANDARD_HEADERS)) headers[name] = literal(value);
      this.restApi.addGatewayResponse(`Problem-${kind}`, {
        type: ResponseType.of(kind),
        statusCode: String(GATEWAY_PROBLEMS[kind].status),
        responseHeaders: headers,
        templates: { 'application/json': body, [PROBLEM_CONTENT_TYPE]: body },
      });
    }

    Validations.of(this).acknowledge(
      {
        id: 'AwsSolutions-COG4',
        reason:
          'Clients are machines (student tracking systems, team consumers) with API keys checked by ' +
          'the authorize-client REQUEST authorizer, and PKIoverheid mutual TLS in production; ' +
          'there are no Cognito users.',
      },
      {
        id: 'AwsSolutions-APIG2',
        reason:
          'Every handler validates its request with the shared zod schemas and answers 400 with ' +
          'problem+json listing invalidParams; a gateway validator would answer in another format.',
      },
      {
        id: 'AwsSolutions-APIG3',
        reason:
          'No WAF web ACL in this stack: all clients are authenticated machines and the stage is ' +
          'throttled; operators attach a web ACL per account baseline when the region requires it.',
      },
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason: 'The AWS-documented policy for the account-wide API Gateway CloudWatch role.',
      },
    );
  }
}
