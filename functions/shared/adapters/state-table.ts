// Key layout of the state table, shared by the CDK stack, local mode and the adapters.
// One table, generic keys; entity types are told apart by key prefix and `entity`.
//
//   SIGNAL#<id>              / SIGNAL     the signal; its submission only as ciphertext
//   SOURCE#<client>#<source> / SOURCE     idempotency: (client, sourceId) → signal id + content hash
//   REFERRAL#<id>            / REFERRAL   a referral; GSI bySignal and byTeam
//
// The GSIs are overloaded (single-table design: one index, several partitions told apart by key
// prefix), so a search needs no index of its own and a deployment adds at most one at a time:
//   bySignal  SIGNAL#<signal>        / REFERRAL#<id>         a signal's referrals
//             SCHOOL#<location>      / <receivedAt>#<id>     a school location's signals
//   byTeam    TEAM#<team>            / <createdAt>#<id>      a team's referrals
//             MUNICIPALITY#<code>    / <receivedAt>#<id>     the signals of pupils living there
//   byWork    (sparse: work waiting for someone, and nothing else)
//             UNROUTABLE#<code>      / <receivedAt>#<id>     signals the municipality must assign
//             DUE#<code>             / <dueAt>#<id>          referrals waiting to start, not escalated
//             OVERDUE#<code>         / <dueAt>#<id>          escalated, still waiting to start
//   CLIENT#<sha256(apiKey)>  / CLIENT     an API client (the key itself is never stored)
//   ACCESS#<id>              / ACCESS     a read of pupil data, kept until the audit has it (TTL)

export const schoolPartition = (schoolLocation: string) => `SCHOOL#${schoolLocation}`;
export const municipalityPartition = (code: string) => `MUNICIPALITY#${code}`;
export const WORK_KINDS = ['UNROUTABLE', 'DUE', 'OVERDUE'] as const;
export const workPartition = (kind: (typeof WORK_KINDS)[number], code: string) => `${kind}#${code}`;

/** The partition key prefix of read records: all a function that only records reads may write. */
export const ACCESS_PARTITION_PREFIX = 'ACCESS#';

/**
 * The partition key prefixes of audit export jobs in the audit table (the job, and the pointers
 * in its client's partition): all a function that manages exports may touch there.
 */
export const EXPORT_JOB_PARTITION_PREFIXES = ['EXPORT#', 'EXPORTS#'] as const;

export const STATE_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  timeToLiveAttribute: 'expiresAt',
  indexes: {
    bySignal: { partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    byTeam: { partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    byWork: { partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
  },
} as const;

// Audit table layout:
//   CHAIN#<municipality> / HEAD              sequence + hash of the newest entry
//   CHAIN#<municipality> / SEQ#<12 digits>   one audit event
//   EVENT#<eventKey>     / EVENT             marks a source change as appended (exactly once)
// An entry about a pupil also carries gsi1pk = PUPIL#<municipality>#<pseudonym>: the sparse index
// byPupil finds one pupil's events in sequence order (subject access) without reading the chain.
export const AUDIT_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: {
    /** Carries only the event itself (`entry`): a subject access needs nothing else of the item. */
    byPupil: { partitionKey: 'gsi1pk', sortKey: 'sk', projected: ['entry'] },
  },
} as const;

/** The byPupil partition of one pupil's events in one municipality's chain. */
export const pupilPartition = (municipality: string, pupilPseudonym: string) =>
  `PUPIL#${municipality}#${pupilPseudonym}`;
