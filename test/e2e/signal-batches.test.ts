import { randomUUID } from 'node:crypto';
import { DynamoDBClient, ListTablesCommand, paginateScan } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { MAX_BATCH_BODY_BYTES, MAX_BATCH_ITEMS } from '../../schemas/api.js';
import { type AuditEvent, AuditPageSchema } from '../../schemas/audit-event.js';
import { ProblemSchema } from '../../schemas/problem.js';
import { type SignalBatchItemResult, SignalBatchResultSchema } from '../../schemas/signal-batch.js';
import { SignalAcceptedSchema, SignalViewSchema } from '../../schemas/views.js';
import { consultationSubmission, referralSubmission } from '../helpers/factories.js';
import { type Answer, call, eventually, localConfig, municipality, school, team } from './api-client.js';

// A vendor's backlog over HTTP against local mode: POST /v1/signal-batches with the real
// handlers, authorizer, DynamoDB Local and fauxqs, item by item as POST /v1/signals would.

const dynamodb = new DynamoDBClient({
  region: localConfig.region,
  endpoint: localConfig.dynamodbEndpoint,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});

/** Every signal stored in any table whose sourceId starts with `prefix`. */
async function storedSignalsWithSourcePrefix(prefix: string): Promise<string[]> {
  const { TableNames = [] } = await dynamodb.send(new ListTablesCommand({}));
  const ids: string[] = [];
  for (const TableName of TableNames) {
    const pages = paginateScan(
      { client: dynamodb },
      {
        TableName,
        FilterExpression: 'entity = :signal AND begins_with(sourceId, :prefix)',
        ExpressionAttributeValues: { ':signal': { S: 'signal' }, ':prefix': { S: prefix } },
      },
    );
    for await (const page of pages) ids.push(...(page.Items ?? []).map((item) => String(item.id?.S)));
  }
  return ids;
}

function expectProblem(answer: Answer, status: number) {
  expect(answer.status).toBe(status);
  expect(answer.headers.get('content-type')).toContain('application/problem+json');
  expect(answer.headers.get('api-version')).toBe('1.0.0');
  return ProblemSchema.parse(answer.body);
}

/**
 * Rotterdam has no routing rule in the demo config: the backlog's signals end `unroutable`, parked
 * for the municipality, and leave the teams' queues and Amsterdam's audit trail to the other tests.
 */
const BACKLOG_MUNICIPALITY = '0599';
const BACKLOG_BSN = '999900031';

function adminKey(): string {
  const client = localConfig.clients.find((c) => c.role === 'admin');
  if (!client) throw new Error('local.json has no admin client');
  return client.apiKey;
}

/** The audit events of a municipality, every page, as the operator reads them. */
async function auditTrail(code: string): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  let cursor: string | undefined;
  do {
    const query = `municipality=${code}&limit=100${cursor ? `&cursor=${cursor}` : ''}`;
    const answer = await call('GET', `/v1/audit-events?${query}`, { apiKey: adminKey() });
    const page = AuditPageSchema.parse(answer.body);
    events.push(...page.items);
    cursor = page.next;
  } while (cursor);
  return events;
}

const postBatch = (body: unknown, apiKey = school().apiKey) =>
  call('POST', '/v1/signal-batches', { apiKey, body });

const names = (result: SignalBatchItemResult | undefined) =>
  (result && 'problem' in result ? (result.problem.invalidParams ?? []) : []).map((p) => p.name).sort();

describe('POST /v1/signal-batches', () => {
  it('answers 100 items one by one — three bad, one a repeat — and stores exactly the 96 new ones', {
    timeout: 120_000,
  }, async () => {
    const prefix = `lvs-${randomUUID().slice(0, 8)}`;
    // Summaries long enough that the body is well over a single submission's 64 KiB.
    const summary = 'Veel verzuim sinds de herfstvakantie; het zorgteam besprak het met de ouders. '.repeat(
      12,
    );
    const referral = (sourceId: string, overrides: Parameters<typeof referralSubmission>[0] = {}) =>
      referralSubmission({
        sourceId,
        summary,
        ...overrides,
        pupil: { municipality: BACKLOG_MUNICIPALITY, bsn: BACKLOG_BSN, ...overrides.pupil },
      });
    const earlier = referral(`${prefix}-earlier`);
    const single = await call('POST', '/v1/signals', { apiKey: school().apiKey, body: earlier });
    expect(single.status).toBe(202);
    const earlierId = SignalAcceptedSchema.parse(single.body).id;
    const signals: unknown[] = Array.from({ length: MAX_BATCH_ITEMS }, (_, i) =>
      i % 3 === 0
        ? consultationSubmission({
            sourceId: `${prefix}-${i}`,
            summary,
            pupil: { municipality: BACKLOG_MUNICIPALITY },
          })
        : referral(`${prefix}-${i}`),
    );
    const BAD = { field: 10, twoFields: 40, crossField: 70 } as const;
    const REPEAT = 55;
    signals[BAD.field] = referral(`${prefix}-${BAD.field}`, { pupil: { bsn: '999900019' } });
    signals[BAD.twoFields] = referral(`${prefix}-${BAD.twoFields}`, {
      contact: { email: 'not-an-address' },
      urgency: 'soon' as never,
    });
    // A pupil of 13 needs their own consent besides the parents': the birth date decides.
    signals[BAD.crossField] = referral(`${prefix}-${BAD.crossField}`, {
      pupil: { birthDate: '2013-01-10' },
      consent: { parents: true, pupil: false },
    });
    signals[REPEAT] = earlier;
    expect(Buffer.byteLength(JSON.stringify({ signals }))).toBeGreaterThan(64 * 1024);

    const answer = await postBatch({ signals });

    expect(answer.status).toBe(207);
    expect(answer.headers.get('content-type')).toContain('application/json');
    expect(answer.headers.get('api-version')).toBe('1.0.0');
    const { results } = SignalBatchResultSchema.parse(answer.body);
    expect(results.map((r) => r.index)).toEqual([...Array(MAX_BATCH_ITEMS).keys()]);
    expect(results[BAD.field]).toMatchObject({ status: 400, problem: { status: 400 } });
    expect(names(results[BAD.field])).toEqual(['pupil.bsn']);
    expect(names(results[BAD.twoFields])).toEqual(['contact.email', 'urgency']);
    expect(names(results[BAD.crossField])).toEqual(['consent.pupil']);
    expect(results[REPEAT]).toEqual({
      index: REPEAT,
      status: 202,
      location: `/v1/signals/${earlierId}`,
      signal: { id: earlierId, status: expect.stringMatching(/^(received|unroutable)$/) },
    });
    const fresh = results.flatMap((r) => ('signal' in r && r.index !== REPEAT ? [r] : []));
    expect(fresh).toHaveLength(96);
    const freshIds = fresh.map((r) => r.signal.id);
    expect(new Set(freshIds).size).toBe(96);
    expect(fresh.every((r) => r.location === `/v1/signals/${r.signal.id}`)).toBe(true);

    // Stored: the 96 new ones and the earlier one, nothing of the bad ones.
    expect((await storedSignalsWithSourcePrefix(prefix)).sort()).toEqual([...freshIds, earlierId].sort());
    for (const { index, signal } of fresh) {
      const view = await call('GET', `/v1/signals/${signal.id}`, { apiKey: school().apiKey });
      expect(SignalViewSchema.parse(view.body).sourceId).toBe(`${prefix}-${index}`);
    }
    // The bad items' sourceIds are still free: a valid signal with one is new, not a conflict.
    const retried = await call('POST', '/v1/signals', {
      apiKey: school().apiKey,
      body: referral(`${prefix}-${BAD.crossField}`),
    });
    expect(retried.status).toBe(202);
    const retriedId = SignalAcceptedSchema.parse(retried.body).id;

    // Queued for routing like single submissions: every new signal is routed (here parked as
    // unroutable for the municipality) and audited, without pupil data. Waiting for that also
    // leaves a quiet hub to the next test.
    const newIds = [...freshIds, retriedId];
    const trail = await eventually(async () => {
      const events = await auditTrail(BACKLOG_MUNICIPALITY);
      const parked = new Set(
        events.filter((e) => e.eventType === 'signal.unroutable').map((e) => e.object.signalId),
      );
      return newIds.every((id) => parked.has(id)) ? events : undefined;
    }, 90_000);
    const received = trail.filter((e) => e.eventType === 'signal.received' && newIds.includes(e.object.id));
    expect(received).toHaveLength(newIds.length);
    expect(JSON.stringify(trail)).not.toContain(BACKLOG_BSN);
  });

  it('answers a reused sourceId with other content as a 409 item naming the existing signal', async () => {
    const earlier = referralSubmission({ sourceId: `lvs-${randomUUID()}` });
    const single = await call('POST', '/v1/signals', { apiKey: school().apiKey, body: earlier });
    const earlierId = SignalAcceptedSchema.parse(single.body).id;

    const answer = await postBatch({ signals: [{ ...earlier, urgency: 'urgent' }] });

    const [result] = SignalBatchResultSchema.parse(answer.body).results;
    expect(result).toMatchObject({
      index: 0,
      status: 409,
      location: `/v1/signals/${earlierId}`,
      problem: { status: 409, signalId: earlierId },
    });
  });

  it(`answers ${MAX_BATCH_ITEMS + 1} items with 400 naming signals, and stores none of them`, async () => {
    const prefix = `lvs-${randomUUID().slice(0, 8)}`;
    const signals = Array.from({ length: MAX_BATCH_ITEMS + 1 }, (_, i) =>
      consultationSubmission({ sourceId: `${prefix}-${i}` }),
    );

    const problem = expectProblem(await postBatch({ signals }), 400);

    expect(problem.invalidParams).toEqual([
      { name: 'signals', reason: `must have at most ${MAX_BATCH_ITEMS} items` },
    ]);
    expect(await storedSignalsWithSourcePrefix(prefix)).toEqual([]);
  });

  it.each<[string, string, number, string | undefined]>([
    ['a body that is not JSON', '{"signals": [', 400, '(body)'],
    ['no signals', '{}', 400, 'signals'],
    ['an empty list', '{"signals": []}', 400, 'signals'],
    ['a list for a body', '[{"sourceId": "x"}]', 400, '(body)'],
    ['a body nested 40 deep', `{"signals": [${'['.repeat(40)}${']'.repeat(40)}]}`, 400, '(body)'],
    [
      `a body over ${MAX_BATCH_BODY_BYTES} bytes`,
      JSON.stringify({ signals: [consultationSubmission({ summary: 'x'.repeat(MAX_BATCH_BODY_BYTES) })] }),
      413,
      undefined,
    ],
  ])('refuses the whole request for %s', async (_case, rawBody, status, name) => {
    const problem = expectProblem(
      await call('POST', '/v1/signal-batches', { apiKey: school().apiKey, rawBody }),
      status,
    );

    if (name) expect(problem.invalidParams?.map((p) => p.name)).toEqual([name]);
  });

  it('refuses a body that is not UTF-8 as a whole with 400', async () => {
    const text = JSON.stringify({ signals: [consultationSubmission({ sourceId: `lvs-${randomUUID()}` })] });
    const bytes = Buffer.from(text.replace('Pupil', 'Pupil\u0000'), 'utf8');
    bytes[bytes.indexOf(0)] = 0xff;

    const response = await fetch(`${localConfig.apiUrl}/v1/signal-batches`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${school().apiKey}`, 'Content-Type': 'application/json' },
      body: bytes,
    });

    expect(response.status).toBe(400);
    const problem = ProblemSchema.parse(await response.json());
    expect(problem.invalidParams).toEqual([{ name: '(body)', reason: 'must be UTF-8 text' }]);
  });

  it.each([
    ['a municipality', () => municipality('0363').apiKey],
    ['a team', () => team('jgt-amsterdam-centrum').apiKey],
  ])('answers %s 403 and stores nothing', async (_who, apiKey) => {
    const prefix = `lvs-${randomUUID().slice(0, 8)}`;

    const answer = await postBatch(
      { signals: [consultationSubmission({ sourceId: `${prefix}-0` })] },
      apiKey(),
    );

    expectProblem(answer, 403);
    expect(await storedSignalsWithSourcePrefix(prefix)).toEqual([]);
  });
});
