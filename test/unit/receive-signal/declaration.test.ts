import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../../functions/openapi.js';
import { RECEIVE_SIGNAL_OPERATIONS } from '../../../functions/receive-signal/declaration.js';
import { MAX_BATCH_BODY_BYTES, MAX_BATCH_ITEMS, MAX_BODY_BYTES } from '../../../schemas/api.js';
import { SignalBatchResultSchema } from '../../../schemas/signal-batch.js';
import { schoolClient } from '../../helpers/clients.js';
import { fakeHub } from '../../helpers/fake-hub.js';

// What the published contract says of a backlog submission, beside what the handler does.

interface Operation {
  requestBody: { content: Record<string, { schema: { $ref: string } }> };
  responses: Record<string, { description: string }>;
}

const document = buildOpenApiDocument();
const schemas = (document.components?.schemas ?? {}) as Record<string, Record<string, unknown>>;
const paths = (document.paths ?? {}) as Record<string, { post: Operation }>;
const post = (path: string) => paths[path]?.post as Operation;
const schemaName = (ref: string) => ref.replace('#/components/schemas/', '');

describe('POST /v1/signal-batches in the OpenAPI document', () => {
  it(`shows the body as 1 to ${MAX_BATCH_ITEMS} signals, each a body of POST /v1/signals`, () => {
    const batchRef = post('/signal-batches').requestBody.content['application/json']?.schema.$ref ?? '';
    const singleRef = post('/signals').requestBody.content['application/json']?.schema.$ref ?? '';

    const properties = (schemas[schemaName(batchRef)]?.properties ?? {}) as Record<string, unknown>;
    const signals = properties.signals as Record<string, unknown> | undefined;

    expect(signals).toMatchObject({ type: 'array', minItems: 1, maxItems: MAX_BATCH_ITEMS });
    expect(signals?.items).toEqual({ $ref: singleRef });
    expect(schemas[schemaName(singleRef)]).toBeDefined();
  });

  it('answers 207 and says how large a body each operation takes', () => {
    const batch = post('/signal-batches').responses;
    const single = post('/signals').responses;

    expect(Object.keys(batch).filter((s) => s.startsWith('2'))).toEqual(['207']);
    expect(batch['413']?.description).toContain(String(MAX_BATCH_BODY_BYTES));
    expect(single['413']?.description).toContain(String(MAX_BODY_BYTES));
  });

  it('publishes a backlog example that is accepted item by item', async () => {
    const example = RECEIVE_SIGNAL_OPERATIONS.submitSignalBatch.body.examples.backlog.value;

    const answer = await fakeHub().call('submitSignalBatch', {
      client: schoolClient({ scope: { schoolLocations: ['12AB00'] } }),
      body: example,
    });

    const { results } = SignalBatchResultSchema.parse(answer.body);
    expect(results.map((r) => r.status)).toEqual(example.signals.map(() => 202));
  });
});
