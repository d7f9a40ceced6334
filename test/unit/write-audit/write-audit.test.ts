import { describe, expect, it } from 'vitest';
import { referralItem } from '../../../functions/shared/adapters/state-items.js';
import {
  type AppendOutcome,
  AuditAppendError,
  type AuditEntryDraft,
  type AuditLog,
} from '../../../functions/shared/ports/audit-log.js';
import { type KeyedChange, writeAudit } from '../../../functions/write-audit/write-audit.js';
import { storedReferral } from '../../helpers/factories.js';

/** An audit log that records what it is offered and fails a chain at a given position. */
class RecordingAuditLog implements Pick<AuditLog, 'append'> {
  readonly offered = new Map<string, string[]>();
  constructor(private readonly failAt: Record<string, number> = {}) {}

  async append(municipality: string, drafts: readonly AuditEntryDraft[]): Promise<AppendOutcome> {
    this.offered.set(municipality, [...(this.offered.get(municipality) ?? []), ...drafts.map((d) => d.id)]);
    const failAt = this.failAt[municipality];
    if (failAt !== undefined) throw new AuditAppendError('down', failAt);
    return { appended: drafts.length, duplicates: 0 };
  }
}

function change(key: string, municipality: string, id: string, version: number): KeyedChange {
  const referral = storedReferral({ id, municipality, version });
  return { key, change: { eventName: version === 1 ? 'INSERT' : 'MODIFY', newItem: referralItem(referral) } };
}

const batch = [
  change('101', '0363', 'r1', 1),
  change('102', '0534', 'r2', 1),
  { key: '103', change: { eventName: 'REMOVE' as const } },
  change('104', '0363', 'r1', 2),
  change('105', '0534', 'r2', 2),
  change('106', '0363', 'r1', 3),
];

describe('writeAudit', () => {
  it('offers each municipality its events in stream order, once per chain', async () => {
    const audit = new RecordingAuditLog();

    const result = await writeAudit({ audit: audit as unknown as AuditLog }, batch);

    expect(result).toEqual({ appended: 5, duplicates: 0, ignored: 1 });
    expect(Object.fromEntries(audit.offered)).toEqual({
      '0363': ['REFERRAL#r1#v1', 'REFERRAL#r1#v2', 'REFERRAL#r1#v3'],
      '0534': ['REFERRAL#r2#v1', 'REFERRAL#r2#v2'],
    });
  });

  it('reports the earliest change not appended, across the chains that failed', async () => {
    // 0363 appended its first two events (stream 101, 104) and not 106; 0534 only its first (102), not 105.
    const audit = new RecordingAuditLog({ '0363': 2, '0534': 1 });

    const result = await writeAudit({ audit: audit as unknown as AuditLog }, batch);

    expect(result.firstFailed).toBe('105');
  });

  it('reports a chain that failed before its first append from that chain’s first change', async () => {
    const audit = new RecordingAuditLog({ '0534': 0 });

    expect((await writeAudit({ audit: audit as unknown as AuditLog }, batch)).firstFailed).toBe('102');
  });

  it('marks every event of a recovery', async () => {
    const offered: AuditEntryDraft[] = [];
    const audit = {
      append: async (_m: string, drafts: readonly AuditEntryDraft[]) => {
        offered.push(...drafts);
        return { appended: drafts.length, duplicates: 0 };
      },
    };

    await writeAudit({ audit: audit as unknown as AuditLog }, batch.slice(0, 2), {
      recovery: { method: 'stream', reason: 'record-age-exceeded' },
    });

    expect(offered.map((d) => d.recovery)).toEqual([
      { method: 'stream', reason: 'record-age-exceeded' },
      { method: 'stream', reason: 'record-age-exceeded' },
    ]);
  });
});
