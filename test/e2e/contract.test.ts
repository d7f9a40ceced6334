import { randomUUID } from 'node:crypto';
import {
  type AttributeValue,
  DynamoDBClient,
  ListTablesCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { verifyChain } from '../../domain/audit-chain.js';
import { AuditPageSchema } from '../../schemas/audit-event.js';
import { ReferralCloudEventSchema } from '../../schemas/cloud-event.js';
import { ProblemSchema } from '../../schemas/problem.js';
import {
  ReferralListItemSchema,
  ReferralViewSchema,
  SignalAcceptedSchema,
  SignalViewSchema,
} from '../../schemas/views.js';
import { consultationSubmission, referralSubmission } from '../helpers/factories.js';
import {
  type Answer,
  call,
  eventually,
  localConfig,
  municipality,
  receiveFromTeamQueue,
  school,
  team,
} from './api-client.js';

// The v1 contract over HTTP against local mode: real handlers, authorizer, DynamoDB Local,
// fauxqs, the intake and stream event sources.

const AMSTERDAM_TEAM = 'jgt-amsterdam-centrum';
const TEST_BSN = '999900018';

const newSourceId = () => `lvs-${randomUUID()}`;

/** Every body is checked against the schema the OpenAPI document publishes for it. */
function expectProblem(answer: Answer, status: number) {
  expect(answer.status).toBe(status);
  expect(answer.headers.get('content-type')).toContain('application/problem+json');
  expect(answer.headers.get('api-version')).toMatch(/^\d+\.\d+\.\d+$/);
  const problem = ProblemSchema.parse(answer.body);
  expect(problem.status).toBe(status);
  return problem;
}

const TeamPageSchema = z.object({ items: z.array(ReferralListItemSchema), next: z.string().optional() });
const ReferralStateSchema = z.object({
  ...ReferralListItemSchema.shape,
  history: z.array(z.object({ status: z.string() })),
});
const OpenApiSchema = z.object({
  openapi: z.string(),
  servers: z.array(z.object({ url: z.string() })),
  paths: z.record(z.string(), z.unknown()),
});

const signalView = async (signalId: string) =>
  SignalViewSchema.parse((await call('GET', `/v1/signals/${signalId}`, { apiKey: school().apiKey })).body);

async function submitReferral(overrides: Parameters<typeof referralSubmission>[0] = {}) {
  const body = referralSubmission({ sourceId: newSourceId(), ...overrides });
  const answer = await call('POST', '/v1/signals', { apiKey: school().apiKey, body });
  expect(answer.status).toBe(202);
  return { body, id: SignalAcceptedSchema.parse(answer.body).id, answer };
}

async function routedReferralId(signalId: string): Promise<string> {
  return eventually(async () => {
    const view = await signalView(signalId);
    return view.status === 'routed' ? view.referrals[0]?.id : undefined;
  });
}

describe('POST /v1/signals', () => {
  it('accepts a referral with 202, a Location and the status received', async () => {
    const { id, answer } = await submitReferral();

    expect(answer.body).toEqual({ id, status: 'received' });
    expect(answer.headers.get('location')).toBe(`/v1/signals/${id}`);
    expect(answer.headers.get('api-version')).toBe('1.0.0');
  });

  it('returns the same id for the same sourceId and body, and 409 for other content', async () => {
    const { body, id } = await submitReferral();

    const again = await call('POST', '/v1/signals', { apiKey: school().apiKey, body });
    const changed = await call('POST', '/v1/signals', {
      apiKey: school().apiKey,
      body: { ...body, urgency: 'urgent' },
    });

    expect(again.status).toBe(202);
    expect(SignalAcceptedSchema.parse(again.body).id).toBe(id);
    expectProblem(changed, 409);
  });

  it('accepts a consultation without any pupil identity', async () => {
    const answer = await call('POST', '/v1/signals', {
      apiKey: school().apiKey,
      body: consultationSubmission({ sourceId: newSourceId() }),
    });

    expect(answer.status).toBe(202);
  });

  it.each([
    ['a wrong BSN', referralSubmission({ pupil: { bsn: '999900019' } }), 'pupil.bsn', /11-proof/],
    [
      'a BSN on a consultation',
      consultationSubmission({ pupil: { bsn: TEST_BSN } as never }),
      'pupil.bsn',
      /must not be present/,
    ],
    [
      'no pupil consent at 13',
      referralSubmission({ pupil: { birthDate: '2013-01-10' }, consent: { parents: true, pupil: false } }),
      'consent.pupil',
      /consent of the pupil is required/,
    ],
    [
      'an unknown municipality',
      referralSubmission({ pupil: { municipality: '9999' } }),
      'pupil.municipality',
      /CBS list/,
    ],
    ['a missing summary', referralSubmission({ summary: undefined }), 'summary', /is required/],
  ])('answers 400 naming the field for %s, and stores nothing', async (_case, body, field, reason) => {
    const sourceId = newSourceId();

    const answer = await call('POST', '/v1/signals', {
      apiKey: school().apiKey,
      body: { ...body, sourceId },
    });

    const problem = expectProblem(answer, 400);
    const param = problem.invalidParams?.find((p) => p.name === field);
    expect(param?.reason).toMatch(reason);
    // Nothing was kept under that sourceId: a valid signal with it is new, not a conflict.
    const valid = await call('POST', '/v1/signals', {
      apiKey: school().apiKey,
      body: referralSubmission({ sourceId }),
    });
    expect(valid.status).toBe(202);
  });

  it('answers 400 for a body that is not JSON', async () => {
    expectProblem(
      await call('POST', '/v1/signals', { apiKey: school().apiKey, rawBody: '{"sourceId": ' }),
      400,
    );
  });

  it('answers 415 for a body that is not application/json', async () => {
    const answer = await call('POST', '/v1/signals', {
      apiKey: school().apiKey,
      rawBody: 'sourceId=1',
      contentType: 'application/x-www-form-urlencoded',
    });
    expectProblem(answer, 415);
  });

  it('answers 413 for a body over the limit', async () => {
    const body = referralSubmission({ sourceId: newSourceId(), summary: 'x'.repeat(70_000) });
    expectProblem(await call('POST', '/v1/signals', { apiKey: school().apiKey, body }), 413);
  });

  it.each([
    ['no key', undefined],
    ['an unknown key', 'sk_local_unknown_key_0000000000000000000000'],
  ])('answers 401 with %s', async (_case, apiKey) => {
    const answer = await call('POST', '/v1/signals', {
      ...(apiKey ? { apiKey } : {}),
      body: referralSubmission(),
    });
    expectProblem(answer, 401);
  });

  it('answers 403 when a team tries to submit a signal', async () => {
    const answer = await call('POST', '/v1/signals', {
      apiKey: team(AMSTERDAM_TEAM).apiKey,
      body: referralSubmission({ sourceId: newSourceId() }),
    });
    expectProblem(answer, 403);
  });
});

describe('unknown routes and the OpenAPI document', () => {
  it('answers 404 problem+json for an unknown path', async () => {
    expectProblem(await call('GET', '/v1/nothing-here', { apiKey: school().apiKey }), 404);
  });

  it('publishes the OpenAPI document generated from the schemas without a key', async () => {
    const answer = await call('GET', '/v1/openapi.json');

    expect(answer.status).toBe(200);
    expect(answer.headers.get('api-version')).toBe('1.0.0');
    const document = OpenApiSchema.parse(answer.body);
    expect(document.openapi).toMatch(/^3\./);
    // The major version is in the server URL (NL API Design Rules); paths are relative to it.
    expect(document.servers).toEqual([expect.objectContaining({ url: '/v1' })]);
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/signals', '/signals/{id}', '/referrals/{id}/events', '/audit-events']),
    );
  });
});

describe('the flow from school to team and back', () => {
  it('routes, delivers a CloudEvent, tracks the lifecycle and audits every step', async () => {
    const { id: signalId } = await submitReferral();
    const referralId = await routedReferralId(signalId);
    const amsterdam = team(AMSTERDAM_TEAM);

    const event = await receiveFromTeamQueue(amsterdam.queueUrl, (m) => {
      const parsed = ReferralCloudEventSchema.safeParse(m);
      return parsed.success && parsed.data.data.signalId === signalId ? parsed.data : undefined;
    });
    expect(event).toMatchObject({
      specversion: '1.0',
      type: 'nl.schakel.referral.queued.v1',
      data: { referralId },
    });
    expect(JSON.stringify(event)).not.toContain(TEST_BSN);

    const details = await call('GET', `/v1/referrals/${referralId}`, { apiKey: amsterdam.apiKey });
    expect(details.status).toBe(200);
    expect(ReferralViewSchema.parse(details.body).signal.pupil).toMatchObject({ bsn: TEST_BSN });

    for (const type of ['delivered', 'accepted', 'started', 'closed']) {
      const answer = await call('POST', `/v1/referrals/${referralId}/events`, {
        apiKey: amsterdam.apiKey,
        body: { type },
      });
      expect(answer.status, type).toBe(200);
      expect(ReferralStateSchema.parse(answer.body).status).toBe(type);
    }
    const late = await call('POST', `/v1/referrals/${referralId}/events`, {
      apiKey: amsterdam.apiKey,
      body: { type: 'rejected', reason: 'too late' },
    });
    expectProblem(late, 409);

    const view = await signalView(signalId);
    expect(view.referrals).toEqual([
      expect.objectContaining({ id: referralId, teamId: AMSTERDAM_TEAM, status: 'closed' }),
    ]);

    const trail = await eventually(async () => {
      const answer = await call('GET', '/v1/audit-events?municipality=0363&limit=100', {
        apiKey: municipality('0363').apiKey,
      });
      const page = AuditPageSchema.parse(answer.body);
      const mine = page.items.filter((e) => e.object.signalId === signalId);
      return mine.length >= 8 ? { all: page.items, mine } : undefined;
    });
    expect(trail.mine.map((e) => e.eventType)).toEqual(
      expect.arrayContaining([
        'signal.received',
        'signal.routed',
        'referral.queued',
        'referral.read',
        'referral.delivered',
        'referral.accepted',
        'referral.started',
        'referral.closed',
      ]),
    );
    expect(JSON.stringify(trail.all)).not.toContain(TEST_BSN);
    expect(verifyChain(trail.all).valid).toBe(true);
  });

  it('lets the school withdraw, and the team hears about it', async () => {
    const { id: signalId } = await submitReferral();
    const referralId = await routedReferralId(signalId);

    const answer = await call('POST', `/v1/signals/${signalId}/withdraw`, { apiKey: school().apiKey });

    expect(answer.status).toBe(200);
    expect(SignalViewSchema.parse(answer.body)).toMatchObject({
      status: 'withdrawn',
      referrals: [{ id: referralId, status: 'withdrawn' }],
    });
    await receiveFromTeamQueue(team(AMSTERDAM_TEAM).queueUrl, (m) => {
      const parsed = ReferralCloudEventSchema.safeParse(m);
      const matches = parsed.success && parsed.data.type === 'nl.schakel.referral.withdrawn.v1';
      return matches && parsed.data.subject === referralId ? parsed.data : undefined;
    });
  });
});

describe('tenant isolation', () => {
  it('hides a referral from another team as 404, and refuses a team the school operations as 403', async () => {
    const { id: signalId } = await submitReferral();
    const referralId = await routedReferralId(signalId);

    expectProblem(
      await call('GET', `/v1/referrals/${referralId}`, { apiKey: team('jgt-hillegom').apiKey }),
      404,
    );
    expectProblem(
      await call('POST', `/v1/referrals/${referralId}/events`, {
        apiKey: team('jgt-hillegom').apiKey,
        body: { type: 'delivered' },
      }),
      404,
    );
    // Which roles may use an operation is public (the OpenAPI document says it): no tenant leaks.
    expectProblem(await call('GET', `/v1/signals/${signalId}`, { apiKey: team(AMSTERDAM_TEAM).apiKey }), 403);
  });

  it('hides another municipality’s audit trail as 404', async () => {
    const answer = await call('GET', '/v1/audit-events?municipality=0363', {
      apiKey: municipality('0534').apiKey,
    });
    expectProblem(answer, 404);
  });

  it('lists only the team’s own referrals', async () => {
    const { id: signalId } = await submitReferral({ pupil: { municipality: '0534', postcode: '2181AA' } });
    const referralId = await eventually(async () => (await signalView(signalId)).referrals[0]?.id);

    const hillegom = await call('GET', '/v1/referrals?limit=100', { apiKey: team('jgt-hillegom').apiKey });
    const amsterdam = await call('GET', '/v1/referrals?limit=100', { apiKey: team(AMSTERDAM_TEAM).apiKey });

    expect(TeamPageSchema.parse(hillegom.body).items.map((r) => r.id)).toContain(referralId);
    expect(TeamPageSchema.parse(amsterdam.body).items.map((r) => r.id)).not.toContain(referralId);
  });
});

describe('pupil data at rest', () => {
  const dynamodb = new DynamoDBClient({
    region: localConfig.region,
    endpoint: localConfig.dynamodbEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

  async function everyStateItem(): Promise<string> {
    const { TableNames = [] } = await dynamodb.send(new ListTablesCommand({}));
    const texts: string[] = [];
    for (const TableName of TableNames) {
      let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
      do {
        const page = await dynamodb.send(new ScanCommand({ TableName, ExclusiveStartKey }));
        texts.push(JSON.stringify(page.Items ?? []));
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
    }
    return texts.join('\n');
  }

  it('keeps no BSN, birth date, postcode, name or summary readable in any table, yet the team reads them', async () => {
    const secrets = {
      bsn: '999900043',
      birthDate: '2013-07-04',
      postcode: '2181 AB',
      name: 'Annemarie Zwaneveld',
      email: 'a.zwaneveld@school.example',
      summary: 'Leerling slaapt in de klas sinds de scheiding van de ouders',
    };
    const { id } = await submitReferral({
      pupil: { bsn: secrets.bsn, birthDate: secrets.birthDate, postcode: secrets.postcode },
      summary: secrets.summary,
      contact: { name: secrets.name, email: secrets.email },
      consent: { parents: true, pupil: true },
    });
    const referralId = await routedReferralId(id);

    const read = await call('GET', `/v1/referrals/${referralId}`, { apiKey: team(AMSTERDAM_TEAM).apiKey });
    const view = ReferralViewSchema.parse(read.body);
    expect(view.signal.pupil).toMatchObject({
      bsn: secrets.bsn,
      birthDate: secrets.birthDate,
      postcode: '2181AB',
    });
    expect(view.signal).toMatchObject({ summary: secrets.summary, contact: { name: secrets.name } });

    const stored = await everyStateItem();
    expect(stored).toContain(id);
    for (const secret of [...Object.values(secrets), '2181AB']) expect(stored).not.toContain(secret);
  });
});

describe('identical requests in parallel (a consumer retrying on a timeout)', () => {
  it('answers twenty identical delivered events with 200 each and records the event once', async () => {
    const { id } = await submitReferral();
    const referralId = await routedReferralId(id);

    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        call('POST', `/v1/referrals/${referralId}/events`, {
          apiKey: team(AMSTERDAM_TEAM).apiKey,
          body: { type: 'delivered' },
        }),
      ),
    );

    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    const state = ReferralStateSchema.parse(answers[0]?.body);
    expect(state.history.map((h) => h.status)).toEqual(['queued', 'delivered']);
  });

  it('answers ten identical withdrawals with 200 each', async () => {
    const { id } = await submitReferral();
    await routedReferralId(id);

    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        call('POST', `/v1/signals/${id}/withdraw`, { apiKey: school().apiKey }),
      ),
    );

    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect((await signalView(id)).status).toBe('withdrawn');
  });
});
