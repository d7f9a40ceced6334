import { describe, expect, it } from 'vitest';
import type * as z from 'zod';
import { buildOpenApiDocument } from '../../functions/openapi.js';
import { FUNCTION_DECLARATIONS, OPERATIONS } from '../../functions/registry.js';
import { municipalityClient, schoolClient, teamClient } from '../helpers/clients.js';
import { fakeHub } from '../helpers/fake-hub.js';

// The registry is the one declaration of every operation: what is declared is served, what is
// served is declared, and the published document holds exactly the declared operations.

const clientFor = {
  school: schoolClient(),
  provider: teamClient('jgt-amsterdam'),
  municipality: municipalityClient(['0363']),
  admin: { ...municipalityClient([]), clientId: 'admin-1', role: 'admin' as const, scope: {} },
};

const EXAMPLE_ID = '00000000-0000-4000-8000-0000000000ff';

describe('operation registry', () => {
  it.each(OPERATIONS.map((o) => [o.operationId, o] as const))(
    '%s is served by its function: a call reaches an implementation, not a wiring fault',
    async (operationId, { spec }) => {
      const hub = fakeHub();
      const role = spec.roles === 'public' ? undefined : spec.roles[0];
      const path = Object.fromEntries(
        Object.keys(spec.pathParameters?._zod.def.shape ?? {}).map((k) => [k, EXAMPLE_ID]),
      );

      const answer = await hub.call(operationId, {
        client: role ? clientFor[role] : undefined,
        path,
        ...(spec.query?._zod.def.shape.municipality ? { query: { municipality: '0363' } } : {}),
      });

      // 400 (no body sent), 404 (no such id) and 2xx all come from the operation's own steps; a
      // route the function does not serve would be a 500.
      expect(answer.status).toBeLessThan(500);
    },
  );

  it('declares each operation id and each method and path once', () => {
    const ids = OPERATIONS.map((o) => o.operationId);
    const routes = OPERATIONS.map((o) => `${o.spec.method} ${o.spec.path}`);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(routes).size).toBe(routes.length);
  });

  it.each(OPERATIONS.map((o) => [o.operationId, o] as const))(
    '%s follows the API Design Rules for names and says who may call it',
    (operationId, { spec }) => {
      expect(operationId).toMatch(/^[a-z][a-zA-Z]+$/);
      expect(spec.path).toMatch(/^\/v1(\/([a-z0-9-]+|\{[a-z][a-zA-Z]*\}|openapi\.json))+$/);
      for (const key of Object.keys(spec.query?._zod.def.shape ?? {}))
        expect(key).toMatch(/^[a-z][a-zA-Z0-9]*$/);
      expect(spec.summary.length).toBeGreaterThan(5);
      expect(spec.description.length).toBeGreaterThan(60);
      expect(spec.roles === 'public' || spec.roles.length > 0).toBe(true);
    },
  );

  it('publishes exactly the declared operations in the OpenAPI document', () => {
    const document = buildOpenApiDocument();
    const published = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
      Object.entries(item as Record<string, { operationId?: string }>).map(
        ([method, operation]) => `${method.toUpperCase()} /v1${path} ${operation.operationId}`,
      ),
    );

    expect(published.sort()).toEqual(
      OPERATIONS.map((o) => `${o.spec.method} ${o.spec.path} ${o.operationId}`).sort(),
    );
  });

  it.each(
    OPERATIONS.flatMap((o) =>
      Object.entries(o.spec.body?.examples ?? {}).map(
        ([name, example]) => [`${o.operationId}/${name}`, o, example] as const,
      ),
    ),
  )('publishes the example %s valid against the body schema', (_name, operation, example) => {
    const schema = operation.spec.body?.schema as z.ZodType;
    expect(schema.safeParse(example.value).success).toBe(true);
  });

  it.each(
    OPERATIONS.flatMap((o) =>
      [...o.spec.description.matchAll(/```json\n([\s\S]*?)\n```/g)].map(
        (m, i) => [`${o.operationId} #${i + 1}`, o, m[1] as string] as const,
      ),
    ),
  )('writes the JSON example %s in a description valid against the body schema', (_name, operation, json) => {
    const schema = operation.spec.body?.schema as z.ZodType;
    expect(schema.safeParse(JSON.parse(json)).success).toBe(true);
  });

  it.each(
    OPERATIONS.flatMap((o) =>
      Object.entries(o.spec.responses)
        .filter(([, response]) => response.example !== undefined)
        .map(([status, response]) => [`${o.operationId} ${status}`, response] as const),
    ),
  )('publishes the response example of %s valid against its schema', (_name, response) => {
    const schema = response.schema as z.ZodType;
    expect(schema.safeParse(response.example).success).toBe(true);
  });

  it.each(OPERATIONS.filter((o) => o.spec.roles !== 'public').map((o) => [o.operationId, o] as const))(
    '%s shows an integrator an example',
    (_id, { spec }) => {
      const examples =
        Object.keys(spec.body?.examples ?? {}).length +
        Object.values(spec.responses).filter((r) => r.example !== undefined).length +
        (spec.description.includes('```json') ? 1 : 0);
      expect(examples).toBeGreaterThan(0);
    },
  );

  it('finds the examples it checks (a description example and structured ones exist)', () => {
    expect(OPERATIONS.some((o) => o.spec.description.includes('```json'))).toBe(true);
    expect(OPERATIONS.some((o) => Object.keys(o.spec.body?.examples ?? {}).length > 0)).toBe(true);
  });

  it('gives every function a folder-style name, a timeout and memory within Lambda’s limits', () => {
    for (const declaration of FUNCTION_DECLARATIONS) {
      expect(declaration.name).toMatch(/^[a-z]+(-[a-z]+)+$/);
      expect(declaration.timeoutSeconds).toBeGreaterThan(0);
      expect(declaration.timeoutSeconds).toBeLessThanOrEqual(900);
      expect(declaration.memoryMb).toBeGreaterThanOrEqual(128);
    }
  });
});
