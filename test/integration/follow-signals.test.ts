import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FOLLOW_SIGNALS_OPERATIONS } from '../../functions/follow-signals/declaration.js';
import { listSignals } from '../../functions/follow-signals/follow-signals.js';
import { DynamoDbStateStore } from '../../functions/shared/adapters/dynamodb-state-store.js';
import { TRACK_REFERRAL_OPERATIONS } from '../../functions/track-referral/declaration.js';
import { listReferrals } from '../../functions/track-referral/track-referral.js';
import { municipalityClient } from '../helpers/clients.js';
import { createStateTable, deleteTable, type EmulatedAws, emulatedAws } from '../helpers/emulated-aws.js';
import { storedReferral, storedSignal } from '../helpers/factories.js';
import { HUB_CONFIG } from '../helpers/fake-hub.js';
import { FakeAccessLog, FakeTeamQueue, FakeVault, fixedClock } from '../helpers/fakes.js';

// The searches of a municipality page by cursor through the use cases on DynamoDB Local: every
// item once, in order, the cursor as the API hands it out and takes it back (the fake store of the
// unit tests has no paging).

const aws: EmulatedAws = emulatedAws();
let table: string;
let store: DynamoDbStateStore;

beforeAll(async () => {
  table = await createStateTable(aws);
  store = new DynamoDbStateStore(aws.documents, table);
});

afterAll(async () => {
  await deleteTable(aws, table);
});

const id = () => randomUUID();
const at = (minute: number) =>
  new Date(Date.parse('2026-11-22T10:00:00.000Z') + minute * 60_000).toISOString();
const NOW = '2026-12-20T10:00:00.000Z';

describe('GET /v1/signals as a municipality, page by page', () => {
  it('hands out every signal of its pupils once, newest first, following next', async () => {
    // A municipality code of its own for this test: 1525 (Teylingen).
    const mine = [0, 1, 2, 3, 4].map((m) =>
      storedSignal({ id: id(), sourceId: `lvs-${id()}`, municipality: '1525', receivedAt: at(m) }),
    );
    for (const signal of mine) await store.createSignal(signal);
    const deps = {
      signals: store,
      teams: new FakeTeamQueue(),
      config: HUB_CONFIG,
      deployment: 'demo',
      now: fixedClock(NOW),
    };
    const client = municipalityClient(['1525']);

    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const query = FOLLOW_SIGNALS_OPERATIONS.listSignals.query.parse({
        limit: '2',
        ...(cursor ? { cursor } : {}),
      });
      const answer = await listSignals(deps, { client, user: undefined, query });
      seen.push(...answer.items.map((item) => item.id));
      cursor = answer.next;
      if (!cursor) break;
    }

    expect(seen).toEqual([...mine].reverse().map((s) => s.id));
  });
});

describe('GET /v1/referrals?overdue=true as a municipality, page by page', () => {
  it('hands out every overdue referral once, most overdue first, following next', async () => {
    const overdue = [3, 1, 2].map((day) =>
      storedReferral({
        id: id(),
        municipality: '0575',
        teamId: `team-${id().slice(0, 8)}`,
        status: 'accepted',
        dueAt: at(day * 1440),
        overdueAt: at(day * 1440 + 60),
      }),
    );
    for (const referral of overdue) await store.commit([{ entity: 'referral', record: referral }]);
    const deps = {
      referrals: store,
      access: new FakeAccessLog(),
      vault: new FakeVault(),
      config: HUB_CONFIG,
      teams: new FakeTeamQueue(),
      deployment: 'demo',
      now: fixedClock(NOW),
    };
    const client = municipalityClient(['0575']);

    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const query = TRACK_REFERRAL_OPERATIONS.listReferrals.query.parse({
        overdue: 'true',
        limit: '1',
        ...(cursor ? { cursor } : {}),
      });
      const answer = await listReferrals(deps, { client, user: undefined, query });
      seen.push(...answer.items.map((item) => item.id));
      cursor = answer.next;
      if (!cursor) break;
    }

    const mostOverdueFirst = [...overdue].sort((a, b) => ((a.dueAt ?? '') < (b.dueAt ?? '') ? -1 : 1));
    expect(seen).toEqual(mostOverdueFirst.map((r) => r.id));
  });
});
