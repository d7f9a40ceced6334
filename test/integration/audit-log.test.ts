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
    for (let i = 0; i < 5; i++) await audit.append(draft('0363'));
    await audit.append(draft('0534'));

    const amsterdam = await everything('0363');

    expect(amsterdam.map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5]);
    expect(verifyChain(amsterdam)).toMatchObject({ valid: true, count: 5 });
    expect(verifyChain(await everything('0534'))).toMatchObject({ valid: true, count: 1 });
  });

  it('appends an event id only once, however often it is offered', async () => {
    const entry = draft('0014');

    const outcomes = [await audit.append(entry), await audit.append(entry), await audit.append({ ...entry })];

    expect(outcomes).toEqual(['appended', 'duplicate', 'duplicate']);
    expect(await everything('0014')).toHaveLength(1);
  });

  it('keeps the chain gapless when many writers append at once', async () => {
    const drafts = Array.from({ length: 12 }, () => draft('0599'));
    // Duplicates mixed in, as a retried stream batch would offer them.
    const offers = [...drafts, ...drafts.slice(0, 4)];

    const outcomes = await Promise.all(offers.map((d) => audit.append(d)));

    expect(outcomes.filter((o) => o === 'appended')).toHaveLength(12);
    const chain = await everything('0599');
    expect(chain.map((e) => e.sequence)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(new Set(chain.map((e) => e.id)).size).toBe(12);
    expect(verifyChain(chain).valid).toBe(true);
  });

  it('filters by occurrence time, with from inclusive and to exclusive', async () => {
    await audit.append(draft('0344', '2026-11-01T00:00:00.000Z'));
    await audit.append(draft('0344', '2026-11-10T00:00:00.000Z'));
    await audit.append(draft('0344', '2026-11-20T00:00:00.000Z'));

    const page = await audit.list({
      municipality: '0344',
      from: '2026-11-10T00:00:00.000Z',
      to: '2026-11-20T00:00:00.000Z',
      limit: 50,
    });

    expect(page.items.map((e) => e.occurredAt)).toEqual(['2026-11-10T00:00:00.000Z']);
  });

  it('rejects a cursor issued for another municipality', async () => {
    for (let i = 0; i < 3; i++) await audit.append(draft('0153'));
    const page = await audit.list({ municipality: '0153', limit: 1 });
    expect(page.next).toBeDefined();

    await expect(audit.list({ municipality: '0363', limit: 1, cursor: page.next })).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
  });
});
