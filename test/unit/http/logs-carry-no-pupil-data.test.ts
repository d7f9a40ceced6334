import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { derivedUuid } from '../../../domain/ids.js';
import { routeSignal } from '../../../functions/route-signal/route-signal.js';
import { referralItem, signalItem } from '../../../functions/shared/adapters/state-items.js';
import { LOG_EVENTS } from '../../../functions/shared/log-events.js';
import { writeAudit } from '../../../functions/write-audit/write-audit.js';
import { proxyEvent } from '../../helpers/events.js';
import { referralSubmission } from '../../helpers/factories.js';
import { fakeHub } from '../../helpers/fake-hub.js';
import { captureLogs } from '../../helpers/log-capture.js';

// Invariant 4: whatever the flow, no log line carries pupil data or free text. The flows run
// through the functions' own handlers on fakes, the logger at DEBUG, stdout and stderr captured.

const SECRETS = {
  bsn: '999900043',
  birthDate: '2013-07-04',
  postcode: '2181AB',
  postcodeWithSpace: '2181 AB',
  summary: 'Leerling slaapt in de klas sinds de scheiding',
  contactName: 'Annemarie Zwaneveld',
  contactEmail: 'a.zwaneveld@school.example',
  contactPhone: '+31 6 12345678',
  withdrawReason: 'Gezin verhuist naar Zwolle',
  rejectReason: 'Moeder weigert iedere medewerking',
};

function system() {
  const { deps, store, handlers } = fakeHub();
  // The functions' own handlers, so every operation they declare is exercised as deployed.
  return { deps, store, schools: handlers['receive-signal'], teams: handlers['track-referral'] };
}

const body = (overrides: Parameters<typeof referralSubmission>[0] = {}) =>
  JSON.stringify(
    referralSubmission({
      pupil: { bsn: SECRETS.bsn, birthDate: SECRETS.birthDate, postcode: SECRETS.postcodeWithSpace },
      summary: SECRETS.summary,
      contact: { name: SECRETS.contactName, email: SECRETS.contactEmail, phone: SECRETS.contactPhone },
      // The pupil is 13: parents and pupil consent.
      consent: { parents: true, pupil: true },
      ...overrides,
    }),
  );

function schoolRequest(
  method: string,
  resource: string,
  id?: string,
  payload?: string,
): APIGatewayProxyEvent {
  const event = proxyEvent('api-gateway-post-signal.json');
  return {
    ...event,
    httpMethod: method,
    resource,
    path: resource.replace('{id}', id ?? ''),
    pathParameters: id ? { id } : null,
    body: payload ?? null,
  };
}

function teamRequest(method: string, resource: string, id: string, payload?: unknown): APIGatewayProxyEvent {
  const event = proxyEvent('api-gateway-get-referral.json');
  return {
    ...event,
    httpMethod: method,
    resource,
    path: resource.replace('{id}', id),
    pathParameters: { id },
    headers: { ...event.headers, ...(payload ? { 'Content-Type': 'application/json' } : {}) },
    body: payload ? JSON.stringify(payload) : null,
  };
}

const logs = captureLogs();
const logLines = logs.lines;

function expectNoPupilData() {
  const text = logs.text();
  for (const [what, secret] of Object.entries(SECRETS)) {
    expect(text, `log contains the ${what}`).not.toContain(secret);
  }
}

describe('logs of the signal and referral flows', () => {
  it('carry no pupil data or free text through submit, route, read, events and withdraw', async () => {
    const { deps, store, schools, teams } = system();

    const submitted = await schools(schoolRequest('POST', '/v1/signals', undefined, body()));
    const signalId = JSON.parse(submitted.body).id as string;
    await routeSignal(deps, signalId);
    const referralId = derivedUuid('referral', signalId, 'jgt-amsterdam');
    const responses = [
      submitted,
      await schools(schoolRequest('POST', '/v1/signals', undefined, body())),
      await schools(schoolRequest('GET', '/v1/signals/{id}', signalId)),
      await teams(teamRequest('GET', '/v1/referrals/{id}', referralId)),
      await teams(teamRequest('POST', '/v1/referrals/{id}/events', referralId, { type: 'delivered' })),
      await schools(
        schoolRequest(
          'POST',
          '/v1/signals/{id}/withdraw',
          signalId,
          JSON.stringify({ reason: SECRETS.withdrawReason }),
        ),
      ),
      await teams(
        teamRequest('POST', '/v1/referrals/{id}/events', referralId, {
          type: 'rejected',
          reason: SECRETS.rejectReason,
        }),
      ),
    ];
    await writeAudit(
      deps,
      [
        ...store.allSignals().map((signal) => signalItem(signal)),
        ...store.allReferrals().map((referral) => referralItem(referral)),
      ].map((newItem, i) => ({ key: String(i), change: { eventName: 'INSERT' as const, newItem } })),
    );

    expect(responses.map((r) => r.statusCode)).toEqual([202, 202, 200, 200, 200, 200, 409]);
    const events = logLines().map((line) => line.event);
    expect(events).toEqual(
      expect.arrayContaining([
        'signal_received',
        'signal_enqueued',
        'signal_resubmitted',
        'signal_routed',
        'referral_queued',
        'team_notified',
        'referral_read',
        'referral_updated',
        'signal_withdrawn',
        'referral_transition_refused',
        'audit_appended',
        'request_completed',
      ]),
    );
    expectNoPupilData();
  });

  it('carry no pupil data when a submission is refused or cannot be queued', async () => {
    const { deps, schools } = system();

    const invalid = await schools(
      schoolRequest('POST', '/v1/signals', undefined, body({ pupil: { municipality: '9999' } })),
    );
    deps.intake.failNext();
    const unqueued = await schools(schoolRequest('POST', '/v1/signals', undefined, body()));
    const conflict = await schools(
      schoolRequest('POST', '/v1/signals', undefined, body({ urgency: 'urgent' })),
    );
    const malformed = await schools(schoolRequest('POST', '/v1/signals', undefined, `${body()}}`));

    expect([invalid, unqueued, conflict, malformed].map((r) => r.statusCode)).toEqual([400, 503, 409, 400]);
    expect(logLines().map((line) => line.event)).toEqual(
      expect.arrayContaining(['signal_enqueue_failed', 'signal_conflicted', 'request_failed']),
    );
    expectNoPupilData();
  });

  it('logs only catalogued events, each line with its event as message', async () => {
    const { deps, schools } = system();

    const submitted = await schools(schoolRequest('POST', '/v1/signals', undefined, body()));
    await routeSignal(deps, JSON.parse(submitted.body).id);

    const lines = logLines();
    expect(lines.length).toBeGreaterThan(3);
    const catalog: unknown[] = Object.values(LOG_EVENTS);
    for (const line of lines) {
      expect(catalog).toContain(line.event);
      expect(line.message).toBe(line.event);
    }
  });
});
