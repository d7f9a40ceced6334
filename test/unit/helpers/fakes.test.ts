import { describe, expect, it } from 'vitest';
import { FakeAuditLog, InMemoryStateStore } from '../../helpers/fakes.js';
import { stateStoreContract } from '../../helpers/state-store-contract.js';

// The in-memory store runs the same contract as the DynamoDB adapter (test/integration).
stateStoreContract('InMemoryStateStore', () => new InMemoryStateStore());

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
      await audit.append('0363', [draft]),
      await audit.append('0363', [draft]),
      await audit.append('0363', [{ ...draft, id: 'b' }]),
    ];

    expect(outcomes).toEqual([
      { appended: 1, duplicates: 0 },
      { appended: 0, duplicates: 1 },
      { appended: 1, duplicates: 0 },
    ]);
    const [first, second] = audit.entries('0363');
    expect(second?.prevHash).toBe(first?.hash);
  });
});
