import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../../domain/audit-chain.js';
import { DEFAULT_RETENTION } from '../../domain/retention.js';
import { type ApplyRetentionDeps, applyRetention } from '../../functions/apply-retention/apply-retention.js';
import { RETENTION_ACTOR } from '../../functions/apply-retention/purge-pupil-data.js';
import { trimChain } from '../../functions/apply-retention/trim-audit-trail.js';
import { DynamoDbAuditLog } from '../../functions/shared/adapters/dynamodb-audit-log.js';
import { DynamoDbAuditRetention } from '../../functions/shared/adapters/dynamodb-audit-retention.js';
import { createStreamsClient } from '../../functions/shared/adapters/dynamodb-client.js';
import { DynamoDbPurgeCandidates } from '../../functions/shared/adapters/dynamodb-purge-candidates.js';
import { DynamoDbStateStore } from '../../functions/shared/adapters/dynamodb-state-store.js';
import { referralKey, signalKey } from '../../functions/shared/adapters/state-items.js';
import { toStateChange } from '../../functions/shared/adapters/stream-records.js';
import type { StoredReferral, StoredSignal } from '../../functions/shared/model.js';
import type { AuditEntryDraft } from '../../functions/shared/ports/audit-log.js';
import { referralWrite, signalWrite, stepReferral } from '../../functions/shared/state-changes.js';
import { writeAudit } from '../../functions/write-audit/write-audit.js';
import type { AuditEvent } from '../../schemas/audit-event.js';
import {
  createAuditTable,
  createStateTable,
  deleteTable,
  type EmulatedAws,
  emulatedAws,
} from '../helpers/emulated-aws.js';
import { storedReferral, storedSignal } from '../helpers/factories.js';

// Retention on DynamoDB Local with a fake clock: the purge of a closed signal's pupil data through
// the real state store, stream and audit writer; the removal of whole calendar years from the audit
// chains behind a checkpoint that keeps what remains verifiable.

const aws: EmulatedAws = emulatedAws();
const tables: string[] = [];

afterEach(async () => {
  await Promise.all(tables.splice(0).map((t) => deleteTable(aws, t)));
});

async function freshTables() {
  const state = await createStateTable(aws);
  const audit = await createAuditTable(aws);
  tables.push(state, audit);
  return { state, audit };
}

/** A clock the test moves. */
function fakeClock(iso: string) {
  let now = new Date(iso);
  return { now: () => new Date(now), set: (to: string) => (now = new Date(to)) };
}

function depsFor(state: string, audit: string, clock: () => Date): ApplyRetentionDeps {
  return {
    signals: new DynamoDbStateStore(aws.documents, state),
    candidates: new DynamoDbPurgeCandidates(aws.documents, state),
    audit: new DynamoDbAuditLog(aws.documents, audit, clock),
    auditRetention: new DynamoDbAuditRetention(aws.documents, audit),
    periods: DEFAULT_RETENTION,
    now: clock,
  };
}

const plenty = { remainingMs: () => 15 * 60_000 };

async function rawItem(table: string, key: Record<string, string>) {
  const { Item } = await aws.documents.send(
    new GetCommand({ TableName: table, Key: key, ConsistentRead: true }),
  );
  return Item;
}

/** Every change the state table's stream holds, as write-audit is handed them. */
async function streamChanges(table: string) {
  const streams = createStreamsClient({ AWS_REGION: aws.region, DYNAMODB_ENDPOINT: aws.dynamodbEndpoint });
  const { Table } = await aws.dynamodb.send(new DescribeTableCommand({ TableName: table }));
  const { StreamDescription } = await streams.send(
    new DescribeStreamCommand({ StreamArn: Table?.LatestStreamArn as string }),
  );
  const records: DynamoDBRecord[] = [];
  for (const shard of StreamDescription?.Shards ?? []) {
    let { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: Table?.LatestStreamArn as string,
        ShardId: shard.ShardId as string,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    for (let empty = 0; ShardIterator && empty < 3; ) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator }));
      empty = page.Records?.length ? 0 : empty + 1;
      records.push(...((page.Records ?? []) as unknown as DynamoDBRecord[]));
      ShardIterator = page.NextShardIterator;
    }
  }
  streams.destroy();
  return records.map((record, i) => ({ key: String(i), change: toStateChange(record) }));
}

describe('apply-retention: pupil data', () => {
  const RECEIVED = '2026-11-22T10:00:00.000Z';
  const CLOSED = '2026-12-10T16:00:00.000Z';
  const DUE = '2027-06-10T16:00:00.000Z';

  /** A signal routed to two teams: one rejected it with a reason, the other closed it. */
  async function closedSignal(store: DynamoDbStateStore) {
    const rejected = storedReferral({ id: '7e1d9d5f-7a1b-4d64-8a2f-1c8c9eab2d03', teamId: 'jgt-a' });
    const closed = storedReferral({ id: '7e1d9d5f-7a1b-4d64-8a2f-1c8c9eab2d04', teamId: 'jgt-b' });
    const signal = storedSignal({ sealedSubmission: 'sealed:ciphertext-of-the-submission' });
    expect(await store.createSignal(signal)).toEqual({ outcome: 'created' });
    const routed: StoredSignal = {
      ...signal,
      status: 'routed',
      referralIds: [rejected.id, closed.id],
      version: 2,
      updatedAt: RECEIVED,
      lastChange: { ...signal.lastChange, eventType: 'signal.routed' },
    };
    expect(await store.commit([signalWrite(routed), referralWrite(rejected), referralWrite(closed)])).toBe(
      'committed',
    );
    const actor = { clientId: 'team', role: 'provider' as const };
    const step = (
      r: StoredReferral,
      event: Parameters<typeof stepReferral>[1],
      at: string,
      reason?: string,
    ) => {
      const next = stepReferral(r, event, { at, actor }, reason);
      if (!next.ok) throw new Error(`${event} refused`);
      return next.referral;
    };
    const a = step(rejected, 'rejected', '2026-11-23T09:00:00.000Z', 'De familie is al bekend bij ons team');
    expect(await store.commit([referralWrite(a)])).toBe('committed');
    let b = closed;
    for (const [event, at] of [
      ['delivered', '2026-11-22T10:05:00.000Z'],
      ['accepted', '2026-11-24T10:00:00.000Z'],
      ['started', '2026-11-30T10:00:00.000Z'],
      ['closed', CLOSED],
    ] as const) {
      b = step(b, event, at);
      expect(await store.commit([referralWrite(b)])).toBe('committed');
    }
    return { signal: routed, referrals: [a, b] };
  }

  it('leaves the pupil data until six months after the close, then removes it as a new version', async () => {
    const { state, audit } = await freshTables();
    const clock = fakeClock('2027-06-10T15:59:59.999Z');
    const deps = depsFor(state, audit, clock.now);
    const { signal, referrals } = await closedSignal(deps.signals as DynamoDbStateStore);

    const early = await applyRetention(deps, plenty);
    clock.set(DUE);
    const due = await applyRetention(deps, plenty);

    expect(early.pupilData).toMatchObject({ candidates: 1, purgedSignals: 0, notDue: 1 });
    expect(due.pupilData).toMatchObject({ candidates: 1, purgedSignals: 1, purgedReferrals: 2 });
    const item = await rawItem(state, signalKey(signal.id));
    expect(item).not.toHaveProperty('sealedSubmission');
    expect(item).toMatchObject({
      version: 3,
      status: 'routed',
      pupilPseudonym: signal.pupilPseudonym,
      age: signal.age,
      concerns: signal.concerns,
      pupilDataPurgedAt: DUE,
      lastChange: {
        eventType: 'signal.purged',
        actor: RETENTION_ACTOR,
        purpose: 'retention',
        details: { reason: 'closed-period' },
      },
    });
    for (const referral of referrals) {
      const stored = await rawItem(state, referralKey(referral.id));
      expect(stored).toMatchObject({
        version: referral.version + 1,
        status: referral.status,
        lastChange: { eventType: 'referral.purged', purpose: 'retention' },
      });
      expect(stored?.history).toEqual(referral.history.map(({ reason: _r, ...entry }) => entry));
    }
    expect(JSON.stringify(await rawItem(state, referralKey(referrals[0]?.id as string)))).not.toContain(
      'familie',
    );
  });

  it('finds nothing to do the day after: the purged signal is no longer a candidate', async () => {
    const { state, audit } = await freshTables();
    const clock = fakeClock(DUE);
    const deps = depsFor(state, audit, clock.now);
    await closedSignal(deps.signals as DynamoDbStateStore);
    await applyRetention(deps, plenty);

    clock.set('2027-06-11T16:00:00.000Z');
    const next = await applyRetention(deps, plenty);

    expect(next.pupilData).toMatchObject({ candidates: 0, purgedSignals: 0 });
  });

  it('leaves a signal received less than six months ago out of the search', async () => {
    const { state, audit } = await freshTables();
    const deps = depsFor(state, audit, fakeClock('2027-05-01T00:00:00.000Z').now);
    await closedSignal(deps.signals as DynamoDbStateStore);

    expect(await deps.candidates.signalIds('2026-11-22T09:59:59.999Z')).toEqual([]);
    expect(await deps.candidates.signalIds(RECEIVED)).toEqual([storedSignal().id]);
  });

  it('chains the purge from the stream as a removal, and the audit of the signal still verifies', async () => {
    const { state, audit } = await freshTables();
    const clock = fakeClock(DUE);
    const deps = depsFor(state, audit, clock.now);
    const { signal } = await closedSignal(deps.signals as DynamoDbStateStore);
    await applyRetention(deps, plenty);

    const written = await writeAudit({ audit: deps.audit }, await streamChanges(state));

    // The one change left out is the idempotency record (SOURCE) written with the signal.
    expect(written).toMatchObject({ appended: 12, ignored: 1 });
    const entries = (await deps.audit.list({ municipality: '0363', limit: 100 })).items;
    expect(verifyChain(entries)).toMatchObject({ valid: true, count: 12 });
    const purges = entries.filter((e) => e.action === 'D');
    expect(purges.map((e) => [e.eventType, e.object.version, e.purpose])).toEqual([
      ['signal.purged', 3, 'retention'],
      ['referral.purged', 3, 'retention'],
      ['referral.purged', 6, 'retention'],
    ]);
    expect(purges[0]?.object).toMatchObject({ id: signal.id, pupilPseudonym: signal.pupilPseudonym });
    expect(JSON.stringify(entries)).not.toMatch(/familie|sealed:|999900018/);
  });
});

describe('apply-retention: audit trail', () => {
  function draft(municipality: string, n: number): AuditEntryDraft {
    const id = `5d0c8c4e-6f0a-4c53-9f1e-${String(n).padStart(12, '0')}`;
    return {
      id: `SIGNAL#${municipality}-${id}#v1`,
      municipality,
      occurredAt: '2026-01-01T00:00:00.000Z',
      action: 'C',
      eventType: 'signal.received',
      outcome: 'success',
      actor: { clientId: 'school-1', role: 'school' },
      object: { type: 'signal', id, signalId: id, pupilPseudonym: 'pp-abc', version: 1 },
      purpose: 'youth-care-access',
    };
  }

  /** Appends one entry per instant to `municipality`'s chain, each recorded at that instant. */
  async function chainAt(
    log: DynamoDbAuditLog,
    clock: ReturnType<typeof fakeClock>,
    municipality: string,
    instants: string[],
  ) {
    for (const [i, at] of instants.entries()) {
      clock.set(at);
      await log.append(municipality, [draft(municipality, i + 1)]);
    }
  }

  async function entriesOf(deps: ApplyRetentionDeps, municipality: string): Promise<AuditEvent[]> {
    return (await deps.audit.list({ municipality, limit: 1000 })).items;
  }

  async function setup() {
    const { state, audit } = await freshTables();
    const clock = fakeClock('2026-01-01T00:00:00.000Z');
    const deps = depsFor(state, audit, clock.now);
    const log = deps.audit as DynamoDbAuditLog;
    await chainAt(log, clock, '0363', [
      '2026-03-01T10:00:00.000Z',
      '2026-06-01T10:00:00.000Z',
      '2026-12-31T23:59:59.999Z',
      '2027-01-01T00:00:00.000Z',
      '2027-08-01T10:00:00.000Z',
      '2028-02-01T10:00:00.000Z',
    ]);
    await chainAt(log, clock, '0534', ['2026-04-01T10:00:00.000Z', '2026-05-01T10:00:00.000Z']);
    return { audit, clock, deps, before: await entriesOf(deps, '0363') };
  }

  it('removes nothing while the fifth year after it has not ended', async () => {
    const { clock, deps, before } = await setup();
    clock.set('2031-12-31T23:59:59.999Z');

    const run = await applyRetention(deps, plenty);

    expect(run.auditTrail).toMatchObject({ chains: 2, yearsRemoved: 0, entriesRemoved: 0 });
    expect(await entriesOf(deps, '0363')).toEqual(before);
    expect(await deps.auditRetention.readCheckpoint('0363')).toBeUndefined();
  });

  it('removes a whole year behind a checkpoint and a retention event, and what remains verifies', async () => {
    const { audit, clock, deps, before } = await setup();
    clock.set('2032-01-01T00:00:00.000Z');

    const run = await applyRetention(deps, plenty);

    expect(run).toMatchObject({
      complete: true,
      auditTrail: { chains: 2, yearsRemoved: 2, entriesRemoved: 5 },
    });
    const last2026 = before[2] as AuditEvent;
    const checkpoint = await deps.auditRetention.readCheckpoint('0363');
    expect(checkpoint).toEqual({ removedThroughYear: 2026, lastSequence: 3, lastHash: last2026.hash });
    const remaining = await entriesOf(deps, '0363');
    expect(remaining.map((e) => e.sequence)).toEqual([4, 5, 6, 7]);
    expect(remaining.at(-1)).toMatchObject({
      id: 'RETENTION#0363#2026',
      action: 'D',
      eventType: 'audit-trail.retention-applied',
      actor: RETENTION_ACTOR,
      object: { type: 'audit-trail', id: '0363' },
      purpose: 'retention',
      recordedAt: '2032-01-01T00:00:00.000Z',
      details: { removedThroughYear: 2026, lastSequence: 3, lastHash: last2026.hash, removedCount: 3 },
    });
    expect(verifyChain(remaining, { sequence: 3, hash: last2026.hash })).toMatchObject({
      valid: true,
      count: 4,
    });
    for (const removed of before.slice(0, 3)) {
      expect(await rawItem(audit, { pk: `EVENT#${removed.id}`, sk: 'EVENT' })).toBeUndefined();
    }
    expect(await rawItem(audit, { pk: `EVENT#${before[3]?.id}`, sk: 'EVENT' })).toBeDefined();
    expect(await rawItem(audit, { pk: 'CHAIN#0363', sk: 'HEAD' })).toMatchObject({ sequence: 7 });
  });

  it('keeps the head of a chain whose every entry was removed, and it goes on from there', async () => {
    const { audit, clock, deps } = await setup();
    const before = await entriesOf(deps, '0534');
    clock.set('2032-01-01T00:00:00.000Z');

    await applyRetention(deps, plenty);

    const remaining = await entriesOf(deps, '0534');
    expect(remaining.map((e) => [e.sequence, e.eventType])).toEqual([[3, 'audit-trail.retention-applied']]);
    expect(await rawItem(audit, { pk: 'CHAIN#0534', sk: 'HEAD' })).toMatchObject({ sequence: 3 });
    expect(verifyChain(remaining, { sequence: 2, hash: before[1]?.hash as string })).toMatchObject({
      valid: true,
    });
  });

  it('is idempotent: a second run on the same day appends and removes nothing', async () => {
    const { clock, deps } = await setup();
    clock.set('2032-01-01T00:00:00.000Z');
    await applyRetention(deps, plenty);
    const after = await entriesOf(deps, '0363');

    const again = await applyRetention(deps, plenty);

    expect(again.auditTrail).toMatchObject({ yearsRemoved: 0, entriesRemoved: 0 });
    expect(await entriesOf(deps, '0363')).toEqual(after);
  });

  it('moves the checkpoint on a year later, past the earlier retention event', async () => {
    const { clock, deps, before } = await setup();
    clock.set('2032-01-01T00:00:00.000Z');
    await applyRetention(deps, plenty);

    clock.set('2033-01-01T00:00:00.000Z');
    await applyRetention(deps, plenty);

    const last2027 = before[4] as AuditEvent;
    expect(await deps.auditRetention.readCheckpoint('0363')).toEqual({
      removedThroughYear: 2027,
      lastSequence: 5,
      lastHash: last2027.hash,
    });
    const remaining = await entriesOf(deps, '0363');
    expect(remaining.map((e) => e.id)).toEqual([before[5]?.id, 'RETENTION#0363#2026', 'RETENTION#0363#2027']);
    expect(verifyChain(remaining, { sequence: 5, hash: last2027.hash })).toMatchObject({
      valid: true,
      count: 3,
    });
  });

  it('finishes an interrupted year on the next run, appending its retention event once', async () => {
    const { state, audit } = await freshTables();
    const clock = fakeClock('2026-01-01T00:00:00.000Z');
    const deps = depsFor(state, audit, clock.now);
    const instants = Array.from({ length: 120 }, (_, i) =>
      new Date(Date.UTC(2026, 0, 2, 0, i)).toISOString(),
    );
    await chainAt(deps.audit as DynamoDbAuditLog, clock, '0363', [...instants, '2027-03-01T00:00:00.000Z']);
    const before = await entriesOf(deps, '0363');
    clock.set('2032-02-01T00:00:00.000Z');
    let calls = 0;
    const trimDeps = { ...deps, auditYears: 5 };

    // The second question is asked after the first page of deletions: stop there.
    const first = await trimChain(trimDeps, '0363', () => ++calls >= 2);
    const checkpoint = { sequence: 120, hash: before[119]?.hash as string };
    const between = await entriesOf(deps, '0363');
    const second = await trimChain(trimDeps, '0363', () => false);

    expect(first).toMatchObject({ complete: false, years: 0 });
    expect(first.entries).toBeGreaterThan(0);
    expect(first.entries).toBeLessThan(120);
    expect(await deps.auditRetention.readCheckpoint('0363')).toEqual({
      removedThroughYear: 2026,
      lastSequence: 120,
      lastHash: checkpoint.hash,
    });
    // Meanwhile an export reads past the checkpoint and verifies.
    expect(
      verifyChain(
        between.filter((e) => e.sequence > 120),
        checkpoint,
      ),
    ).toMatchObject({ valid: true, count: 2 });
    expect(second).toMatchObject({ complete: true, entries: 120 - first.entries });
    const remaining = await entriesOf(deps, '0363');
    expect(remaining.map((e) => e.sequence)).toEqual([121, 122]);
    expect(remaining.filter((e) => e.eventType === 'audit-trail.retention-applied')).toHaveLength(1);
    expect(verifyChain(remaining, checkpoint)).toMatchObject({ valid: true });
    const leftovers = await aws.documents.send(
      new QueryCommand({
        TableName: audit,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'CHAIN#0363' },
        ConsistentRead: true,
      }),
    );
    expect(leftovers.Items?.map((i) => i.sk).sort()).toEqual([
      'CHECKPOINT',
      'HEAD',
      'SEQ#000000000121',
      'SEQ#000000000122',
    ]);
  });
});
