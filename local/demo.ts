import { randomInt } from 'node:crypto';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import * as z from 'zod';
import type * as core from 'zod/v4/core';
import { verifyChain } from '../domain/audit-chain.js';
import { isValidBsn } from '../domain/identifiers.js';
import { type AuditEvent, type AuditEventType, AuditPageSchema } from '../schemas/audit-event.js';
import { ReferralCloudEventSchema } from '../schemas/cloud-event.js';
import type { ReferralSubmission } from '../schemas/signal.js';
import { SubjectAccessAnswerSchema } from '../schemas/subject-access.js';
import { LeadTimesSchema, SignalAcceptedSchema, SignalViewSchema } from '../schemas/views.js';
import {
  type LocalConfig,
  type LocalTeamClient,
  municipalityClient,
  readLocalConfig,
  schoolClient,
  teamClient,
} from './local-config.js';

// `npm run demo`: a school and a team played against the running local hub, over HTTP and SQS
// like real clients — submit, route, receive the CloudEvent, report progress, read the audit
// trail as the municipality, answer a subject access request; then a rejection and the re-route
// to the next team, and the municipality's lead times. Prints ids, statuses and hashes; never the
// pupil's data.

const MUNICIPALITY = '0363';
const WAIT_MS = 30_000;

class DemoError extends Error {
  override name = 'DemoError';
}

const ProblemBodySchema = z.looseObject({ title: z.string().optional(), detail: z.string().optional() });

function step(text: string): void {
  console.log(`\n▸ ${text}`);
}

function detail(text: string): void {
  console.log(`  ${text}`);
}

/** A test BSN (999900006–999999990 is reserved for tests) that passes the 11-proof. */
function testBsn(): string {
  for (;;) {
    const candidate = String(randomInt(999_900_006, 999_999_991));
    if (isValidBsn(candidate)) return candidate;
  }
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

async function call<T>(
  config: LocalConfig,
  apiKey: string,
  method: 'GET' | 'POST',
  path: string,
  schema: core.$ZodType<T>,
  body?: unknown,
): Promise<{ status: number; data: T }> {
  let response: Response;
  try {
    response = await fetch(`${config.apiUrl}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${apiKey}`,
        Accept: 'application/json',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch {
    throw new DemoError(`the local hub does not answer at ${config.apiUrl}: start it with \`npm start\``);
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    const problem = ProblemBodySchema.safeParse(json);
    const why = problem.success ? [problem.data.title, problem.data.detail].filter(Boolean).join(': ') : '';
    throw new DemoError(`${method} ${path} answered ${response.status}${why ? ` (${why})` : ''}`);
  }
  const parsed = z.safeParse(schema, json);
  if (!parsed.success) {
    throw new DemoError(
      `${method} ${path} answered ${response.status} with a body that does not match the schema`,
    );
  }
  return { status: response.status, data: parsed.data };
}

async function until<T>(what: string, attempt: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const result = await attempt();
    if (result !== undefined) return result;
    if (Date.now() > deadline) throw new DemoError(`gave up waiting for ${what} after ${WAIT_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function receiveCloudEvent(config: LocalConfig, team: LocalTeamClient, referralId: string) {
  const sqs = new SQSClient({
    region: config.region,
    endpoint: config.sqsEndpoint,
    useQueueUrlAsEndpoint: false,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const others: string[] = [];
  try {
    return await until('the CloudEvent on the team queue', async () => {
      const { Messages } = await sqs
        .send(
          new ReceiveMessageCommand({
            QueueUrl: team.queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 2,
            VisibilityTimeout: 60,
          }),
        )
        .catch(() => {
          throw new DemoError(
            `the SQS emulator does not answer at ${config.sqsEndpoint}: is the hub running?`,
          );
        });
      let found: z.infer<typeof ReferralCloudEventSchema> | undefined;
      for (const message of Messages ?? []) {
        let body: unknown;
        try {
          body = JSON.parse(message.Body ?? '');
        } catch {
          body = undefined;
        }
        const event = ReferralCloudEventSchema.safeParse(body);
        if (event.success && event.data.data.referralId === referralId && !found) {
          found = event.data;
          await sqs.send(
            new DeleteMessageCommand({ QueueUrl: team.queueUrl, ReceiptHandle: message.ReceiptHandle }),
          );
        } else if (message.ReceiptHandle) {
          others.push(message.ReceiptHandle);
        }
      }
      return found;
    });
  } finally {
    // Messages for other referrals stay for whoever consumes this team's queue.
    for (const handle of others) {
      await sqs
        .send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: team.queueUrl,
            ReceiptHandle: handle,
            VisibilityTimeout: 0,
          }),
        )
        .catch(() => undefined);
    }
    sqs.destroy();
  }
}

async function auditTrail(config: LocalConfig, apiKey: string): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  let cursor: string | undefined;
  do {
    const query = new URLSearchParams({
      municipality: MUNICIPALITY,
      limit: '100',
      ...(cursor ? { cursor } : {}),
    });
    const { data } = await call(config, apiKey, 'GET', `/v1/audit-events?${query}`, AuditPageSchema);
    events.push(...data.items);
    cursor = data.next;
  } while (cursor);
  return events;
}

async function main(): Promise<void> {
  const config = readLocalConfig();
  const school = schoolClient(config);
  const birthYear = new Date().getUTCFullYear() - 9;

  const pupilBsn = testBsn();
  const submission: ReferralSubmission = {
    sourceId: `demo-${Date.now()}`,
    schoolLocation: school.schoolLocations[0] ?? '12AB00',
    requestType: 'referral',
    concerns: ['absence', 'social-emotional'],
    urgency: 'regular',
    summary: 'Absent on most Mondays since September; withdrawn in class. Discussed in the care team (ZAT).',
    contact: { name: 'M. Jansen', role: 'intern begeleider', email: 'ib@wilgenhoek.example.org' },
    // Nine years old: below 12 the parents consent (WGBO age bands).
    pupil: {
      bsn: pupilBsn,
      birthDate: `${birthYear}-01-15`,
      municipality: MUNICIPALITY,
      postcode: '1011AB',
    },
    consent: { parents: true, pupil: false, recordedOn: today() },
  };

  step(`School (${school.organisation}, ${submission.schoolLocation}) submits a referral signal`);
  const accepted = await call(config, school.apiKey, 'POST', '/v1/signals', SignalAcceptedSchema, submission);
  const signalId = accepted.data.id;
  detail(`${accepted.status} ${accepted.data.status} — signal ${signalId} (sourceId ${submission.sourceId})`);

  step('School polls the signal until the hub has routed it');
  const routed = await until('routing', async () => {
    const { data } = await call(config, school.apiKey, 'GET', `/v1/signals/${signalId}`, SignalViewSchema);
    return data.status === 'received' ? undefined : data;
  });
  if (routed.status !== 'routed') throw new DemoError(`the signal ended as ${routed.status}, not routed`);
  const referral = routed.referrals[0];
  if (!referral) throw new DemoError('the routed signal lists no referral');
  detail(`routed → referral ${referral.id} for team ${referral.teamId} (${referral.status})`);

  const team = teamClient(config, referral.teamId);
  step(`Team ${team.name} receives the CloudEvent from its queue`);
  const cloudEvent = await receiveCloudEvent(config, team, referral.id);
  detail(`${cloudEvent.type} id ${cloudEvent.id}`);
  detail(
    `concerns ${cloudEvent.data.concerns.join(', ')}, urgency ${cloudEvent.data.urgency}, ${cloudEvent.data.href}`,
  );

  step('Team reports its progress');
  const ReferralStatusBody = z.looseObject({ status: z.string().optional() });
  for (const type of ['delivered', 'accepted', 'started', 'closed'] as const) {
    const { status, data } = await call(
      config,
      team.apiKey,
      'POST',
      `/v1/referrals/${referral.id}/events`,
      ReferralStatusBody,
      { type },
    );
    detail(`${type.padEnd(9)} → ${status}${data.status ? ` (referral ${data.status})` : ''}`);
  }

  const municipality = municipalityClient(config, MUNICIPALITY);
  step(`${municipality.organisation} reads the audit trail`);
  const mine = (e: AuditEvent) => e.object.id === signalId || e.object.signalId === signalId;
  // The audit is written from the state table's stream, a moment after each change.
  const expected: AuditEventType[] = [
    'signal.received',
    'referral.queued',
    'signal.routed',
    'referral.delivered',
    'referral.accepted',
    'referral.started',
    'referral.closed',
  ];
  let trail: AuditEvent[] = [];
  let complete = false;
  try {
    await until('the complete audit trail', async () => {
      trail = await auditTrail(config, municipality.apiKey);
      const seen = new Set(trail.filter(mine).map((e) => e.eventType));
      complete = expected.every((type) => seen.has(type));
      return complete ? true : undefined;
    });
  } catch (error) {
    if (!(error instanceof DemoError)) throw error;
  }
  for (const event of trail.filter(mine)) {
    detail(
      `#${String(event.sequence).padStart(4)}  ${event.action}  ${event.eventType.padEnd(19)} ${event.actor.role.padEnd(12)} ${event.hash.slice(0, 12)}…`,
    );
  }
  if (!complete) {
    const seen = new Set(trail.filter(mine).map((e) => e.eventType));
    const missing = expected.filter((type) => !seen.has(type));
    throw new DemoError(`the audit trail lacks ${missing.join(', ')} after ${WAIT_MS / 1000} s`);
  }
  const verification = verifyChain([...trail].sort((a, b) => a.sequence - b.sequence));
  detail(
    verification.valid
      ? `hash chain of ${MUNICIPALITY} verified: ${verification.count} events, head ${verification.lastHash.slice(0, 12)}…`
      : `hash chain of ${MUNICIPALITY} does NOT verify at sequence ${verification.sequence} (${verification.problem})`,
  );

  // The parents ask who did what with their child's data: the municipality asks the hub by BSN (in
  // the body, never printed here), and gets this pupil's events only.
  step(`${municipality.organisation} answers the parents' subject access request (AVG art. 15)`);
  const access = await call(
    config,
    municipality.apiKey,
    'POST',
    '/v1/subject-access-requests',
    SubjectAccessAnswerSchema,
    { municipality: MUNICIPALITY, pupil: { bsn: pupilBsn } },
  );
  for (const event of access.data.items) {
    detail(
      `#${String(event.sequence).padStart(4)}  ${event.action}  ${event.eventType.padEnd(19)} ${(event.actor.organisation ?? event.actor.role).slice(0, 34)}`,
    );
  }
  detail(
    `${access.data.items.length} events about pupil ${access.data.pupilPseudonym.slice(0, 12)}… (the pseudonym, never the BSN); the request itself is recorded too`,
  );

  await rejectionAndReroute(config, { ...submission, sourceId: `demo-safety-${Date.now()}` });
  await leadTimes(config, municipality);
  console.log('\nDone.');
}

/**
 * A second signal, about safety, discussed in the care team three days ago: the safety team
 * rejects it, and the hub routes it on to the next matching team in the same step; the school
 * sees both teams by name, every step and the reason.
 */
async function rejectionAndReroute(config: LocalConfig, base: ReferralSubmission): Promise<void> {
  const school = schoolClient(config);
  const discussed = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
  step(`School submits a second signal, about safety, discussed in the care team on ${discussed}`);
  const body = {
    ...base,
    pupil: { ...base.pupil, bsn: testBsn() },
    concerns: ['safety'],
    discussedInCareTeamOn: discussed,
  };
  const accepted = await call(config, school.apiKey, 'POST', '/v1/signals', SignalAcceptedSchema, body);
  const signalId = accepted.data.id;
  const view = () => call(config, school.apiKey, 'GET', `/v1/signals/${signalId}`, SignalViewSchema);
  const routed = await until('routing', async () => {
    const { data } = await view();
    return data.status === 'received' ? undefined : data;
  });
  const first = routed.referrals[0];
  if (!first) throw new DemoError(`the safety signal ended as ${routed.status}, without a referral`);
  detail(`routed to ${first.teamName ?? first.teamId} by a rule for safety`);

  const firstTeam = teamClient(config, first.teamId);
  step(`${firstTeam.name} rejects it; the hub routes it to the next matching team`);
  const ReferralStatusBody = z.looseObject({ status: z.string().optional() });
  const report = async (apiKey: string, referralId: string, event: Record<string, string>) =>
    call(config, apiKey, 'POST', `/v1/referrals/${referralId}/events`, ReferralStatusBody, event);
  await report(firstTeam.apiKey, first.id, { type: 'delivered' });
  await report(firstTeam.apiKey, first.id, {
    type: 'rejected',
    reason: 'No acute safety question; the neighbourhood team fits better.',
  });
  const rerouted = (await view()).data;
  const next = rerouted.referrals[1];
  if (!next) throw new DemoError('the rejected signal was not routed on');
  detail(`re-routed to ${next.teamName ?? next.teamId} (${next.routedBy ?? 'rule'}), ${next.status}`);

  const nextTeam = teamClient(config, next.teamId);
  step(`${nextTeam.name} accepts and starts; the school sees names, steps and the reason`);
  for (const type of ['delivered', 'accepted', 'started'] as const)
    await report(nextTeam.apiKey, next.id, { type });
  const seen = (await view()).data;
  detail(
    `signal ${seen.status}, overall ${seen.overallStatus ?? '-'}; clock started ${seen.clockStartAt ?? '-'}`,
  );
  for (const referral of seen.referrals) {
    const steps = (referral.history ?? []).map((h) => `${h.status} ${h.at.slice(0, 19)}Z`).join(' → ');
    detail(`${(referral.teamName ?? referral.teamId).padEnd(40)} ${steps}`);
    if (referral.rejectionReason) detail(`${''.padEnd(40)} reason: ${referral.rejectionReason}`);
  }
}

/** The municipality's lead times of the last month, per team, against its two-week goal. */
async function leadTimes(config: LocalConfig, municipality: ReturnType<typeof municipalityClient>) {
  const to = today();
  const from = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
  step(`${municipality.organisation} reads its lead times from ${from} to ${to} (doorlooptijden)`);
  const { data } = await call(
    config,
    municipality.apiKey,
    'GET',
    `/v1/lead-times?${new URLSearchParams({ from, to, groupBy: 'team' })}`,
    LeadTimesSchema,
  );
  detail(`goal: help started within ${data.goalDays} days (${data.urgentGoalDays} when urgent)`);
  for (const group of data.groups) {
    const days = (value: number | null) => (value === null ? '-' : `${value} d`);
    const within =
      group.toStarted.withinGoal === null ? '-' : `${Math.round(group.toStarted.withinGoal * 100)}%`;
    detail(
      `${group.key.padEnd(28)} ${String(group.count).padStart(3)} ${group.count === 1 ? 'referral; ' : 'referrals;'} to started: median ${days(group.toStarted.medianDays)}, p90 ${days(group.toStarted.p90Days)}; within goal ${within}; open ${group.open}, overdue ${group.overdue}`,
    );
  }
}

main().catch((error: unknown) => {
  if (error instanceof DemoError || (error instanceof Error && error.name === 'LocalConfigError')) {
    console.error(`\ndemo stopped: ${error.message}`);
  } else {
    console.error('\ndemo failed:', error instanceof Error ? error.name : error);
  }
  process.exitCode = 1;
});
