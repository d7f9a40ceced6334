import { describe, expect, it } from 'vitest';
import { InvalidCursorError } from '../../functions/shared/errors.js';
import type { StoredReferral } from '../../functions/shared/model.js';
import type { ReferralStore } from '../../functions/shared/ports/referral-store.js';
import type { SignalStore } from '../../functions/shared/ports/signal-store.js';
import { storedReferral, storedSignal } from './factories.js';

// What every state store must do, run against the in-memory fake (unit) and the DynamoDB adapter
// on DynamoDB Local (integration): the fake the use-case tests rely on behaves like the real one.

type Store = SignalStore & ReferralStore;

/** A received signal with its own (client, sourceId), so stores shared between tests keep them apart. */
const newSignal = (id: string) => storedSignal({ id, sourceId: `src-${id}` });

export function stateStoreContract(name: string, makeStore: () => Promise<Store> | Store): void {
  describe(`${name} (state store contract)`, () => {
    it('answers exists with the first id and hash for a known (client, sourceId)', async () => {
      const store = await makeStore();
      const first = { ...newSignal('00000000-0000-4000-8000-0000000000a1'), contentHash: 'h1' };
      await store.createSignal(first);

      const outcome = await store.createSignal({
        ...first,
        id: '00000000-0000-4000-8000-0000000000a2',
        contentHash: 'h2',
      });

      expect(outcome).toEqual({ outcome: 'exists', signalId: first.id, contentHash: 'h1' });
      expect(await store.getSignal('00000000-0000-4000-8000-0000000000a2')).toBeUndefined();
    });

    it('creates a record at version 1 once: a second create of the same id is a conflict', async () => {
      const store = await makeStore();
      const referral = storedReferral({ id: '00000000-0000-4000-8000-0000000000b1' });

      const outcomes = [
        await store.commit([{ entity: 'referral', record: referral }]),
        await store.commit([{ entity: 'referral', record: { ...referral, teamId: 'jgt-hillegom' } }]),
      ];

      expect(outcomes).toEqual(['committed', 'conflict']);
      expect((await store.getReferral(referral.id))?.teamId).toBe(referral.teamId);
    });

    it('replaces version n − 1 with version n and nothing else', async () => {
      const store = await makeStore();
      const referral = storedReferral({ id: '00000000-0000-4000-8000-0000000000c1' });
      await store.commit([{ entity: 'referral', record: referral }]);

      const skipped = await store.commit([
        { entity: 'referral', record: { ...referral, status: 'accepted', version: 3 } },
      ]);
      const next = await store.commit([
        { entity: 'referral', record: { ...referral, status: 'delivered', version: 2 } },
      ]);
      const stale = await store.commit([
        { entity: 'referral', record: { ...referral, status: 'rejected', version: 2 } },
      ]);

      expect([skipped, next, stale]).toEqual(['conflict', 'committed', 'conflict']);
      expect(await store.getReferral(referral.id)).toMatchObject({ status: 'delivered', version: 2 });
    });

    it('writes all records of a commit or none', async () => {
      const store = await makeStore();
      const signal = newSignal('00000000-0000-4000-8000-0000000000d1');
      await store.createSignal(signal);
      const referral = storedReferral({ id: '00000000-0000-4000-8000-0000000000d2', signalId: signal.id });

      // The signal is at version 1, so version 3 cannot be written: the new referral must not be either.
      const outcome = await store.commit([
        { entity: 'referral', record: referral },
        { entity: 'signal', record: { ...signal, status: 'routed', referralIds: [referral.id], version: 3 } },
      ]);

      expect(outcome).toBe('conflict');
      expect(await store.getReferral(referral.id)).toBeUndefined();
      expect(await store.getSignal(signal.id)).toMatchObject({ status: 'received', version: 1 });
    });

    it('stores a record as it was given and hands it back without table attributes', async () => {
      const store = await makeStore();
      const signal = newSignal('00000000-0000-4000-8000-0000000000e1');
      await store.createSignal(signal);
      const routed = { ...signal, status: 'routed' as const, referralIds: ['x'], version: 2 };

      await store.commit([{ entity: 'signal', record: routed }]);

      expect(await store.getSignal(signal.id)).toEqual(routed);
    });

    it('lists a team’s referrals newest first, filling a page filtered by status', async () => {
      const store = await makeStore();
      const team = `team-${Math.random().toString(36).slice(2, 8)}`;
      const older = storedReferral({
        id: '00000000-0000-4000-8000-0000000000f1',
        teamId: team,
        status: 'accepted',
        createdAt: '2026-11-21T00:00:00.000Z',
      });
      const newer = storedReferral({
        id: '00000000-0000-4000-8000-0000000000f2',
        teamId: team,
        createdAt: '2026-11-22T00:00:00.000Z',
      });
      await store.commit([{ entity: 'referral', record: older }]);
      await store.commit([{ entity: 'referral', record: newer }]);

      const all = await store.listTeamReferrals(team, { limit: 10 });
      const filtered = await store.listTeamReferrals(team, { limit: 1, status: 'accepted' });

      expect(all.items.map((r) => r.id)).toEqual([newer.id, older.id]);
      expect(filtered.items.map((r) => r.id)).toEqual([older.id]);
      const rest = filtered.next
        ? await store.listTeamReferrals(team, { limit: 1, status: 'accepted', cursor: filtered.next })
        : { items: [] };
      expect(rest.items).toEqual([]);
    });

    it('refuses a cursor of another team’s list', async () => {
      const store = await makeStore();
      const team = `team-${Math.random().toString(36).slice(2, 8)}`;
      for (const [i, createdAt] of ['2026-11-21T00:00:00.000Z', '2026-11-22T00:00:00.000Z'].entries()) {
        await store.commit([
          {
            entity: 'referral',
            record: storedReferral({
              id: `00000000-0000-4000-8000-00000000010${i}`,
              teamId: team,
              createdAt,
            }),
          },
        ]);
      }
      const { next } = await store.listTeamReferrals(team, { limit: 1 });

      await expect(
        store.listTeamReferrals('jgt-amsterdam', { limit: 1, cursor: next }),
      ).rejects.toBeInstanceOf(InvalidCursorError);
    });

    it('reads a signal with its referrals in the signal’s order, whether expected or not', async () => {
      const store = await makeStore();
      const signal = newSignal('00000000-0000-4000-8000-000000000301');
      await store.createSignal(signal);
      const [first, second] = [
        '00000000-0000-4000-8000-000000000302',
        '00000000-0000-4000-8000-000000000303',
      ].map((id) => storedReferral({ id, signalId: signal.id })) as [StoredReferral, StoredReferral];
      const routed = { ...signal, status: 'routed' as const, referralIds: [first.id, second.id], version: 2 };
      await store.commit([
        { entity: 'referral', record: first },
        { entity: 'referral', record: second },
        { entity: 'signal', record: routed },
      ]);
      const unrelated = storedReferral({ id: '00000000-0000-4000-8000-000000000304' });
      await store.commit([{ entity: 'referral', record: unrelated }]);

      const read = await Promise.all([
        store.getSignalWithReferrals(signal.id, [second.id]),
        store.getSignalWithReferrals(signal.id, []),
        store.getSignalWithReferrals(signal.id, [second.id, unrelated.id, first.id, second.id]),
      ]);

      for (const answer of read) expect(answer).toEqual({ signal: routed, referrals: [first, second] });
    });

    it('answers undefined for a signal it does not hold', async () => {
      const store = await makeStore();

      await expect(
        store.getSignalWithReferrals('00000000-0000-4000-8000-000000000399', ['x']),
      ).resolves.toBeUndefined();
    });

    it('hands out copies, so a caller cannot change what is stored', async () => {
      const store = await makeStore();
      const signal = newSignal('00000000-0000-4000-8000-000000000201');
      await store.createSignal(signal);

      const read = await store.getSignal(signal.id);
      if (read) read.status = 'withdrawn';

      expect((await store.getSignal(signal.id))?.status).toBe('received');
    });
  });
}
