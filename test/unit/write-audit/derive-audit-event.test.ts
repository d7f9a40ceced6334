import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import type { ReferralStatus } from '../../../domain/referral-state.js';
import { accessItem, referralItem, signalItem } from '../../../functions/shared/adapters/state-items.js';
import { trailReadRecord } from '../../../functions/shared/audit-trail-access.js';
import type { AccessRecord, ChangeRecord, StoredReferral } from '../../../functions/shared/model.js';
import type { AuditEntryDraft } from '../../../functions/shared/ports/audit-log.js';
import {
  type Derivation,
  deriveAuditEvent,
  type StateChange,
} from '../../../functions/write-audit/derive-audit-event.js';
import { AuditEventSchema } from '../../../schemas/audit-event.js';
import { municipalityClient } from '../../helpers/clients.js';
import { referralSubmission, storedReferral, storedSignal } from '../../helpers/factories.js';

// Items as the state table's stream carries them (built with the adapters' own item mappers),
// holding every kind of pupil data and free text that must never reach the audit.
const SECRETS = {
  bsn: '999900043',
  birthDate: '2013-07-04',
  postcode: '2181AB',
  summary: 'Leerling slaapt in de klas sinds de scheiding',
  contactName: 'Annemarie Zwaneveld',
  contactEmail: 'a.zwaneveld@school.example',
  rejectReason: 'Moeder weigert iedere medewerking',
  withdrawReason: 'Gezin verhuist naar Zwolle',
};

const submission = referralSubmission({
  pupil: { bsn: SECRETS.bsn, birthDate: SECRETS.birthDate, postcode: SECRETS.postcode },
  summary: SECRETS.summary,
  contact: { name: SECRETS.contactName, email: SECRETS.contactEmail },
});

const SIGNAL_ID = '5d0c8c4e-6f0a-4c53-9f1e-0b7b8d9a1c01';
const REFERRAL_ID = '7e1d9d5f-7a1b-4d64-8a2f-1c8c9eab2d02';
const PSEUDONYM = 'pp-Qm9ndXNQc2V1ZG9ueW1Gb3JUZXN0cw';

const schoolActor = {
  clientId: 'school-1',
  role: 'school' as const,
  organisation: 'Stichting De Regenboog',
  user: 'ib.devries',
};
const teamActor = {
  clientId: 'team-jgt-amsterdam',
  role: 'provider' as const,
  organisation: 'OKT',
  user: 'm.jansen',
};
const system = { clientId: 'schakel', role: 'system' as const, organisation: 'Schakel' };

const change = (
  eventType: ChangeRecord['eventType'],
  actor: ChangeRecord['actor'],
  details = {},
): ChangeRecord => ({
  eventType,
  at: '2026-11-23T09:30:00.000Z',
  actor,
  onBehalfOf: { schoolLocation: '12AB00' },
  details,
});

const signalAt = (
  version: number,
  status: 'received' | 'routed' | 'unroutable' | 'withdrawn',
  last: ChangeRecord,
) =>
  signalItem(
    storedSignal({
      id: SIGNAL_ID,
      status,
      version,
      pupilPseudonym: PSEUDONYM,
      referralIds: status === 'received' ? [] : [REFERRAL_ID],
      lastChange: last,
    }),
  );

const history: StoredReferral['history'] = [
  { status: 'queued', at: '2026-11-22T10:00:05.000Z' },
  { status: 'rejected', at: '2026-11-23T09:00:00.000Z', reason: SECRETS.rejectReason },
  { status: 'withdrawn', at: '2026-11-23T09:30:00.000Z', reason: SECRETS.withdrawReason },
];

const referralAt = (version: number, status: ReferralStatus, last: ChangeRecord) =>
  referralItem(
    storedReferral({
      id: REFERRAL_ID,
      signalId: SIGNAL_ID,
      status,
      version,
      pupilPseudonym: PSEUDONYM,
      history,
      lastChange: last,
    }),
  );

const read: AccessRecord = {
  id: '00000000-0000-4000-8000-000000000064',
  municipality: '0363',
  objectType: 'referral',
  objectId: REFERRAL_ID,
  signalId: SIGNAL_ID,
  pupilPseudonym: PSEUDONYM,
  objectVersion: 2,
  change: {
    ...change('referral.read', teamActor, { status: 'delivered' }),
    onBehalfOf: { teamId: 'jgt-amsterdam' },
  },
};

const signalChanges: [string, StateChange, 'C' | 'U', string, number][] = [
  [
    'signal INSERT',
    { eventName: 'INSERT', newItem: signalAt(1, 'received', change('signal.received', schoolActor)) },
    'C',
    'signal.received',
    1,
  ],
  ...(
    [
      ['routed', 'signal.routed', system],
      ['unroutable', 'signal.unroutable', system],
      ['withdrawn', 'signal.withdrawn', schoolActor],
    ] as const
  ).map(([status, eventType, actor]): [string, StateChange, 'C' | 'U', string, number] => [
    `signal MODIFY to ${status}`,
    {
      eventName: 'MODIFY',
      oldItem: signalAt(1, 'received', change('signal.received', schoolActor)),
      newItem: signalAt(2, status, change(eventType, actor, { fromStatus: 'received' })),
    },
    'U',
    eventType,
    2,
  ]),
];

const referralChanges: [string, StateChange, 'C' | 'U', string, number][] = [
  [
    'referral INSERT',
    { eventName: 'INSERT', newItem: referralAt(1, 'queued', change('referral.queued', system)) },
    'C',
    'referral.queued',
    1,
  ],
  ...(['delivered', 'accepted', 'started', 'closed', 'rejected', 'withdrawn'] as const).map(
    (status, i): [string, StateChange, 'C' | 'U', string, number] => [
      `referral MODIFY to ${status}`,
      {
        eventName: 'MODIFY',
        oldItem: referralAt(i + 1, 'queued', change('referral.queued', system)),
        newItem: referralAt(
          i + 2,
          status,
          change(`referral.${status}`, status === 'withdrawn' ? schoolActor : teamActor, {
            toStatus: status,
          }),
        ),
      },
      'U',
      `referral.${status}`,
      i + 2,
    ],
  ),
];

const accessChange: StateChange = {
  eventName: 'INSERT',
  newItem: accessItem(read, new Date('2026-11-23T09:30:00Z')),
};

/** The change with the submission and a reason-carrying history on both images, whatever the entity. */
function withEverySecret(stateChange: StateChange): StateChange {
  const load = (item: Record<string, unknown> | undefined) => item && { submission, history, ...item };
  const loaded: StateChange = { eventName: stateChange.eventName };
  if (stateChange.newItem) loaded.newItem = load(stateChange.newItem);
  if (stateChange.oldItem) loaded.oldItem = load(stateChange.oldItem);
  return loaded;
}

const DraftSchema = z.strictObject(
  z.omit(AuditEventSchema, { sequence: true, prevHash: true, hash: true, recordedAt: true }).shape,
);

function draftOf(derivation: Derivation): AuditEntryDraft {
  if (derivation.kind !== 'audit') throw new Error(`ignored: ${derivation.reason}`);
  return derivation.draft;
}

describe('deriveAuditEvent', () => {
  it.each(signalChanges)(
    'audits a %s as %s %s with a versioned id',
    (_case, stateChange, action, eventType, version) => {
      const draft = draftOf(deriveAuditEvent(stateChange));

      expect(DraftSchema.parse(draft)).toEqual(draft);
      expect(draft).toMatchObject({
        id: `SIGNAL#${SIGNAL_ID}#v${version}`,
        municipality: '0363',
        occurredAt: '2026-11-23T09:30:00.000Z',
        action,
        eventType,
        outcome: 'success',
        object: { type: 'signal', id: SIGNAL_ID, signalId: SIGNAL_ID, pupilPseudonym: PSEUDONYM, version },
        purpose: 'youth-care-access',
      });
    },
  );

  it.each(referralChanges)(
    'audits a %s as %s %s with a versioned id',
    (_case, stateChange, action, eventType, version) => {
      const draft = draftOf(deriveAuditEvent(stateChange));

      expect(DraftSchema.parse(draft)).toEqual(draft);
      expect(draft).toMatchObject({
        id: `REFERRAL#${REFERRAL_ID}#v${version}`,
        municipality: '0363',
        action,
        eventType,
        object: {
          type: 'referral',
          id: REFERRAL_ID,
          signalId: SIGNAL_ID,
          pupilPseudonym: PSEUDONYM,
          version,
        },
      });
    },
  );

  it('audits a read record as R referral.read, attributed to the reading team member', () => {
    const draft = draftOf(deriveAuditEvent(accessChange));

    expect(DraftSchema.parse(draft)).toEqual(draft);
    expect(draft).toEqual({
      id: `ACCESS#${read.id}`,
      municipality: '0363',
      occurredAt: '2026-11-23T09:30:00.000Z',
      action: 'R',
      eventType: 'referral.read',
      outcome: 'success',
      actor: teamActor,
      onBehalfOf: { teamId: 'jgt-amsterdam' },
      object: {
        type: 'referral',
        id: REFERRAL_ID,
        signalId: SIGNAL_ID,
        pupilPseudonym: PSEUDONYM,
        version: 2,
      },
      purpose: 'youth-care-access',
      details: { status: 'delivered' },
    });
  });

  it.each<[string, Parameters<typeof trailReadRecord>[0], Record<string, unknown>]>([
    [
      'a read of the trail as R audit-trail.read for accountability, naming no pupil',
      {
        id: 'a7f3c1e2-0000-4000-8000-000000000001',
        municipality: '0363',
        client: municipalityClient(['0363']),
        user: 'mw-017',
        at: new Date('2026-11-23T09:30:00Z'),
        eventType: 'audit-trail.read',
        purpose: 'accountability',
        details: { from: '2026-11-01T00:00:00.000Z', count: 50 },
      },
      {
        eventType: 'audit-trail.read',
        object: { type: 'audit-trail', id: '0363' },
        purpose: 'accountability',
        details: { from: '2026-11-01T00:00:00.000Z', count: 50 },
      },
    ],
    [
      'a subject access as R audit-trail.subject-access, naming the pupil by pseudonym',
      {
        id: 'a7f3c1e2-0000-4000-8000-000000000002',
        municipality: '0363',
        client: municipalityClient(['0363']),
        user: 'mw-017',
        at: new Date('2026-11-23T09:30:00Z'),
        eventType: 'audit-trail.subject-access',
        purpose: 'subject-access',
        details: { eventCount: 3 },
        pupilPseudonym: PSEUDONYM,
      },
      {
        eventType: 'audit-trail.subject-access',
        object: { type: 'audit-trail', id: '0363', pupilPseudonym: PSEUDONYM },
        purpose: 'subject-access',
        details: { eventCount: 3 },
      },
    ],
  ])('audits %s (no signal, no version)', (_case, read, expected) => {
    const record = trailReadRecord(read);

    const draft = draftOf(
      deriveAuditEvent({
        eventName: 'INSERT',
        newItem: accessItem(record, new Date('2026-11-23T09:30:00Z')),
      }),
    );

    expect(DraftSchema.parse(draft)).toEqual(draft);
    expect(draft).toEqual({
      id: `ACCESS#${read.id}`,
      municipality: '0363',
      occurredAt: '2026-11-23T09:30:00.000Z',
      action: 'R',
      outcome: 'success',
      actor: {
        clientId: 'municipality-0363',
        role: 'municipality',
        organisation: 'Gemeente',
        user: 'mw-017',
      },
      ...expected,
    });
  });

  it('copies who acted and on whose behalf from the change record', () => {
    const draft = draftOf(deriveAuditEvent(signalChanges[0]?.[1] as StateChange));

    expect(draft.actor).toEqual(schoolActor);
    expect(draft.onBehalfOf).toEqual({ schoolLocation: '12AB00' });
  });

  it('derives the same id from a stream record delivered twice', () => {
    const [, stateChange] = referralChanges[2] as (typeof referralChanges)[number];

    const first = draftOf(deriveAuditEvent(stateChange));
    const again = draftOf(deriveAuditEvent(structuredClone(stateChange)));

    expect(again.id).toBe(first.id);
    expect(again).toEqual(first);
  });

  it('derives different ids for successive versions of one item', () => {
    const ids = referralChanges.map(([, stateChange]) => draftOf(deriveAuditEvent(stateChange)).id);

    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each<[string, StateChange]>([
    ...[...signalChanges, ...referralChanges].map(([name, stateChange]): [string, StateChange] => [
      name,
      stateChange,
    ]),
    ['access INSERT', accessChange],
  ])(
    'copies no pupil identity or free text from a %s, even when the item holds all of it (Invariant 4)',
    (_case, stateChange) => {
      const loaded = withEverySecret(stateChange);
      const itemText = JSON.stringify(loaded);

      const derived = deriveAuditEvent(loaded);

      for (const secret of Object.values(SECRETS)) {
        expect(itemText).toContain(secret);
        expect(JSON.stringify(derived)).not.toContain(secret);
      }
      expect(derived).toEqual(deriveAuditEvent(stateChange));
    },
  );

  it.each<[string, StateChange, string]>([
    [
      'a REMOVE (read record expired by TTL)',
      { eventName: 'REMOVE', oldItem: accessChange.newItem },
      'remove',
    ],
    ['a record without a new image', { eventName: 'MODIFY' }, 'no-image'],
    [
      'a client item',
      {
        eventName: 'INSERT',
        newItem: { pk: 'CLIENT#abc', sk: 'CLIENT', entity: 'client', client: { name: 'x' } },
      },
      'entity-client',
    ],
    [
      'a source item',
      {
        eventName: 'INSERT',
        newItem: {
          pk: 'SOURCE#school-1#lvs-1',
          sk: 'SOURCE',
          entity: 'source',
          signalId: SIGNAL_ID,
          contentHash: 'a',
        },
      },
      'entity-source',
    ],
    [
      'a read record modified',
      { eventName: 'MODIFY', oldItem: accessChange.newItem, newItem: accessChange.newItem },
      'access-modified',
    ],
    [
      'a signal change that kept its version',
      {
        eventName: 'MODIFY',
        oldItem: signalAt(2, 'routed', change('signal.routed', system)),
        newItem: signalAt(2, 'routed', change('signal.routed', system)),
      },
      'unversioned-change',
    ],
    [
      'a signal item without a change record',
      {
        eventName: 'INSERT',
        newItem: {
          ...signalAt(1, 'received', change('signal.received', schoolActor)),
          lastChange: undefined,
        },
      },
      'no-change-record',
    ],
  ])('ignores %s', (_case, stateChange, reason) => {
    expect(deriveAuditEvent(stateChange)).toEqual({ kind: 'ignore', reason });
  });
});
