import { GENESIS_HASH, linkHash } from '../domain/audit-chain.js';
import type { AuditEvent } from '../schemas/audit-event.js';

// The export bench's chain: a year of one municipality's audit events, made up but shaped like
// the real ones (a referral's life from queued to closed, team reads between, a pupil pseudonym,
// details), each a pure function of its sequence number so the bench can write a million without
// keeping them, and hashed one onto the other as the audit log hashes them. Pure: checked by
// test/unit/bench/export-events.test.ts.

export interface ChainShape {
  municipality: string;
  /** Entries in the chain, sequences 1…count. */
  count: number;
  /** recordedAt runs evenly from `from` (inclusive) to `to` (exclusive). */
  from: string;
  to: string;
}

/** Referrals in flight at once: the events of one are this many sequences apart. */
const IN_FLIGHT = 5000;

interface Stage {
  eventType: AuditEvent['eventType'];
  action: AuditEvent['action'];
  /** The referral's version the event records (a read: the version read). */
  version: number;
  by: 'system' | 'team';
  details: Record<string, string | number | boolean>;
}

/** A referral's life: routed onto a team's queue, delivered, read, accepted, started, closed. */
const LIFE: readonly Stage[] = [
  {
    eventType: 'referral.queued',
    action: 'C',
    version: 1,
    by: 'system',
    details: {
      toStatus: 'queued',
      routedBy: 'postcode',
      routingRule: 'postcode-range-1011-1109',
      urgent: false,
    },
  },
  {
    eventType: 'referral.delivered',
    action: 'U',
    version: 2,
    by: 'system',
    details: { fromStatus: 'queued', toStatus: 'delivered', deliveryAttempts: 1, channel: 'team-queue' },
  },
  {
    eventType: 'referral.read',
    action: 'R',
    version: 2,
    by: 'team',
    details: { fields: 'pupil,school,concerns,consent', reason: 'intake', sealed: true },
  },
  {
    eventType: 'referral.accepted',
    action: 'U',
    version: 3,
    by: 'team',
    details: { fromStatus: 'delivered', toStatus: 'accepted', caseworkerRole: 'jeugdconsulent' },
  },
  {
    eventType: 'referral.started',
    action: 'U',
    version: 4,
    by: 'team',
    details: { fromStatus: 'accepted', toStatus: 'started', trajectory: 'ambulant-licht' },
  },
  {
    eventType: 'referral.closed',
    action: 'U',
    version: 5,
    by: 'team',
    details: { fromStatus: 'started', toStatus: 'closed', closeReason: 'completed', durationDays: 84 },
  },
];

const TEAMS = ['jgt-amsterdam-noord', 'jgt-amsterdam-west', 'jgt-amsterdam-zuidoost', 'wijkteam-centrum'];
const SCHOOL_LOCATIONS = ['06VW00', '13BH01', '21KQ02', '04XA00', '17LM03'];
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** A 32-bit integer mix (murmur3's finaliser): cheap, well spread, the same every run. */
function mix(value: number): number {
  let h = value | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const hex8 = (n: number) => n.toString(16).padStart(8, '0');

/** A UUID v4's shape, made from two numbers. */
function uuidOf(a: number, b: number): string {
  const w = [
    mix(a * 4 + 1 + b * 7919),
    mix(a * 4 + 2 - b * 104_729),
    mix(a * 4 + 3 + b),
    mix((a * 4 + 4) ^ b),
  ];
  const h = w.map(hex8).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** `pp-` and 32 base64url characters, like the HMAC pseudonymizer's. */
function pseudonymOf(pupil: number): string {
  let text = 'pp-';
  for (let i = 0; i < 32; i++) text += BASE64URL[mix(pupil * 32 + i) & 63];
  return text;
}

/** When entry `sequence` was recorded: evenly over the period, never going back. */
export function recordedAtOf(shape: ChainShape, sequence: number): string {
  const from = Date.parse(shape.from);
  const span = Date.parse(shape.to) - from;
  return new Date(from + Math.floor(((sequence - 1) * span) / shape.count)).toISOString();
}

/** Entry `sequence` without its place in the chain (prevHash, hash). */
export function draftOf(shape: ChainShape, sequence: number): Omit<AuditEvent, 'prevHash' | 'hash'> {
  const slot = (sequence - 1) % IN_FLIGHT;
  const round = Math.floor((sequence - 1) / IN_FLIGHT);
  const stage = LIFE[round % LIFE.length] as Stage;
  const generation = Math.floor(round / LIFE.length);
  const referral = slot + generation * IN_FLIGHT;
  const referralId = uuidOf(referral, 1);
  const team = TEAMS[mix(referral) % TEAMS.length] as string;
  const recordedAt = recordedAtOf(shape, sequence);
  const occurredAt = new Date(Date.parse(recordedAt) - (mix(sequence) % 4000)).toISOString();
  const actor =
    stage.by === 'system'
      ? { clientId: 'schakel-route-signal', role: 'system' as const, organisation: 'Schakel' }
      : {
          clientId: team,
          role: 'provider' as const,
          user: `mw-${String(mix(referral + 17) % 900).padStart(4, '0')}`,
        };
  return {
    id: stage.action === 'R' ? `READ#${uuidOf(sequence, 3)}` : `REFERRAL#${referralId}#v${stage.version}`,
    municipality: shape.municipality,
    sequence,
    occurredAt,
    recordedAt,
    action: stage.action,
    eventType: stage.eventType,
    outcome: 'success',
    actor,
    onBehalfOf: { schoolLocation: SCHOOL_LOCATIONS[mix(referral + 5) % SCHOOL_LOCATIONS.length] as string },
    object: {
      type: 'referral',
      id: referralId,
      signalId: uuidOf(referral, 2),
      // About two referrals per pupil over the year.
      pupilPseudonym: pseudonymOf(Math.floor(referral / 2)),
      version: stage.version,
    },
    purpose: 'youth-care-access',
    details: { ...stage.details, teamId: team },
  };
}

/** Entries `first`…`last` of the chain, hashed onto `after` (the entry before `first`). */
export function* chainEntries(
  shape: ChainShape,
  after: { sequence: number; hash: string } = { sequence: 0, hash: GENESIS_HASH },
  last = shape.count,
): Generator<AuditEvent> {
  let prevHash = after.hash;
  for (let sequence = after.sequence + 1; sequence <= last; sequence++) {
    const unhashed = { ...draftOf(shape, sequence), prevHash };
    const entry: AuditEvent = { ...unhashed, hash: linkHash<AuditEvent>(unhashed) };
    prevHash = entry.hash;
    yield entry;
  }
}
