import { describe, expect, it } from 'vitest';
import { FUNCTION_NAMES, FUNCTIONS, type FunctionName, OPERATIONS } from '../../functions/registry.js';
import { BUILD_TIME_KEYS } from '../../functions/shared/env.js';
import {
  GATEWAY_PROBLEMS,
  type GatewayResponseKind,
  gatewayProblemBody,
  STANDARD_HEADERS,
} from '../../functions/shared/http/gateway-responses.js';
import { LOG_RETENTION } from '../../infra/settings.js';
import { exportName } from '../../infra/stateful-stack.js';
import { asArray, demoConfig, propertiesOf, resourcesOfType, synthesize } from './support.js';

const config = demoConfig();
const { templates, stateless: statelessStack } = synthesize(config);
const stateless = templates.stateless;
const resources = stateless.toJSON().Resources as Record<
  string,
  { Type: string; Properties: Record<string, unknown> }
>;

type Json = Record<string, unknown>;

/** The AWS::Lambda::Function of a declared function, found by the construct path of its HouseFunction. */
function lambdaOf(name: FunctionName): Json {
  const fn = statelessStack.functions[name].function;
  const logicalId = statelessStack.getLogicalId(fn.node.defaultChild as never);
  const resource = resources[logicalId];
  if (!resource) throw new Error(`no function resource for ${name}`);
  return resource.Properties;
}

function environmentOf(name: FunctionName): Record<string, unknown> {
  return ((lambdaOf(name).Environment as Json | undefined)?.Variables ?? {}) as Record<string, unknown>;
}

const functionNames = [...FUNCTION_NAMES];

/** One API Gateway method per declared operation. */
const API_ROUTES = OPERATIONS.map((o) => ({
  method: o.spec.method,
  path: o.spec.path,
  function: o.function,
  authorized: o.spec.roles !== 'public',
}));

describe('stateless stack', () => {
  describe('functions', () => {
    it('creates exactly one Lambda function per declared function', () => {
      stateless.resourceCountIs('AWS::Lambda::Function', functionNames.length);
    });

    it('runs every Lambda function on nodejs24.x, arm64, with active tracing', () => {
      for (const [id, fn] of resourcesOfType(stateless, 'AWS::Lambda::Function')) {
        const p = propertiesOf(fn);
        expect(p.Runtime, id).toBe('nodejs24.x');
        expect(p.Architectures, id).toEqual(['arm64']);
        expect(p.TracingConfig, id).toEqual({ Mode: 'Active' });
      }
    });

    it.each(functionNames)('gives %s its declared description, timeout, memory and handler', (name) => {
      const p = lambdaOf(name);
      expect(p.Description).toBe(FUNCTIONS[name].description);
      expect(p.Timeout).toBe(FUNCTIONS[name].timeoutSeconds);
      expect(p.MemorySize).toBe(FUNCTIONS[name].memoryMb);
      expect(p.Handler).toBe('index.handler');
    });

    it.each(functionNames)('logs %s to its own log group with retention', (name) => {
      const logGroup = (lambdaOf(name).LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(resources[logGroup]?.Type).toBe('AWS::Logs::LogGroup');
      expect(resources[logGroup]?.Properties.RetentionInDays).toBe(LOG_RETENTION);
    });

    it.each(functionNames)('sets exactly the AWS environment variables %s declares', (name) => {
      const buildTime: readonly string[] = BUILD_TIME_KEYS;
      const expected = FUNCTIONS[name].environment.filter(
        (key) =>
          key !== 'PSEUDONYM_KEY' &&
          key !== 'PUPIL_DATA_KEY' &&
          key !== 'AUDIT_EXPORT_SETTLE_SECONDS' &&
          !buildTime.includes(key),
      );
      const keys = Object.keys(environmentOf(name)).filter(
        (key) => key !== 'NODE_OPTIONS' && key !== 'POWERTOOLS_SERVICE_NAME',
      );
      expect(keys.sort()).toEqual([...expected].sort());
      // --enable-source-maps costs cold-start time (npm run bench); the maps stay in the asset.
      expect(environmentOf(name)).not.toHaveProperty('NODE_OPTIONS');
    });

    it('does not pass the deployment config to route-signal as an environment variable', () => {
      expect(FUNCTIONS['route-signal'].environment).toContain('SCHAKEL_DEPLOYMENT_CONFIG');
      expect(environmentOf('route-signal')).not.toHaveProperty('SCHAKEL_DEPLOYMENT_CONFIG');
      for (const name of functionNames) {
        expect(environmentOf(name), name).not.toHaveProperty('SCHAKEL_DEPLOYMENT_CONFIG');
        expect(environmentOf(name), name).not.toHaveProperty('PSEUDONYM_KEY');
      }
    });

    it('points receive-signal at the pseudonym secret and the intake queue of the stateful stack', () => {
      expect(environmentOf('receive-signal')).toMatchObject({
        PSEUDONYM_SECRET_ARN: { 'Fn::ImportValue': exportName(config.deployment, 'pseudonymSecretArn') },
        INTAKE_QUEUE_URL: { 'Fn::ImportValue': exportName(config.deployment, 'intakeQueueUrl') },
        DEPLOYMENT_NAME: config.deployment,
      });
    });
  });

  describe('event sources', () => {
    const mappings = resourcesOfType(stateless, 'AWS::Lambda::EventSourceMapping').map(([, m]) =>
      propertiesOf(m),
    );
    const fromImport = (m: Json) => (m.EventSourceArn as { 'Fn::ImportValue'?: string })['Fn::ImportValue'];
    const intake = mappings.find((m) => fromImport(m) === exportName(config.deployment, 'intakeQueueArn'));
    const stream = mappings.find(
      (m) => fromImport(m) === exportName(config.deployment, 'stateTableStreamArn'),
    );

    it('reports batch item failures on every SQS event source mapping', () => {
      const sqs = mappings.filter((m) => m.StartingPosition === undefined);
      expect(sqs.length).toBeGreaterThan(0);
      for (const m of sqs) expect(m.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    });

    it('feeds the intake queue to route-signal in batches of 10 with a short batching window', () => {
      expect(intake).toMatchObject({ BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'] });
      expect(intake?.FunctionName).toEqual({
        Ref: statelessStack.getLogicalId(
          statelessStack.functions['route-signal'].function.node.defaultChild as never,
        ),
      });
      expect(intake?.MaximumBatchingWindowInSeconds).toBeGreaterThan(0);
      expect(intake?.MaximumBatchingWindowInSeconds).toBeLessThanOrEqual(5);
    });

    it('runs up to route-signal’s declared number of intake batches at once', () => {
      expect(intake?.ScalingConfig).toEqual({ MaximumConcurrency: 8 });
    });

    it('bisects and retries failing stream batches until they are six hours old, then hands them to recovery', () => {
      expect(stream).toMatchObject({
        StartingPosition: 'TRIM_HORIZON',
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: -1,
        MaximumRecordAgeInSeconds: 6 * 3600,
        ParallelizationFactor: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: {
          OnFailure: {
            Destination: {
              'Fn::ImportValue': exportName(config.deployment, 'auditStreamDeadLetterQueueArn'),
            },
          },
        },
      });
      expect(stream?.FunctionName).toEqual({
        Ref: statelessStack.getLogicalId(
          statelessStack.functions['write-audit'].function.node.defaultChild as never,
        ),
      });
    });

    it('feeds the on-failure queue to recover-audit one batch at a time', () => {
      const recovery = mappings.find(
        (m) => fromImport(m) === exportName(config.deployment, 'auditStreamDeadLetterQueueArn'),
      );
      expect(recovery).toMatchObject({
        BatchSize: 1,
        ScalingConfig: { MaximumConcurrency: 2 },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        FunctionName: {
          Ref: statelessStack.getLogicalId(
            statelessStack.functions['recover-audit'].function.node.defaultChild as never,
          ),
        },
      });
    });

    it('alarms when the audit falls five minutes behind and when a change was recovered late', () => {
      stateless.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'IteratorAge',
        Namespace: 'AWS/Lambda',
        Statistic: 'Maximum',
        Threshold: 300_000,
      });
      stateless.hasResourceProperties('AWS::Logs::MetricFilter', {
        FilterPattern: '{ $.event = "audit_recovered_late" }',
        MetricTransformations: [
          {
            MetricNamespace: `Schakel/${config.deployment}`,
            MetricName: 'AuditRecoveredLate',
            MetricValue: '1',
          },
        ],
      });
      stateless.hasResourceProperties('AWS::Logs::MetricFilter', {
        FilterPattern: '{ ($.event = "audit_recovered_late") && ($.method = "current-version") }',
        MetricTransformations: [
          {
            MetricNamespace: `Schakel/${config.deployment}`,
            MetricName: 'AuditChangesLost',
            MetricValue: '1',
          },
        ],
      });
      stateless.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'AuditChangesLost',
        Threshold: 0,
      });
      stateless.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'Errors',
        Namespace: 'AWS/Lambda',
        EvaluationPeriods: 10,
      });
      stateless.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'AuditRecoveredLate',
        Namespace: `Schakel/${config.deployment}`,
        Statistic: 'Sum',
        Threshold: 0,
      });
    });
  });

  describe('REST API', () => {
    const restResources = resourcesOfType(stateless, 'AWS::ApiGateway::Resource');
    const [restApiId] = Object.keys(stateless.findResources('AWS::ApiGateway::RestApi'));
    const [authorizerId] = Object.keys(stateless.findResources('AWS::ApiGateway::Authorizer'));

    /** Full path of a resource id, rebuilt from PathPart/ParentId. */
    function pathOf(resourceId: unknown): string {
      const ref = resourceId as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
      if (ref['Fn::GetAtt']?.[0] === restApiId) return '';
      const entry = restResources.find(([id]) => id === ref.Ref);
      if (!entry) throw new Error(`unknown resource ${JSON.stringify(resourceId)}`);
      const p = propertiesOf(entry[1]);
      return `${pathOf(p.ParentId)}/${p.PathPart as string}`;
    }

    const methods = resourcesOfType(stateless, 'AWS::ApiGateway::Method').map(([, m]) => propertiesOf(m));

    it('has a method for every route and no others', () => {
      const actual = methods.map((m) => `${m.HttpMethod as string} ${pathOf(m.ResourceId)}`).sort();
      expect(actual).toEqual(API_ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    });

    it.each(API_ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))(
      'routes %s to its function, with the authorizer iff authorized',
      (_, route) => {
        const method = methods.find(
          (m) => m.HttpMethod === route.method && pathOf(m.ResourceId) === route.path,
        );
        expect(method).toBeDefined();
        if (route.authorized) {
          expect(method).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: authorizerId } });
        } else {
          expect(method?.AuthorizationType).toBe('NONE');
          expect(method?.AuthorizerId).toBeUndefined();
        }
        const integration = method?.Integration as { Type: string; Uri: unknown };
        expect(integration.Type).toBe('AWS_PROXY');
        const fnId = statelessStack.getLogicalId(
          statelessStack.functions[route.function].function.node.defaultChild as never,
        );
        expect(JSON.stringify(integration.Uri)).toContain(`"${fnId}"`);
      },
    );

    it('authorizes by the Authorization header through authorize-client, caching a few minutes', () => {
      const authorizer = propertiesOf(
        resourcesOfType(stateless, 'AWS::ApiGateway::Authorizer')[0]?.[1] ?? {},
      );
      expect(authorizer).toMatchObject({
        Type: 'REQUEST',
        IdentitySource: 'method.request.header.Authorization',
      });
      expect(authorizer.AuthorizerResultTtlInSeconds).toBeGreaterThanOrEqual(60);
      expect(authorizer.AuthorizerResultTtlInSeconds).toBeLessThanOrEqual(600);
      const fnId = statelessStack.getLogicalId(
        statelessStack.functions['authorize-client'].function.node.defaultChild as never,
      );
      expect(JSON.stringify(authorizer.AuthorizerUri)).toContain(`"${fnId}"`);
    });

    const responses = resourcesOfType(stateless, 'AWS::ApiGateway::GatewayResponse').map(([, r]) =>
      propertiesOf(r),
    );

    it.each(Object.keys(GATEWAY_PROBLEMS) as GatewayResponseKind[])(
      'answers %s as problem+json with API-Version and the standard headers',
      (kind) => {
        const response = responses.find((r) => r.ResponseType === kind);
        expect(response).toBeDefined();
        expect(response?.StatusCode).toBe(String(GATEWAY_PROBLEMS[kind].status));
        const headers = response?.ResponseParameters as Record<string, string>;
        expect(headers['gatewayresponse.header.Content-Type']).toBe("'application/problem+json'");
        for (const [name, value] of Object.entries(STANDARD_HEADERS)) {
          expect(headers[`gatewayresponse.header.${name}`], name).toBe(`'${value}'`);
        }
        const templates = response?.ResponseTemplates as Record<string, string>;
        expect(templates['application/json']).toBe(gatewayProblemBody(kind));
        expect(JSON.parse(templates['application/json'] ?? '')).toMatchObject({
          status: GATEWAY_PROBLEMS[kind].status,
        });
      },
    );

    it('answers an unknown path (missing authentication token) with 404', () => {
      expect(responses.find((r) => r.ResponseType === 'MISSING_AUTHENTICATION_TOKEN')?.StatusCode).toBe(
        '404',
      );
    });

    const stage = propertiesOf(resourcesOfType(stateless, 'AWS::ApiGateway::Stage')[0]?.[1] ?? {});
    const settings = (stage.MethodSettings ?? []) as Json[];

    it('never enables data tracing, which would log request bodies', () => {
      expect(settings.length).toBeGreaterThan(0);
      for (const s of settings) expect(s.DataTraceEnabled).not.toBe(true);
    });

    it('throttles, traces and logs errors on every method', () => {
      expect(stage.TracingEnabled).toBe(true);
      expect(settings).toContainEqual(
        expect.objectContaining({
          HttpMethod: '*',
          ResourcePath: '/*',
          LoggingLevel: 'ERROR',
          ThrottlingRateLimit: expect.any(Number),
          ThrottlingBurstLimit: expect.any(Number),
        }),
      );
    });

    it('writes JSON access logs without query strings, paths with ids or bodies', () => {
      const accessLog = stage.AccessLogSetting as { Format: string; DestinationArn: unknown };
      const fields = JSON.parse(accessLog.Format) as Record<string, string>;
      expect(fields).toMatchObject({
        requestId: '$context.requestId',
        resourcePath: '$context.resourcePath',
      });
      for (const value of Object.values(fields)) {
        expect(value).not.toMatch(
          /\$input|querystring|\$context\.path\b|requestOverride|\$context\.authorizer\.claims/i,
        );
      }
    });

    it('outputs the API URL', () => {
      const outputs = Object.values(stateless.toJSON().Outputs ?? {}) as { Value: unknown }[];
      expect(outputs.some((o) => JSON.stringify(o.Value).includes('execute-api'))).toBe(true);
    });
  });

  describe('least privilege', () => {
    /** The statements of a function's role policy. */
    function statementsOf(name: FunctionName): Json[] {
      const role = statelessStack.functions[name].role;
      const policy = role.node.tryFindChild('DefaultPolicy');
      if (!policy) return [];
      const id = statelessStack.getLogicalId(policy.node.defaultChild as never);
      const document = resources[id]?.Properties.PolicyDocument as { Statement?: Json[] } | undefined;
      return document?.Statement ?? [];
    }
    const allowing = (name: FunctionName, action: string) =>
      statementsOf(name).filter((s) => asArray(s.Action as string | string[]).includes(action));
    const imported = (reference: Parameters<typeof exportName>[1]) =>
      exportName(config.deployment, reference);

    /** The tables each function may write (PutItem) to, and no other. */
    const writers: Record<FunctionName, string[]> = {
      'authorize-client': [],
      'receive-signal': [imported('stateTableArn')],
      'route-signal': [imported('stateTableArn')],
      'track-referral': [imported('stateTableArn')],
      'follow-signals': [imported('stateTableArn')],
      'escalate-referrals': [imported('stateTableArn')],
      'write-audit': [imported('auditTableArn')],
      'recover-audit': [imported('auditTableArn')],
      'list-audit-events': [imported('stateTableArn')],
      'answer-subject-access': [imported('stateTableArn')],
      // Its jobs in the audit table; the read records of the audit in the state table.
      'manage-audit-exports': [imported('auditTableArn'), imported('stateTableArn')],
      'export-audit': [imported('auditTableArn')],
      'apply-retention': [imported('stateTableArn'), imported('auditTableArn')],
      'serve-openapi': [],
    };

    it.each(functionNames)('lets %s write to its own tables only', (name) => {
      const writes = JSON.stringify(allowing(name, 'dynamodb:PutItem').map((s) => s.Resource));
      for (const table of ['stateTableArn', 'auditTableArn'] as const) {
        if (writers[name].includes(imported(table))) expect(writes).toContain(`"${imported(table)}"`);
        else expect(writes).not.toContain(imported(table));
      }
      if (writers[name].length === 0) expect(allowing(name, 'dynamodb:PutItem')).toEqual([]);
    });

    it('lets only recover-audit read the state table’s stream besides the mapping of write-audit', () => {
      const stream = imported('stateTableStreamArn');
      const readers = functionNames.filter((name) =>
        allowing(name, 'dynamodb:GetRecords').some((s) => JSON.stringify(s.Resource).includes(stream)),
      );
      expect(readers.sort()).toEqual(['recover-audit', 'write-audit']);
    });

    it('lets only authorize-client, the writers and list-audit-events read tables', () => {
      const readers = functionNames.filter((name) => allowing(name, 'dynamodb:GetItem').length > 0);
      expect(readers.sort()).toEqual(
        [
          'authorize-client',
          'receive-signal',
          'route-signal',
          'track-referral',
          'follow-signals',
          'escalate-referrals',
          'write-audit',
          'recover-audit',
          'list-audit-events',
          'answer-subject-access',
          'manage-audit-exports',
          'export-audit',
          'apply-retention',
        ].sort(),
      );
      for (const name of ['list-audit-events', 'answer-subject-access'] as const) {
        expect(JSON.stringify(allowing(name, 'dynamodb:GetItem'))).not.toContain(imported('stateTableArn'));
      }
      expect(JSON.stringify(allowing('authorize-client', 'dynamodb:GetItem'))).not.toContain(
        imported('auditTableArn'),
      );
    });

    it.each(['list-audit-events', 'answer-subject-access', 'manage-audit-exports'] as const)(
      'lets %s put access records into the state table and nothing else there',
      (name) => {
        const onStateTable = statementsOf(name).filter((s) =>
          JSON.stringify(s.Resource).includes(imported('stateTableArn')),
        );
        expect(onStateTable).toEqual([
          {
            Effect: 'Allow',
            Action: 'dynamodb:PutItem',
            Resource: { 'Fn::ImportValue': imported('stateTableArn') },
            Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ACCESS#*'] } },
          },
        ]);
      },
    );

    it('lets answer-subject-access query the audit table and its index byPupil, and not write it', () => {
      const queries = allowing('answer-subject-access', 'dynamodb:Query');
      expect(JSON.stringify(queries)).toContain(`${imported('auditTableArn')}"},"/index/*`);
      const auditWrites = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'].flatMap((a) =>
        allowing('answer-subject-access', a),
      );
      expect(JSON.stringify(auditWrites)).not.toContain(imported('auditTableArn'));
    });

    it('lets only receive-signal and answer-subject-access read the pseudonym secret, only receive-signal send to the intake queue', () => {
      for (const name of functionNames) {
        const secret = allowing(name, 'secretsmanager:GetSecretValue');
        const intake = statementsOf(name).filter((s) =>
          JSON.stringify(s.Resource).includes(imported('intakeQueueArn')),
        );
        const send = intake.filter((s) => asArray(s.Action as string | string[]).includes('sqs:SendMessage'));
        expect(secret.length > 0, name).toBe(name === 'receive-signal' || name === 'answer-subject-access');
        expect(send.length > 0, name).toBe(name === 'receive-signal');
      }
    });

    // Table grants bring their own KMS actions (a list with wildcards); the pupil-data grants are
    // statements of one exact action on the data key. (The export bucket's grants are on the key
    // through S3 only, with a kms:ViaService condition: they open no table's pupil data.)
    const exactlyOn = (name: FunctionName, action: string) =>
      statementsOf(name).some(
        (s) =>
          JSON.stringify(asArray(s.Action as string | string[])) === JSON.stringify([action]) &&
          JSON.stringify(s.Resource).includes(imported('dataKeyArn')) &&
          s.Condition === undefined,
      );

    it('lets export-audit write export files, manage-audit-exports only read them, and nobody else touch the bucket', () => {
      const onBucket = (name: FunctionName) =>
        statementsOf(name).filter((s) => JSON.stringify(s.Resource).includes(imported('exportBucketArn')));
      const objects = {
        'Fn::Join': ['', [{ 'Fn::ImportValue': imported('exportBucketArn') }, '/audit-exports/*']],
      };
      expect(onBucket('export-audit')).toEqual([
        {
          Effect: 'Allow',
          Action: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload'],
          Resource: objects,
        },
      ]);
      expect(onBucket('manage-audit-exports')).toEqual([
        { Effect: 'Allow', Action: 's3:GetObject', Resource: objects },
      ]);
      for (const name of functionNames.filter((n) => n !== 'export-audit' && n !== 'manage-audit-exports')) {
        expect(onBucket(name), name).toEqual([]);
      }
      const viaS3 = (name: FunctionName) =>
        statementsOf(name).filter((s) => JSON.stringify(s.Condition ?? {}).includes('kms:ViaService'));
      expect(viaS3('export-audit').map((s) => s.Action)).toEqual([['kms:GenerateDataKey', 'kms:Decrypt']]);
      expect(viaS3('manage-audit-exports').map((s) => s.Action)).toEqual(['kms:Decrypt']);
    });

    it('lets the export functions write only export jobs in the audit table, and manage-audit-exports read nothing else there', () => {
      const onAudit = (name: FunctionName) =>
        statementsOf(name).filter((s) => JSON.stringify(s.Resource).includes(imported('auditTableArn')));
      const jobsOnly = {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['EXPORT#*', 'EXPORTS#*'] },
      };
      for (const name of ['manage-audit-exports', 'export-audit'] as const) {
        const writes = onAudit(name).filter((s) =>
          asArray(s.Action as string | string[]).some((a) => /Put|Update|Delete|BatchWrite/.test(a)),
        );
        expect(writes, name).toEqual([
          {
            Effect: 'Allow',
            Action: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:PutItem'],
            Resource: { 'Fn::ImportValue': imported('auditTableArn') },
            Condition: jobsOnly,
          },
        ]);
      }
      // The chains: export-audit reads them, manage-audit-exports never.
      expect(
        onAudit('manage-audit-exports').every(
          (s) => JSON.stringify(s.Condition) === JSON.stringify(jobsOnly),
        ),
      ).toBe(true);
      expect(onAudit('export-audit').some((s) => s.Condition === undefined)).toBe(true);
    });

    it('lets only manage-audit-exports and export-audit (to hand over) send to the export queue', () => {
      const senders = functionNames.filter((name) =>
        allowing(name, 'sqs:SendMessage').some((s) =>
          JSON.stringify(s.Resource).includes(imported('auditExportQueueArn')),
        ),
      );
      expect(senders.sort()).toEqual(['export-audit', 'manage-audit-exports']);
    });

    it.each(functionNames)('lets %s seal or open pupil data only as its declaration says', (name) => {
      expect(exactlyOn(name, 'kms:GenerateDataKey'), 'seal').toBe(name === 'receive-signal');
      // receive-signal and answer-subject-access also decrypt the pseudonym secret, which the data
      // key protects.
      expect(exactlyOn(name, 'kms:Decrypt'), 'open').toBe(
        name === 'track-referral' || name === 'receive-signal' || name === 'answer-subject-access',
      );
    });

    it('gives the sealing and opening functions the data key’s ARN, never a local key', () => {
      for (const name of ['receive-signal', 'track-referral'] as const) {
        expect(JSON.stringify(environmentOf(name).PUPIL_DATA_KEY_ARN)).toContain(imported('dataKeyArn'));
      }
      for (const name of functionNames) expect(environmentOf(name)).not.toHaveProperty('PUPIL_DATA_KEY');
    });

    it('gives serve-openapi nothing beyond its logs and traces', () => {
      const actions = statementsOf('serve-openapi').flatMap((s) => asArray(s.Action as string | string[]));
      expect(actions.sort()).toEqual(
        [
          'logs:CreateLogStream',
          'logs:PutLogEvents',
          'xray:PutTelemetryRecords',
          'xray:PutTraceSegments',
        ].sort(),
      );
    });

    it.each(functionNames)('lets %s write only to its own log group', (name) => {
      const logs = allowing(name, 'logs:PutLogEvents');
      expect(logs).toHaveLength(1);
      const logGroupId = statelessStack.getLogicalId(
        statelessStack.functions[name].logGroup.node.defaultChild as never,
      );
      expect(logs[0]?.Resource).toEqual({ 'Fn::GetAtt': [logGroupId, 'Arn'] });
      const role =
        resources[
          statelessStack.getLogicalId(statelessStack.functions[name].role.node.defaultChild as never)
        ];
      expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
    });
  });

  describe('team queue access', () => {
    const teamPattern = `:schakel-${config.deployment}-team-*`;
    const statements = resourcesOfType(stateless, 'AWS::IAM::Policy').flatMap(([id, p]) =>
      ((propertiesOf(p).PolicyDocument as { Statement: Json[] }).Statement ?? []).map((s) => ({ id, s })),
    );
    const teamStatements = statements.filter(({ s }) => JSON.stringify(s.Resource).includes(teamPattern));

    // The functions that tell a team: of a new referral (routing, a re-route after a rejection,
    // an assignment), a withdrawal, an escalation.
    const SENDERS = [
      'receive-signal',
      'route-signal',
      'track-referral',
      'follow-signals',
      'escalate-referrals',
    ] as const;

    it.each(SENDERS)('lets %s send to team queues by name pattern', (name) => {
      const role = statelessStack.functions[name].role;
      const policyId = statelessStack.getLogicalId(
        role.node.findChild('DefaultPolicy').node.defaultChild as never,
      );
      const own = teamStatements.filter(({ id }) => id === policyId);
      expect(own).toHaveLength(1);
      expect(asArray(own[0]?.s.Action).sort()).toEqual(['sqs:GetQueueUrl', 'sqs:SendMessage']);
    });

    it('grants team queue access to no other function', () => {
      expect(teamStatements).toHaveLength(SENDERS.length);
    });

    it('never references a team queue of the stateful stack', () => {
      const json = JSON.stringify(stateless.toJSON());
      for (const team of config.teams) expect(json).not.toContain(`-team-${team.id}`);
      const imports = json.match(/"Fn::ImportValue":"([^"]+)"/g) ?? [];
      for (const i of imports) expect(i).not.toMatch(/team/);
    });
  });
});
