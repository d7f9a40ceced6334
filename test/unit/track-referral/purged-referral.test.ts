import { describe, expect, it } from 'vitest';
import { problemOf } from '../../helpers/api-calls.js';
import { teamClient } from '../../helpers/clients.js';
import { storedReferral, storedSignal } from '../../helpers/factories.js';
import { fakeHub } from '../../helpers/fake-hub.js';

// A referral whose signal's pupil data retention removed: listed and updated as before, and a read
// of it is a clear 410 problem — never a 5xx from a vault with nothing to open.

const team = teamClient('jgt-amsterdam');
const PURGED_AT = '2027-06-01T15:00:00.000Z';
const referral = storedReferral({ status: 'closed', version: 6, pupilDataPurgedAt: PURGED_AT });

function hubWithPurgedReferral() {
  const hub = fakeHub('2027-06-02T10:00:00Z');
  hub.store.putSignal(
    storedSignal({
      status: 'routed',
      version: 3,
      referralIds: [referral.id],
      sealedSubmission: undefined,
      pupilDataPurgedAt: PURGED_AT,
    }),
  );
  hub.store.putReferral(referral);
  return hub;
}

describe('a referral after the retention purge', () => {
  it('answers a read 410 application/problem+json saying the pupil data was removed, and records no read', async () => {
    const hub = hubWithPurgedReferral();

    const answer = await hub.call('getReferral', { client: team, path: { id: referral.id } });

    const problem = problemOf(answer, 410);
    expect(problem.title).toBe('Pupil data removed after the retention period');
    expect(problem.detail).toContain(PURGED_AT);
    expect(hub.deps.access.records).toEqual([]);
  });

  it('is still listed with its status', async () => {
    const hub = hubWithPurgedReferral();

    const answer = await hub.call('listReferrals', { client: team });

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ items: [{ id: referral.id, status: 'closed' }] });
  });

  it('answers another team 404 as before, not 410', async () => {
    const hub = hubWithPurgedReferral();

    const answer = await hub.call('getReferral', {
      client: teamClient('jgt-hillegom'),
      path: { id: referral.id },
    });

    problemOf(answer, 404);
  });
});
