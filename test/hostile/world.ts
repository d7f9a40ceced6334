import type { ReferralStatus } from '../../domain/referral-state.js';
import type { ClientRole } from '../../domain/vocabulary.js';
import type { AuditEntryDraft } from '../../functions/shared/ports/audit-log.js';
import type { Client } from '../../schemas/client.js';
import { municipalityClient, schoolClient, teamClient } from '../helpers/clients.js';
import { referralSubmission, storedReferral, storedSignal } from '../helpers/factories.js';
import { fakeHub } from '../helpers/fake-hub.js';

// Two tenants on one fake hub, each with what every operation can be pointed at: a school
// location with routed signals, a team with referrals of them, a municipality with an audit
// trail. Tenant A is the one requests are built for; tenant B is "someone else" — the tenant
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
  /** Each signal is routed to the team with one open (`delivered`) referral: ids by index. */
  signalIds: readonly [string, string];
  referralIds: readonly [string, string];
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
  place: { schoolLocation: string; teamId: string; municipality: string; postcode: string },
  idPrefix: string,
): Tenant {
  return {
    key,
    ...place,
    signalIds: [`${idPrefix}-0000-4000-8000-000000000001`, `${idPrefix}-0000-4000-8000-000000000002`],
    referralIds: [`${idPrefix}-0000-4000-8000-000000000011`, `${idPrefix}-0000-4000-8000-000000000012`],
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
    { schoolLocation: '12AB00', teamId: 'jgt-amsterdam', municipality: '0363', postcode: '1011AB' },
    'aaaaaaaa',
  ),
  b: tenant(
    'b',
    { schoolLocation: '34CD00', teamId: 'jgt-hillegom', municipality: '0534', postcode: '2181AA' },
    'bbbbbbbb',
  ),
};

export const OTHER: Readonly<Record<TenantKey, Tenant>> = { a: TENANTS.b, b: TENANTS.a };

export type SeededHub = ReturnType<typeof fakeHub>;

async function seedTenant(hub: SeededHub, t: Tenant, referralStatus: ReferralStatus): Promise<void> {
  for (const [i, signalId] of t.signalIds.entries()) {
    const referralId = t.referralIds[i] as string;
    const receivedAt = `2026-11-2${i}T09:00:00.000Z`;
    const routedAt = `2026-11-2${i}T09:00:05.000Z`;
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
        receivedAt,
        updatedAt: routedAt,
        version: 2,
      }),
    );
    hub.store.putReferral(
      storedReferral({
        id: referralId,
        signalId,
        teamId: t.teamId,
        municipality: t.municipality,
        status: referralStatus,
        history: [
          { status: 'queued', at: routedAt },
          { status: referralStatus, at: routedAt },
        ],
        createdAt: routedAt,
        updatedAt: routedAt,
        version: 2,
      }),
    );
  }
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
 * so a team may accept and a school may withdraw), two audit events per municipality (so every
 * list has a second page and a real cursor to forge from) and an export job of each
 * municipality client.
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
