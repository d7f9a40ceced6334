import * as z from 'zod/mini';
import {
  createDocument,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponsesObject,
} from 'zod-openapi';
import { API_VERSION, MAX_BODY_BYTES } from '../schemas/api.js';
import { ProblemSchema } from '../schemas/problem.js';
import { OPERATIONS, type RegisteredOperation } from './registry.js';

// The OpenAPI 3.1 document served at /v1/openapi.json, generated from the operation declarations
// and the same zod schemas that validate requests (NL API Design Rules: the contract is published,
// machine-readable, and checked in `npm test` against Logius' ADR ruleset). The CDK app compiles
// it into serve-openapi at synth time; local mode generates it at start.

/** The major version lives in the server URL; paths in the document are relative to it. */
const BASE_PATH = '/v1';

const ApiVersionHeader = z
  .string()
  .check(z.meta({ description: 'Version of the API (semver).', example: API_VERSION }));

function headersOf(extra: Readonly<Record<string, string>> = {}) {
  return z.object({
    'API-Version': ApiVersionHeader,
    ...Object.fromEntries(
      Object.entries(extra).map(([name, description]) => [name, z.string().check(z.meta({ description }))]),
    ),
  });
}

const problem = (description: string) => ({
  description,
  headers: headersOf(),
  content: { 'application/problem+json': { schema: ProblemSchema } },
});

const UserHeader = z.strictObject({
  'Schakel-User': z.optional(
    z.string().check(
      z.meta({
        description:
          'Opaque id of the individual user in the calling system, recorded in the audit trail (NEN 7513 “who”). 1–100 characters: letters, digits, . _ : -. Never an e-mail address, a BSN or other personal data (refused).',
      }),
    ),
  ),
});

function rolesSentence(roles: RegisteredOperation['spec']['roles']): string {
  if (roles === 'public') return 'Public: no API key needed.';
  return `For ${roles.join(' and ')} clients; any other role gets 403.`;
}

function responsesOf({ spec }: RegisteredOperation): ZodOpenApiResponsesObject {
  const responses: ZodOpenApiResponsesObject = {};
  for (const [status, response] of Object.entries(spec.responses)) {
    responses[status as `2${string}`] = {
      description: response.description,
      headers: headersOf(response.headers),
      ...(response.schema
        ? {
            content: {
              'application/json': {
                schema: response.schema,
                ...(response.example === undefined ? {} : { example: response.example }),
              },
            },
          }
        : {}),
    };
  }
  const problems: Record<number, string> = {
    400: 'Invalid input: `invalidParams` names every bad field at once.',
  };
  if (spec.roles !== 'public') {
    problems[401] = 'No API key, or an unknown one.';
    problems[403] = 'The client’s role may not use this operation.';
  }
  if (spec.pathParameters) problems[404] = 'No such resource, or one of another client.';
  if (spec.body) {
    problems[413] = `The body is larger than ${spec.maxBodyBytes ?? MAX_BODY_BYTES} bytes.`;
    problems[415] = 'The body is not sent as application/json.';
  }
  Object.assign(problems, spec.problems);
  for (const [status, description] of Object.entries(problems)) {
    responses[status as `4${string}`] = problem(description);
  }
  return responses;
}

function operationObject(operation: RegisteredOperation): ZodOpenApiOperationObject {
  const { spec, operationId } = operation;
  const isPublic = spec.roles === 'public';
  return {
    operationId,
    summary: spec.summary,
    description: `${spec.description}\n\n${rolesSentence(spec.roles)}`,
    tags: [tagOf(spec.path)],
    ...(isPublic ? { security: [] } : {}),
    requestParams: {
      ...(spec.pathParameters ? { path: spec.pathParameters } : {}),
      ...(spec.query ? { query: spec.query } : {}),
      ...(isPublic ? {} : { header: UserHeader }),
    },
    ...(spec.body
      ? {
          requestBody: {
            required: spec.body.required,
            content: {
              'application/json': {
                schema: spec.body.schema,
                ...(spec.body.examples ? { examples: examplesOf(operation) } : {}),
              },
            },
          },
        }
      : {}),
    responses: responsesOf(operation),
  };
}

/** Request examples are components of their own, referenced from the operation. */
function examplesOf({ operationId, spec }: RegisteredOperation) {
  return Object.fromEntries(
    Object.entries(spec.body?.examples ?? {}).map(([name, example]) => [
      name,
      { id: `${operationId}-${name}`, ...example },
    ]),
  );
}

/** `/v1/signals/{id}/withdraw` → `signals`: operations are grouped by the resource they serve. */
function tagOf(path: string): string {
  return (
    path
      .slice(BASE_PATH.length + 1)
      .split('/')[0]
      ?.replace(/\.json$/, '') ?? 'api'
  );
}

export function buildOpenApiDocument() {
  const paths: ZodOpenApiPathsObject = {};
  for (const operation of OPERATIONS) {
    const { method, path } = operation.spec;
    if (!path.startsWith(`${BASE_PATH}/`))
      throw new Error(`${operation.operationId}: path outside ${BASE_PATH}`);
    const relative = path.slice(BASE_PATH.length);
    paths[relative] = { ...paths[relative], [method.toLowerCase()]: operationObject(operation) };
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Schakel API',
      version: API_VERSION,
      description:
        'Signals from schools to municipal youth-care access teams (CJG / JGT / wijkteam), the referrals made from them, and the audit trail of the municipality where the pupil lives. Errors are application/problem+json (RFC 9457) with `invalidParams`; every response carries `API-Version`.',
      contact: {
        name: 'Schakel beheer',
        url: 'https://schakel.example/contact',
        email: 'support@schakel.example',
      },
      license: { name: 'EUPL-1.2', identifier: 'EUPL-1.2' },
    },
    servers: [{ url: BASE_PATH, description: 'This deployment, version 1' }],
    security: [{ apiKey: [] }],
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'The client’s API key as a bearer token.' },
      },
    },
    paths,
  });
}
