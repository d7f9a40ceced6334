import { describe, expect, it } from 'vitest';
import { recoverAudit } from '../../../functions/recover-audit/recover-audit.js';
import { referralItem } from '../../../functions/shared/adapters/state-items.js';
import type {
  ChangedItems,
  ChangeStream,
  StreamRead,
} from '../../../functions/shared/ports/change-history.js';
import { deriveAuditEvent, type StateChange } from '../../../functions/write-audit/derive-audit-event.js';
import type { StreamBatchFailure } from '../../../schemas/stream-failure.js';
import { storedReferral } from '../../helpers/factories.js';
import { FakeAuditLog } from '../../helpers/fakes.js';

const REFERRAL = '7e1d9d5f-7a1b-4d64-8a2f-1c8c9eab2d02';

function version(n: number): StateChange {
  return {
    eventName: n === 1 ? 'INSERT' : 'MODIFY',
    newItem: referralItem(storedReferral({ id: REFERRAL, municipality: '0363', version: n })),
  };
}

function failure(condition: string): StreamBatchFailure {
  return {
    requestContext: { condition },
    DDBStreamBatchInfo: {
      shardId: 'shardId-1',
      startSequenceNumber: '100',
      endSequenceNumber: '300',
      approximateArrivalOfFirstRecord: '2026-11-29T10:00:00Z',
      approximateArrivalOfLastRecord: '2026-11-29T10:00:05Z',
      batchSize: 3,
      streamArn: 'arn:aws:dynamodb:eu-central-1:1:table/state/stream/x',
    },
  };
}

function deps(read: StreamRead, current: StateChange[] = []) {
  const windows: [string, string][] = [];
  const stream: ChangeStream = { read: async () => read };
  const items: ChangedItems = {
    changedBetween: async (from, to) => {
      windows.push([from, to]);
      return current;
    },
  };
  return { audit: new FakeAuditLog(), stream, items, windows };
}

const recovered = (d: ReturnType<typeof deps>) =>
  d.audit.entries('0363').map((e) => [e.object.version, e.recovery?.method, e.recovery?.reason]);

describe('recoverAudit', () => {
  it('appends the re-read changes marked as recovered from the stream', async () => {
    const d = deps({
      kind: 'records',
      changes: [1, 2, 3].map((n) => ({ key: String(n), change: version(n) })),
    });

    const result = await recoverAudit(d, failure('RecordAgeExceeded'));

    expect(result).toEqual({ method: 'stream', recovered: 3, alreadyAudited: 0 });
    expect(recovered(d)).toEqual([
      [1, 'stream', 'record-age-exceeded'],
      [2, 'stream', 'record-age-exceeded'],
      [3, 'stream', 'record-age-exceeded'],
    ]);
    expect(d.windows).toEqual([]);
  });

  it('appends what the stream still holds of a partly trimmed batch, then the current versions', async () => {
    const d = deps({ kind: 'partial', changes: [{ key: '200', change: version(2) }] }, [version(3)]);

    const result = await recoverAudit(d, failure('RetryAttemptsExhausted'));

    expect(result).toEqual({ method: 'current-version', recovered: 2, alreadyAudited: 0 });
    expect(recovered(d)).toEqual([
      [2, 'stream', 'retries-exhausted'],
      [3, 'current-version', 'retries-exhausted'],
    ]);
    // Five minutes around the batch's arrival times.
    expect(d.windows).toEqual([['2026-11-29T09:55:00.000Z', '2026-11-29T10:05:05.000Z']]);
  });

  it('counts a current version already in the audit as present, and still reports the recovery', async () => {
    const d = deps({ kind: 'trimmed' }, [version(1)]);
    await d.audit.append('0363', [firstDraft()]);

    const result = await recoverAudit(d, failure('RecordAgeExceeded'));

    expect(result).toEqual({ method: 'current-version', recovered: 0, alreadyAudited: 1 });
  });

  it.each([
    ['RecordAgeExceeded', 'record-age-exceeded'],
    ['MaximumRecordAgeExceeded', 'record-age-exceeded'],
    ['RetryAttemptsExhausted', 'retries-exhausted'],
  ])('files the condition %s as %s', async (condition, reason) => {
    const d = deps({ kind: 'records', changes: [{ key: '1', change: version(1) }] });

    await recoverAudit(d, failure(condition));

    expect(d.audit.entries('0363')[0]?.recovery?.reason).toBe(reason);
  });

  it('fails the message when an append fails, so the queue brings it back', async () => {
    const d = deps({ kind: 'records', changes: [{ key: '1', change: version(1) }] });
    d.audit.failNext('append');

    await expect(recoverAudit(d, failure('RecordAgeExceeded'))).rejects.toThrow(/stopped at 1/);
  });
});

function firstDraft() {
  const derived = deriveAuditEvent(version(1));
  if (derived.kind !== 'audit') throw new Error('not audited');
  return derived.draft;
}
