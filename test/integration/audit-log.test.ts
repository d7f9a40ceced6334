import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../domain/audit-chain.js';
import { DynamoDbAuditLog } from '../../functions/shared/adapters/dynamodb-audit-log.js';
import { InvalidCursorError } from '../../functions/shared/errors.js';
import type { AuditEntryDraft } from '../../functions/shared/ports/audit-log.js';
import { createAuditTable, deleteTable, type EmulatedAws, emulatedAws } from '../helpers/emulated-aws.js';

const aws: EmulatedAws = emulatedAws();
let table: string;
let audit: DynamoDbAuditLog;

beforeAll(async () => {
  table = await createAuditTable(aws);
  audit = new DynamoDbAuditLog(aws.documents, table);
});

afterAll(async () => {
  await deleteTable(aws, table);
});

function draft(municipality: string, occurredAt = '2026-11-22T10:00:00.000Z'): AuditEntryDraft {
  const id = randomUUID();
  return {
    id: `SIGNAL#${id}#v1`,
    municipality,
    occurredAt,
    action: 'C',
    eventType: 'signal.received',
    outcome: 'success',
    actor: { clientId: 'school-1', role: 'school', organisation: 'School' },
    object: { type: 'signal', id, signalId: id, pupilPseudonym: 'pp-abc' },
    purpose: 'youth-care-access',
  };
}

async function everything(municipality: string) {
  const all = [];
  let cursor: string | undefined;
  do {
    const page = await audit.list({ municipality, limit: 7, cursor });
    all.push(...page.items);
    cursor = page.next;
  } while (cursor);
  return all;
}

describe('DynamoDbAuditLog', () => {
  it('chains entries per municipality so the export verifies from genesis', async () => {
    await audit.append('0363', [draft('0363'), draft('0363'), draft('0363')]);
    for (let i = 0; i < 2; i++) await audit.append('0363', [draft('0363')]);
    await audit.append('0534', [draft('0534')]);

    const amsterdam = await everything('0363');

    expect(amsterdam.map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5]);
    expect(verifyChain(amsterdam)).toMatchObject({ valid: true, count: 5 });
    expect(verifyChain(await everything('0534'))).toMatchObject({ valid: true, count: 1 });
  });

  it('appends an event id only once, however often it is offered', async () => {
    const entry = draft('0014');

    const outcomes = [
      await audit.append('0014', [entry]),
      await audit.append('0014', [entry, { ...entry }]),
      await audit.append('0014', [{ ...entry }]),
    ];

    expect(outcomes).toEqual([
      { appended: 1, duplicates: 0 },
      { appended: 0, duplicates: 2 },
      { appended: 0, duplicates: 1 },
    ]);
    expect(await everything('0014')).toHaveLength(1);
  });

  it('keeps the chain gapless when many writers append at once', async () => {
    const drafts = Array.from({ length: 12 }, () => draft('0599'));
    // Duplicates mixed in, as a retried stream batch would offer them.
    const offers = [...drafts, ...drafts.slice(0, 4)];

    // Single events and batches of three, racing.
    const batches = [
      ...offers.slice(0, 6).map((d) => [d]),
      offers.slice(6, 9),
      offers.slice(9, 12),
      offers.slice(12),
    ];
    const outcomes = await Promise.all(batches.map((b) => audit.append('0599', b)));

    expect(outcomes.reduce((n, o) => n + o.appended, 0)).toBe(12);
    expect(outcomes.reduce((n, o) => n + o.duplicates, 0)).toBe(4);
    const chain = await everything('0599');
    expect(chain.map((e) => e.sequence)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(new Set(chain.map((e) => e.id)).size).toBe(12);
    expect(verifyChain(chain).valid).toBe(true);
  });

  it('appends a backlog of 250 events in order, in full transactions', async () => {
    const drafts = Array.from({ length: 250 }, () => draft('0307'));

    await expect(audit.append('0307', drafts)).resolves.toEqual({ appended: 250, duplicates: 0 });

    const chain = await everything('0307');
    expect(chain.map((e) => e.id)).toEqual(drafts.map((d) => d.id));
    expect(verifyChain(chain)).toMatchObject({ valid: true, count: 250 });
  });

  it('filters by occurrence time, with from inclusive and to exclusive', async () => {
    await audit.append('0344', [
      draft('0344', '2026-11-01T00:00:00.000Z'),
      draft('0344', '2026-11-10T00:00:00.000Z'),
      draft('0344', '2026-11-20T00:00:00.000Z'),
    ]);

    const page = await audit.list({
      municipality: '0344',
      from: '2026-11-10T00:00:00.000Z',
      to: '2026-11-20T00:00:00.000Z',
      limit: 50,
    });

    expect(page.items.map((e) => e.occurredAt)).toEqual(['2026-11-10T00:00:00.000Z']);
  });

  it('never records an entry earlier than the one before it, whatever a writer’s clock says', async () => {
    const times = ['2026-11-22T12:00:00.000Z', '2026-11-22T11:59:58.000Z', '2026-11-22T12:00:03.000Z'];
    let clock = 0;
    const skewed = new DynamoDbAuditLog(aws.documents, table, () => new Date(times[clock++] as string));
    for (let i = 0; i < 3; i++) await skewed.append('0200', [draft('0200')]);

    const chain = await everything('0200');

    // The second writer's clock is two seconds behind: it takes the head's time instead.
    expect(chain.map((e) => e.recordedAt)).toEqual([times[0], times[0], times[2]]);
    expect(verifyChain(chain)).toMatchObject({ valid: true, count: 3 });
  });

  it('rejects a cursor issued for another municipality', async () => {
    await audit.append('0153', [draft('0153'), draft('0153'), draft('0153')]);
    const page = await audit.list({ municipality: '0153', limit: 1 });
    expect(page.next).toBeDefined();

    await expect(audit.list({ municipality: '0363', limit: 1, cursor: page.next })).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
  });
});
