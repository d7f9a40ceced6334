import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dutchCalendarDay } from '../../domain/dates.js';
import { AuditPageSchema } from '../../schemas/audit-event.js';
import { ReferralCloudEventSchema } from '../../schemas/cloud-event.js';
import { ProblemSchema } from '../../schemas/problem.js';
import {
  AssignmentResultSchema,
  LeadTimesSchema,
  ReferralPageSchema,
  ReferralStateSchema,
  SignalPageSchema,
  type SignalView,
  SignalViewSchema,
} from '../../schemas/views.js';
import { referralSubmission } from '../helpers/factories.js';
import { call, eventually, municipality, receiveFromTeamQueue, school, team } from './api-client.js';

// "Every signal finds help" over HTTP and SQS against local mode: an unroutable signal is the
// municipality's work and gets assigned; a rejection re-routes to the next matching team and, with
// none left, parks the signal for the municipality; the school sees team names, steps and reasons;
// a referral past its goal is escalated exactly once; and lead times match figures computed here.
//
// The escalation runs every 6 s in local mode on the real clock. Instead of a fake clock, the
// overdue referral's care-team discussion is 20 days ago: its two-week goal has passed when it is
// routed, which is what a fake clock moved 20 days ahead would show.

const LISSE = '0553'; // a team serves it (jgt-lisse), no routing rule: signals wait for the municipality
const TEYLINGEN = '1525'; // the same, used only by the lead-time test
const AMSTERDAM = '0363';
const HILLEGOM = '0534';
const SAFETY_TEAM = 'cjg-amsterdam-veiligheid';
const AMSTERDAM_TEAM = 'jgt-amsterdam-centrum';
const DAY = 86_400_000;

const daysAgo = (days: number) => dutchCalendarDay(new Date(Date.now() - days * DAY));

async function submit(
  overrides: Parameters<typeof referralSubmission>[0] & { discussedInCareTeamOn?: string } = {},
): Promise<string> {
  const body = { ...referralSubmission({ sourceId: `lvs-help-${randomUUID()}`, ...overrides }) };
  if (overrides.discussedInCareTeamOn)
    Object.assign(body, { discussedInCareTeamOn: overrides.discussedInCareTeamOn });
  const answer = await call('POST', '/v1/signals', { apiKey: school().apiKey, body });
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  return (answer.body as { id: string }).id;
}

async function signalView(id: string): Promise<SignalView> {
  const answer = await call('GET', `/v1/signals/${id}`, { apiKey: school().apiKey });
  expect(answer.status).toBe(200);
  return SignalViewSchema.parse(answer.body);
}

const settled = (id: string, status: SignalView['status'], referrals = 0) =>
  eventually(async () => {
    const view = await signalView(id);
    return view.status === status && view.referrals.length >= referrals ? view : undefined;
  });

async function report(teamId: string, referralId: string, event: Record<string, unknown>) {
  const answer = await call('POST', `/v1/referrals/${referralId}/events`, {
    apiKey: team(teamId).apiKey,
    body: event,
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return ReferralStateSchema.parse(answer.body);
}

async function assign(code: string, signalId: string, teamId: string) {
  return call('POST', `/v1/signals/${signalId}/assignments`, {
    apiKey: municipality(code).apiKey,
    body: { teamId, reason: 'Geen regel voor deze gemeente; het team van Lisse neemt deze aan.' },
  });
}

const queuedFor = (referralId: string) => (m: unknown) => {
  const event = ReferralCloudEventSchema.safeParse(m);
  return event.success &&
    event.data.subject === referralId &&
    event.data.type === 'nl.schakel.referral.queued.v1'
    ? event.data
    : undefined;
};

describe('unroutable signals are the municipality’s work', () => {
  it('lists a signal no rule matches for its municipality only, and assigns it to a team of its own', async () => {
    const id = await submit({ pupil: { municipality: LISSE, postcode: '2161AA' } });
    const parked = await settled(id, 'unroutable');

    const listed = await call('GET', '/v1/signals?status=unroutable&limit=100', {
      apiKey: municipality(LISSE).apiKey,
    });
    const elsewhere = await call('GET', '/v1/signals?status=unroutable&limit=100', {
      apiKey: municipality(AMSTERDAM).apiKey,
    });
    const foreign = await assign(AMSTERDAM, id, 'jgt-lisse');
    const wrongTeam = await assign(LISSE, id, 'jgt-hillegom');
    const assigned = await assign(LISSE, id, 'jgt-lisse');

    expect(parked).toMatchObject({ overallStatus: 'unroutable', unroutableReason: 'no-rule', referrals: [] });
    const page = SignalPageSchema.parse(listed.body);
    expect(page.items.find((s) => s.id === id)).toMatchObject({
      status: 'unroutable',
      unroutableReason: 'no-rule',
    });
    // No pupil identity, no free text, not even the school's own id.
    const text = JSON.stringify(listed.body);
    for (const secret of ['999900018', '2015-03-14', 'Frequent absence', 'J. de Vries', 'lvs-help-']) {
      expect(text).not.toContain(secret);
    }
    expect(SignalPageSchema.parse(elsewhere.body).items.map((s) => s.id)).not.toContain(id);
    expect(foreign.status).toBe(404);
    expect(wrongTeam.status).toBe(400);
    expect(ProblemSchema.parse(wrongTeam.body).invalidParams).toEqual([
      { name: 'teamId', reason: `is not a team of municipality ${LISSE}` },
    ]);
    expect(assigned.status, JSON.stringify(assigned.body)).toBe(200);
    const result = AssignmentResultSchema.parse(assigned.body);
    expect(result.signal).toMatchObject({ id, status: 'routed', referralCount: 1 });
    expect(result.referral).toMatchObject({ teamId: 'jgt-lisse', status: 'queued' });

    await receiveFromTeamQueue(team('jgt-lisse').queueUrl, queuedFor(result.referral.id));
    const view = await signalView(id);
    expect(view).toMatchObject({
      status: 'routed',
      overallStatus: 'routed',
      referrals: [
        { teamId: 'jgt-lisse', teamName: 'Jeugd- en gezinsteam Lisse en Teylingen', routedBy: 'assignment' },
      ],
    });
    const trail = await eventually(async () => {
      const answer = await call('GET', `/v1/audit-events?municipality=${LISSE}&limit=100`, {
        apiKey: municipality(LISSE).apiKey,
      });
      const events = AuditPageSchema.parse(answer.body).items;
      return events.some((e) => e.eventType === 'signal.assigned' && e.object.id === id) ? events : undefined;
    });
    const assignment = trail.find((e) => e.eventType === 'signal.assigned' && e.object.id === id);
    expect(assignment?.actor).toMatchObject({ clientId: municipality(LISSE).clientId, role: 'municipality' });
    expect(JSON.stringify(assignment)).not.toContain('Geen regel');
  });
});

describe('a rejection routes the signal on', () => {
  it('re-routes to the next matching team, then parks it as all-teams-rejected; the school sees names, steps and reasons', async () => {
    const id = await submit({ concerns: ['safety'] });
    const first = await settled(id, 'routed', 1);
    const safetyReferral = first.referrals[0]?.id as string;
    expect(first.referrals[0]).toMatchObject({ teamId: SAFETY_TEAM, routedBy: 'rule' });

    await report(SAFETY_TEAM, safetyReferral, { type: 'delivered' });
    await report(SAFETY_TEAM, safetyReferral, { type: 'rejected', reason: 'Geen acute veiligheidsvraag.' });
    const rerouted = await signalView(id);
    const nextReferral = rerouted.referrals[1]?.id as string;
    await receiveFromTeamQueue(team(AMSTERDAM_TEAM).queueUrl, queuedFor(nextReferral));
    await report(AMSTERDAM_TEAM, nextReferral, {
      type: 'rejected',
      reason: 'Gezin woont sinds kort elders.',
    });
    const parked = await signalView(id);
    const listed = await call('GET', '/v1/signals?status=unroutable&limit=100', {
      apiKey: municipality(AMSTERDAM).apiKey,
    });

    expect(rerouted).toMatchObject({
      status: 'routed',
      referrals: [
        { teamId: SAFETY_TEAM, status: 'rejected', rejectionReason: 'Geen acute veiligheidsvraag.' },
        { teamId: AMSTERDAM_TEAM, status: 'queued', routedBy: 'rule' },
      ],
    });
    expect(parked).toMatchObject({
      status: 'unroutable',
      overallStatus: 'unroutable',
      unroutableReason: 'all-teams-rejected',
      referrals: [
        {
          teamName: 'CJG Amsterdam — veiligheid',
          status: 'rejected',
          rejectionReason: 'Geen acute veiligheidsvraag.',
        },
        {
          teamName: 'Jeugd- en gezinsteam Amsterdam Centrum',
          status: 'rejected',
          rejectionReason: 'Gezin woont sinds kort elders.',
        },
      ],
    });
    expect(parked.referrals[0]?.history?.map((h) => h.status)).toEqual(['queued', 'delivered', 'rejected']);
    for (const step of parked.referrals.flatMap((r) => r.history ?? [])) {
      expect(Date.parse(step.at)).toBeGreaterThanOrEqual(Date.parse(parked.receivedAt));
    }
    expect(SignalPageSchema.parse(listed.body).items.find((s) => s.id === id)).toMatchObject({
      unroutableReason: 'all-teams-rejected',
    });
  });

  it('refuses a suggested team of another municipality, naming suggestedTeamId, and changes nothing', async () => {
    const id = await submit({ concerns: ['safety'] });
    const routed = await settled(id, 'routed', 1);
    const referralId = routed.referrals[0]?.id as string;

    const answer = await call('POST', `/v1/referrals/${referralId}/events`, {
      apiKey: team(SAFETY_TEAM).apiKey,
      body: { type: 'rejected', reason: 'Elders beter', suggestedTeamId: 'jgt-hillegom' },
    });

    expect(answer.status).toBe(400);
    expect(ProblemSchema.parse(answer.body).invalidParams?.map((p) => p.name)).toEqual(['suggestedTeamId']);
    expect((await signalView(id)).referrals).toMatchObject([{ status: 'queued' }]);
  });
});

describe('escalation', () => {
  it('sends one overdue CloudEvent for a referral past its goal and lists it as overdue', {
    timeout: 120_000,
  }, async () => {
    const id = await submit({
      pupil: { municipality: HILLEGOM, postcode: '2181AA' },
      discussedInCareTeamOn: daysAgo(20),
    });
    const routed = await settled(id, 'routed', 1);
    const referralId = routed.referrals[0]?.id as string;

    const overdueEvents: unknown[] = [];
    const hillegomQueue = team('jgt-hillegom').queueUrl;
    const isOverdue = (m: unknown) => {
      const event = ReferralCloudEventSchema.safeParse(m);
      return event.success &&
        event.data.subject === referralId &&
        event.data.type === 'nl.schakel.referral.overdue.v1'
        ? event.data
        : undefined;
    };
    overdueEvents.push(await receiveFromTeamQueue(hillegomQueue, isOverdue, 30_000));
    // Once it is marked, the team delivers and accepts it: still not started, still overdue.
    await eventually(async () => {
      const list = await call('GET', '/v1/referrals?overdue=true&limit=100', {
        apiKey: team('jgt-hillegom').apiKey,
      });
      return ReferralPageSchema.parse(list.body).items.some((r) => r.id === referralId) ? true : undefined;
    });
    await report('jgt-hillegom', referralId, { type: 'delivered' });
    await report('jgt-hillegom', referralId, { type: 'accepted' });
    // Two more escalation runs (every 6 s) must not send it again.
    await expect(receiveFromTeamQueue(hillegomQueue, isOverdue, 14_000)).rejects.toThrow(
      /no matching message/,
    );

    const forMunicipality = await call('GET', '/v1/referrals?overdue=true&limit=100', {
      apiKey: municipality(HILLEGOM).apiKey,
    });
    const forTeam = await call('GET', '/v1/referrals?overdue=true&limit=100', {
      apiKey: team('jgt-hillegom').apiKey,
    });
    const view = await signalView(id);

    expect(overdueEvents).toEqual([expect.objectContaining({ id: `${referralId}:overdue` })]);
    for (const list of [forMunicipality, forTeam]) {
      expect(list.status).toBe(200);
      const item = ReferralPageSchema.parse(list.body).items.find((r) => r.id === referralId);
      expect(item).toMatchObject({ status: 'accepted' });
      expect(item?.overdueAt).toBeDefined();
    }
    expect(JSON.stringify(forMunicipality.body)).not.toContain('999900018');
    expect(view.referrals[0]).toMatchObject({ overdue: true });
  });
});

/** Days from `from` to `to` (instants), as the API reports them: one decimal. */
const days = (from: string, to: string) => Math.round(((Date.parse(to) - Date.parse(from)) / DAY) * 10) / 10;

describe('GET /v1/lead-times', () => {
  it('answers figures that match those computed by hand from the referrals’ own steps', async () => {
    // Four referrals in Teylingen, each assigned to the Lisse team (no rule there):
    // A discussed 10 days ago, started now; B 3 days ago, started now; C 20 days ago, only
    // accepted (overdue); D without a discussion (the clock starts at receipt), still queued.
    const plans = [
      { discussed: daysAgo(10), steps: ['delivered', 'accepted', 'started'] },
      { discussed: daysAgo(3), steps: ['delivered', 'accepted', 'started'] },
      { discussed: daysAgo(20), steps: ['delivered', 'accepted'] },
      { discussed: undefined, steps: [] },
    ];
    const referrals: { clockStartAt: string; accepted?: string; started?: string; status: string }[] = [];
    for (const plan of plans) {
      const id = await submit({
        pupil: { municipality: TEYLINGEN, postcode: '2171AA' },
        ...(plan.discussed ? { discussedInCareTeamOn: plan.discussed } : {}),
      });
      await settled(id, 'unroutable');
      const assigned = await assign(TEYLINGEN, id, 'jgt-lisse');
      expect(assigned.status, JSON.stringify(assigned.body)).toBe(200);
      const referralId = AssignmentResultSchema.parse(assigned.body).referral.id;
      let state: Awaited<ReturnType<typeof report>> | undefined;
      for (const step of plan.steps) state = await report('jgt-lisse', referralId, { type: step });
      const view = await signalView(id);
      referrals.push({
        clockStartAt: view.clockStartAt as string,
        accepted: state?.history.find((h) => h.status === 'accepted')?.at,
        started: state?.history.find((h) => h.status === 'started')?.at,
        status: state?.status ?? 'queued',
      });
    }
    const [a, b, c] = referrals as [(typeof referrals)[0], (typeof referrals)[0], (typeof referrals)[0]];

    const answer = await call('GET', `/v1/lead-times?from=${daysAgo(30)}&to=${daysAgo(0)}&groupBy=team`, {
      apiKey: municipality(TEYLINGEN).apiKey,
    });

    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const figures = LeadTimesSchema.parse(answer.body);
    // By hand: accepted after a, b and c days — sorted, the median is the middle one, the 90th
    // percentile (nearest rank: ceil(0.9 × 3) = 3rd) the largest. Started after a and b days: the
    // median is their mean, p90 the larger. Within the goal: a and b started within 14 days, c is
    // past it without having started: 2 of 3. Open: c and d; overdue: c.
    const accepted = [a, b, c].map((r) => days(r.clockStartAt, r.accepted as string)).sort((x, y) => x - y);
    const started = [a, b].map((r) => days(r.clockStartAt, r.started as string)).sort((x, y) => x - y);
    const exactStarted = [a, b].map(
      (r) => (Date.parse(r.started as string) - Date.parse(r.clockStartAt)) / DAY,
    );
    expect(figures).toMatchObject({
      municipality: TEYLINGEN,
      goalDays: 14,
      urgentGoalDays: 5,
      groupBy: 'team',
    });
    expect(figures.groups).toEqual([
      {
        key: 'jgt-lisse',
        count: 4,
        toAccepted: { medianDays: accepted[1], p90Days: accepted[2] },
        toStarted: {
          medianDays: Math.round((((exactStarted[0] as number) + (exactStarted[1] as number)) / 2) * 10) / 10,
          p90Days: started[1],
          withinGoal: 0.667,
        },
        open: 2,
        overdue: 1,
        afterConsultation: 0,
      },
    ]);
  });

  it('refuses a grouping it does not offer and another municipality’s figures', async () => {
    const bad = await call('GET', `/v1/lead-times?from=2026-01-01&to=2026-06-30&groupBy=week`, {
      apiKey: municipality(TEYLINGEN).apiKey,
    });
    const foreign = await call(
      'GET',
      `/v1/lead-times?municipality=${AMSTERDAM}&from=2026-01-01&to=2026-06-30&groupBy=team`,
      { apiKey: municipality(TEYLINGEN).apiKey },
    );

    expect(bad.status).toBe(400);
    expect(ProblemSchema.parse(bad.body).invalidParams?.map((p) => p.name)).toEqual(['groupBy']);
    expect(foreign.status).toBe(404);
  });
});

describe('withdrawal ends access', () => {
  it('answers the team 410 with reason withdrawn, while the status stays in its list', async () => {
    const id = await submit({ pupil: { municipality: HILLEGOM, postcode: '2181AA' } });
    const routed = await settled(id, 'routed', 1);
    const referralId = routed.referrals[0]?.id as string;
    const hillegom = team('jgt-hillegom');
    const before = await call('GET', `/v1/referrals/${referralId}`, { apiKey: hillegom.apiKey });

    const withdrawn = await call('POST', `/v1/signals/${id}/withdraw`, {
      apiKey: school().apiKey,
      body: { reason: 'Ouders trekken toestemming in.' },
    });
    const after = await call('GET', `/v1/referrals/${referralId}`, { apiKey: hillegom.apiKey });
    const list = await call('GET', '/v1/referrals?status=withdrawn&limit=100', { apiKey: hillegom.apiKey });

    expect(before.status).toBe(200);
    expect(withdrawn.status).toBe(200);
    expect(after.status).toBe(410);
    expect(ProblemSchema.parse(after.body)).toMatchObject({ status: 410, reason: 'withdrawn' });
    expect(JSON.stringify(after.body)).not.toContain('999900018');
    expect(ReferralPageSchema.parse(list.body).items.map((r) => r.id)).toContain(referralId);
  });
});
