import type { ReferralStatus } from '../../domain/referral-state.js';
import type { ClientRole } from '../../domain/vocabulary.js';
import type { AuditEntryDraft } from '../../functions/shared/ports/audit-log.js';
import type { Client } from '../../schemas/client.js';
import { municipalityClient, schoolClient, teamClient } from '../helpers/clients.js';
import {
  consultationSubmission,
  referralSubmission,
  storedReferral,
  storedSignal,
} from '../helpers/factories.js';
import { fakeHub } from '../helpers/fake-hub.js';

// Two tenants on one fake hub, each with what every operation can be pointed at: a school
// location with routed signals (one of them overdue), a consultation the school's referrals may
// follow up, a signal no rule took (for the municipality to assign), a team with referrals of
// them, a municipality with an audit trail. Tenant A is the one requests are built for; tenant B is "someone else" — the tenant
// matrix sends A's requests with B's clients, the fuzz forges cursors of B's partitions.

export const CLOCK = '2026-11-22T10:00:00Z';
/** The hub's calendar day (Europe/Amsterdam) and the days around it, for date rules. */
export const TODAY = '2026-11-22';
export const YESTERDAY = '2026-11-21';
export const TOMORROW = '2026-11-23';

export type TenantKey = 'a' | 'b';

export interface Tenant {
  key: TenantKey;
  schoolLocation: string;
  teamId: string;
  municipality: string;
  postcode: string;
  /** The routing rule that sends the municipality's signals to the team. */
  ruleId: string;
  /**
   * Each signal is routed to the team with one open (`delivered`) referral: ids by index. The
   * second is three weeks old: past its goal and escalated (a municipality's overdue list).
   */
  signalIds: readonly [string, string];
  referralIds: readonly [string, string];
  /** A signal no routing rule matched (`unroutable`, `no-rule`, no referrals): to assign. */
  unroutableSignalId: string;
  /** A consultation of the school, answered by the team (its referral `closed`): to follow up. */
  consultationId: string;
  consultationReferralId: string;
  /** Audit export jobs started by the tenant's municipality client. */
  exportIds: readonly [string, string];
  clients: Readonly<Record<ClientRole, Client>>;
}

/** Operators have no tenant: they read every municipality's trail. */
const ADMIN: Client = {
  clientId: 'admin-1',
  name: 'Schakel beheer',
  organisation: 'Schakel',
  role: 'admin',
  scope: {},
};

function tenant(
  key: TenantKey,
  place: { schoolLocation: string; teamId: string; municipality: string; postcode: string; ruleId: string },
  idPrefix: string,
): Tenant {
  return {
    key,
    ...place,
    signalIds: [`${idPrefix}-0000-4000-8000-000000000001`, `${idPrefix}-0000-4000-8000-000000000002`],
    referralIds: [`${idPrefix}-0000-4000-8000-000000000011`, `${idPrefix}-0000-4000-8000-000000000012`],
    unroutableSignalId: `${idPrefix}-0000-4000-8000-000000000003`,
    consultationId: `${idPrefix}-0000-4000-8000-000000000004`,
    consultationReferralId: `${idPrefix}-0000-4000-8000-000000000014`,
    exportIds: [`${idPrefix}-0000-7000-8000-000000000021`, `${idPrefix}-0000-7000-8000-000000000022`],
    clients: {
      school: schoolClient({ clientId: `school-${key}`, scope: { schoolLocations: [place.schoolLocation] } }),
      provider: teamClient(place.teamId),
      municipality: municipalityClient([place.municipality]),
      admin: ADMIN,
    },
  };
}

export const TENANTS: Readonly<Record<TenantKey, Tenant>> = {
  a: tenant(
    'a',
    {
      schoolLocation: '12AB00',
      teamId: 'jgt-amsterdam',
      municipality: '0363',
      postcode: '1011AB',
      ruleId: 'amsterdam',
    },
    'aaaaaaaa',
  ),
  b: tenant(
    'b',
    {
      schoolLocation: '34CD00',
      teamId: 'jgt-hillegom',
      municipality: '0534',
      postcode: '2181AA',
      ruleId: 'hillegom',
    },
    'bbbbbbbb',
  ),
};

export const OTHER: Readonly<Record<TenantKey, Tenant>> = { a: TENANTS.b, b: TENANTS.a };

export type SeededHub = ReturnType<typeof fakeHub>;

const SYSTEM = { clientId: 'schakel', role: 'system', organisation: 'Schakel' } as const;

/** When each routed signal came in: yesterday's and the day before's, and one of three weeks ago. */
const RECEIVED_AT = ['2026-11-20T09:00:00.000Z', '2026-11-01T09:00:00.000Z'] as const;

/** The instant `ms` milliseconds after an ISO instant. */
const after = (instant: string, ms: number) => new Date(Date.parse(instant) + ms).toISOString();
const DAY = 86_400_000;

async function seedTenant(hub: SeededHub, t: Tenant, referralStatus: ReferralStatus): Promise<void> {
  const team = { schoolLocation: t.schoolLocation, teamId: t.teamId };
  for (const [i, signalId] of t.signalIds.entries()) {
    const referralId = t.referralIds[i] as string;
    const receivedAt = RECEIVED_AT[i] as string;
    const routedAt = after(receivedAt, 5_000);
    // The two-week goal from receipt; the older one is past it, and escalation found it so.
    const dueAt = after(receivedAt, 14 * DAY);
    const overdue = dueAt < CLOCK;
    const sealedSubmission = `sealed:${t.key}-${i}`;
    hub.deps.vault.keep(
      sealedSubmission,
      signalId,
      referralSubmission({
        sourceId: `lvs-${t.key}-${i}`,
        schoolLocation: t.schoolLocation,
        pupil: { municipality: t.municipality, postcode: t.postcode },
      }),
    );
    // Stored as a submission stores it, with its sourceId taken: a batch that reuses it gets a 409
    // naming this signal, which only its own school may learn.
    await hub.store.createSignal(
      storedSignal({
        id: signalId,
        sourceClientId: t.clients.school.clientId,
        sourceId: `lvs-${t.key}-${i}`,
        status: 'routed',
        schoolLocation: t.schoolLocation,
        municipality: t.municipality,
        sealedSubmission,
        referralIds: [referralId],
        clockStartAt: receivedAt,
        receivedAt,
        updatedAt: routedAt,
        version: 2,
        lastChange: {
          eventType: 'signal.routed',
          at: routedAt,
          actor: SYSTEM,
          onBehalfOf: team,
          details: { teamId: t.teamId, referralId },
        },
      }),
    );
    hub.store.putReferral(
      storedReferral({
        id: referralId,
        signalId,
        teamId: t.teamId,
        municipality: t.municipality,
        ruleId: t.ruleId,
        routedBy: 'rule',
        status: referralStatus,
        schoolLocation: t.schoolLocation,
        clockStartAt: receivedAt,
        dueAt,
        ...(overdue ? { overdueAt: after(dueAt, 17 * 3_600_000) } : {}),
        history: [
          { status: 'queued', at: routedAt },
          { status: referralStatus, at: routedAt },
        ],
        createdAt: routedAt,
        updatedAt: routedAt,
        version: 2,
        lastChange: {
          eventType: `referral.${referralStatus}`,
          at: routedAt,
          actor: SYSTEM,
          onBehalfOf: team,
          details: { teamId: t.teamId },
        },
      }),
    );
  }
  await seedUnroutable(hub, t);
  await seedConsultation(hub, t);
}

/** This morning's signal for a municipality without a rule for it: waiting to be assigned. */
async function seedUnroutable(hub: SeededHub, t: Tenant): Promise<void> {
  const receivedAt = '2026-11-22T08:00:00.000Z';
  const sealedSubmission = `sealed:${t.key}-unroutable`;
  const sourceId = `lvs-${t.key}-unroutable`;
  hub.deps.vault.keep(
    sealedSubmission,
    t.unroutableSignalId,
    referralSubmission({
      sourceId,
      schoolLocation: t.schoolLocation,
      pupil: { municipality: t.municipality, postcode: t.postcode },
    }),
  );
  await hub.store.createSignal(
    storedSignal({
      id: t.unroutableSignalId,
      sourceClientId: t.clients.school.clientId,
      sourceId,
      status: 'unroutable',
      unroutableReason: 'no-rule',
      schoolLocation: t.schoolLocation,
      municipality: t.municipality,
      sealedSubmission,
      referralIds: [],
      clockStartAt: receivedAt,
      receivedAt,
      updatedAt: after(receivedAt, 2_000),
      version: 2,
      lastChange: {
        eventType: 'signal.unroutable',
        at: after(receivedAt, 2_000),
        actor: SYSTEM,
        details: { reason: 'no-rule' },
      },
    }),
  );
}

/** A consultation of twelve days ago that the team answered: a referral may follow it up. */
async function seedConsultation(hub: SeededHub, t: Tenant): Promise<void> {
  const receivedAt = '2026-11-10T09:00:00.000Z';
  const routedAt = after(receivedAt, 5_000);
  const closedAt = '2026-11-12T15:00:00.000Z';
  const sealedSubmission = `sealed:${t.key}-consultation`;
  const sourceId = `lvs-${t.key}-consultation`;
  hub.deps.vault.keep(
    sealedSubmission,
    t.consultationId,
    consultationSubmission({
      sourceId,
      schoolLocation: t.schoolLocation,
      pupil: { municipality: t.municipality },
    }),
  );
  await hub.store.createSignal(
    storedSignal({
      id: t.consultationId,
      sourceClientId: t.clients.school.clientId,
      sourceId,
      status: 'routed',
      requestType: 'consultation',
      schoolLocation: t.schoolLocation,
      municipality: t.municipality,
      concerns: ['behaviour'],
      age: 9,
      pupilPseudonym: undefined,
      sealedSubmission,
      referralIds: [t.consultationReferralId],
      receivedAt,
      updatedAt: routedAt,
      version: 2,
      lastChange: {
        eventType: 'signal.routed',
        at: routedAt,
        actor: SYSTEM,
        onBehalfOf: { schoolLocation: t.schoolLocation, teamId: t.teamId },
        details: { teamId: t.teamId, referralId: t.consultationReferralId },
      },
    }),
  );
  hub.store.putReferral(
    storedReferral({
      id: t.consultationReferralId,
      signalId: t.consultationId,
      teamId: t.teamId,
      municipality: t.municipality,
      ruleId: t.ruleId,
      routedBy: 'rule',
      status: 'closed',
      requestType: 'consultation',
      schoolLocation: t.schoolLocation,
      concerns: ['behaviour'],
      pupilPseudonym: undefined,
      history: (['queued', 'delivered', 'accepted', 'started', 'closed'] as const).map((status, n) => ({
        status,
        at: n === 0 ? routedAt : n === 4 ? closedAt : after(routedAt, n * 3_600_000),
      })),
      createdAt: routedAt,
      updatedAt: closedAt,
      version: 5,
      lastChange: {
        eventType: 'referral.closed',
        at: closedAt,
        actor: { clientId: t.clients.provider.clientId, role: 'provider', organisation: 'Jeugdteams' },
        onBehalfOf: { teamId: t.teamId },
        details: { teamId: t.teamId },
      },
    }),
  );
}

function auditDraft(t: Tenant, i: 0 | 1): AuditEntryDraft {
  const signalId = t.signalIds[i];
  return {
    id: `SIGNAL#${signalId}#v1`,
    municipality: t.municipality,
    occurredAt: `2026-11-2${i}T09:00:00.000Z`,
    action: 'C',
    eventType: 'signal.received',
    outcome: 'success',
    actor: { clientId: t.clients.school.clientId, role: 'school' },
    onBehalfOf: { schoolLocation: t.schoolLocation },
    object: { type: 'signal', id: signalId, signalId },
    purpose: 'youth-care-access',
  };
}

/**
 * A fake hub holding both tenants: two routed signals each, their referrals `delivered` (open,
 * so a team may accept and a school may withdraw; the older one overdue), an unroutable signal
 * (for the municipality to assign), an answered consultation (for a referral to follow up), two
 * audit events per municipality (so every list has a second page and a real cursor to forge
 * from) and an export job of each municipality client.
 */
export async function seededHub(): Promise<SeededHub> {
  const hub = fakeHub(CLOCK);
  for (const t of Object.values(TENANTS)) {
    await seedTenant(hub, t, 'delivered');
    await hub.deps.audit.append(t.municipality, [auditDraft(t, 0), auditDraft(t, 1)]);
    for (const id of t.exportIds)
      await hub.deps.jobs.create({
        id,
        clientId: t.clients.municipality.clientId,
        municipality: t.municipality,
        from: '2026-01-01T00:00:00.000Z',
        to: '2026-11-01T00:00:00.000Z',
        format: 'ndjson',
        status: 'pending',
        createdAt: '2026-11-22T09:00:00.000Z',
        updatedAt: '2026-11-22T09:00:00.000Z',
        revision: 1,
      });
  }
  return hub;
}

/**
 * What only the tenant's own data names: the ids of everything seeded for it, its school location
 * and its team (a lead-time figure names no signal). None may appear in what another tenant is
 * shown.
 */
export function markersOf(t: Tenant): string[] {
  return [
    ...t.signalIds,
    ...t.referralIds,
    t.unroutableSignalId,
    t.consultationId,
    t.consultationReferralId,
    ...t.exportIds,
    t.schoolLocation,
    t.teamId,
  ];
}

/** Everything a request could have left behind, counted: compare the counts before and after it. */
export function effectsOf(hub: SeededHub) {
  return {
    stateWrites: hub.store.writes.length,
    intakeMessages: hub.deps.intake.messages.length,
    teamMessages: hub.deps.teams.published.length,
    accessRecords: hub.deps.access.records.length,
    auditEvents: Object.values(TENANTS).reduce(
      (n, t) => n + hub.deps.audit.entries(t.municipality).length,
      0,
    ),
  };
}

export type Effects = ReturnType<typeof effectsOf>;
