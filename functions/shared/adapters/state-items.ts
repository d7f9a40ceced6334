import { WAITING_STATUSES } from '../../../domain/lead-times.js';
import type { AccessRecord, StoredReferral, StoredSignal } from '../model.js';
import {
  ACCESS_PARTITION_PREFIX,
  municipalityPartition,
  schoolPartition,
  workPartition,
} from './state-table.js';

// Mapping between domain records and state-table items (see ../state-table.ts for the layout).

export const signalKey = (id: string) => ({ pk: `SIGNAL#${id}`, sk: 'SIGNAL' });
export const sourceKey = (clientId: string, sourceId: string) => ({
  pk: `SOURCE#${clientId}#${sourceId}`,
  sk: 'SOURCE',
});
export const referralKey = (id: string) => ({ pk: `REFERRAL#${id}`, sk: 'REFERRAL' });
export const teamPartition = (teamId: string) => `TEAM#${teamId}`;

export function signalItem(signal: StoredSignal) {
  const listed = `${signal.receivedAt}#${signal.id}`;
  return {
    ...signalKey(signal.id),
    entity: 'signal',
    gsi1pk: schoolPartition(signal.schoolLocation),
    gsi1sk: listed,
    gsi2pk: municipalityPartition(signal.municipality),
    gsi2sk: listed,
    ...(signal.status === 'unroutable'
      ? { gsi3pk: workPartition('UNROUTABLE', signal.municipality), gsi3sk: listed }
      : {}),
    ...signal,
  };
}

/**
 * A referral for an identified pupil that waits to start is work for escalation until it is
 * escalated, then work for the municipality's overdue list until it starts or ends. A
 * consultation asks for advice, not help: the two-week goal is not about it.
 */
function referralWork(referral: StoredReferral) {
  if (referral.requestType !== 'referral' || !referral.dueAt || !WAITING_STATUSES.has(referral.status)) {
    return {};
  }
  const kind = referral.overdueAt ? 'OVERDUE' : 'DUE';
  return { gsi3pk: workPartition(kind, referral.municipality), gsi3sk: `${referral.dueAt}#${referral.id}` };
}

export function referralItem(referral: StoredReferral) {
  return {
    ...referralKey(referral.id),
    entity: 'referral',
    gsi1pk: `SIGNAL#${referral.signalId}`,
    gsi1sk: `REFERRAL#${referral.id}`,
    gsi2pk: teamPartition(referral.teamId),
    gsi2sk: `${referral.createdAt}#${referral.id}`,
    ...referralWork(referral),
    ...referral,
  };
}

/** Read records only need to live until the stream has carried them to the audit table. */
const ACCESS_RECORD_TTL_SECONDS = 7 * 24 * 3600;

export function accessItem(record: AccessRecord, now: Date) {
  return {
    pk: `${ACCESS_PARTITION_PREFIX}${record.id}`,
    sk: 'ACCESS',
    entity: 'access',
    ...record,
    expiresAt: Math.floor(now.getTime() / 1000) + ACCESS_RECORD_TTL_SECONDS,
  };
}

const ITEM_ONLY = [
  'pk',
  'sk',
  'entity',
  'gsi1pk',
  'gsi1sk',
  'gsi2pk',
  'gsi2sk',
  'gsi3pk',
  'gsi3sk',
  'expiresAt',
];

function strip(item: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...item };
  for (const key of ITEM_ONLY) delete copy[key];
  return copy;
}

export const toSignal = (item: Record<string, unknown>) => strip(item) as unknown as StoredSignal;
export const toReferral = (item: Record<string, unknown>) => strip(item) as unknown as StoredReferral;
