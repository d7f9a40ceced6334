import { describe, expect, it } from 'vitest';
import { InvalidCursorError } from '../../../functions/shared/ports/referral-store.js';
import { storedReferral, storedSignal } from '../../helpers/factories.js';
import { FakeAuditLog, InMemoryStateStore } from '../../helpers/fakes.js';

// The fakes stand in for the DynamoDB adapters in every use-case test, so they must apply the
// same conditions (see dynamodb-signal-store.ts and dynamodb-referral-store.ts).

const change = {
  eventType: 'signal.unroutable' as const,
  at: '2026-11-22T10:00:05.000Z',
  actor: { clientId: 'schakel', role: 'system' as const },
};

describe('InMemoryStateStore', () => {
  it('answers exists with the first id and hash for a known (client, sourceId)', async () => {
    const store = new InMemoryStateStore();
    await store.createSignal(storedSignal({ id: 'first', contentHash: 'h1' }));

    const outcome = await store.createSignal(storedSignal({ id: 'second', contentHash: 'h2' }));

    expect(outcome).toEqual({ outcome: 'exists', signalId: 'first', contentHash: 'h1' });
    expect(store.allSignals().map((s) => s.id)).toEqual(['first']);
  });

  it('routes a signal only while it is received and only once per referral id', async () => {
    const store = new InMemoryStateStore();
    store.putSignal(storedSignal());

    const first = await store.routeSignal(storedSignal(), storedReferral());
    const second = await store.routeSignal(storedSignal(), storedReferral());

    expect([first.outcome, second.outcome]).toEqual(['routed', 'signal-not-received']);
    expect(store.allSignals()[0]).toMatchObject({
      status: 'routed',
      version: 2,
      referralIds: [storedReferral().id],
    });
  });

  it('marks a signal unroutable only while it is received', async () => {
    const store = new InMemoryStateStore();
    store.putSignal(storedSignal({ status: 'withdrawn', version: 2 }));

    await expect(store.markUnroutable(storedSignal(), change)).resolves.toBe(false);
    expect(store.writes).toEqual([]);
  });

  it('withdraws only when signal and referrals still have the versions read', async () => {
    const store = new InMemoryStateStore();
    store.putSignal(storedSignal({ status: 'routed', version: 2 }));
    store.putReferral(storedReferral({ version: 2, status: 'delivered' }));

    const outcome = await store.withdrawSignal(
      storedSignal({ status: 'routed', version: 2 }),
      [storedReferral({ version: 1 })],
      { ...change, eventType: 'signal.withdrawn' },
      undefined,
    );

    expect(outcome).toEqual({ outcome: 'changed-meanwhile' });
    expect(store.allSignals()[0]?.status).toBe('routed');
  });

  it('updates a referral only when it still has the version read', async () => {
    const store = new InMemoryStateStore();
    store.putReferral(storedReferral({ version: 2 }));

    const updated = await store.updateStatus(storedReferral({ version: 1 }), 'delivered', change, undefined);

    expect(updated).toBeUndefined();
    expect(store.allReferrals()[0]?.status).toBe('queued');
  });

  it('applies the list limit before the status filter, as a DynamoDB query does', async () => {
    const store = new InMemoryStateStore();
    store.putReferral(
      storedReferral({ id: 'r1', createdAt: '2026-11-21T00:00:00.000Z', status: 'accepted' }),
    );
    store.putReferral(storedReferral({ id: 'r2', createdAt: '2026-11-22T00:00:00.000Z', status: 'queued' }));

    const page = await store.listTeamReferrals('jgt-amsterdam', { limit: 1, status: 'accepted' });

    expect(page.items).toEqual([]);
    expect(page.next).toBeDefined();
  });

  it('refuses a cursor of another team', async () => {
    const store = new InMemoryStateStore();
    store.putReferral(storedReferral({ id: 'r1', teamId: 'jgt-hillegom' }));
    store.putReferral(
      storedReferral({ id: 'r2', teamId: 'jgt-hillegom', createdAt: '2026-11-21T00:00:00.000Z' }),
    );
    const { next } = await store.listTeamReferrals('jgt-hillegom', { limit: 1 });

    await expect(store.listTeamReferrals('jgt-amsterdam', { limit: 1, cursor: next })).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
  });

  it('hands out copies, so a caller cannot change what is stored', async () => {
    const store = new InMemoryStateStore();
    store.putSignal(storedSignal());

    const read = await store.getSignal(storedSignal().id);
    if (read) read.status = 'withdrawn';

    expect((await store.getSignal(storedSignal().id))?.status).toBe('received');
  });
});

describe('FakeAuditLog', () => {
  it('appends a draft id once across all chains and links the chain', async () => {
    const audit = new FakeAuditLog();
    const draft = {
      id: 'SIGNAL#a#v1',
      municipality: '0363',
      occurredAt: '2026-11-22T10:00:00.000Z',
      action: 'C' as const,
      eventType: 'signal.received' as const,
      outcome: 'success' as const,
      actor: { clientId: 'school-1', role: 'school' as const },
      object: { type: 'signal' as const, id: 'a' },
      purpose: 'youth-care-access',
    };

    const outcomes = [
      await audit.append(draft),
      await audit.append(draft),
      await audit.append({ ...draft, id: 'b' }),
    ];

    expect(outcomes).toEqual(['appended', 'duplicate', 'appended']);
    const [first, second] = audit.entries('0363');
    expect(second?.prevHash).toBe(first?.hash);
  });
});
