// Key layout of the state table, shared by the CDK stack, local mode and the adapters.
// One table, generic keys; entity types are told apart by key prefix and `entity`.
//
//   SIGNAL#<id>              / SIGNAL     the signal; its submission only as ciphertext
//   SOURCE#<client>#<source> / SOURCE     idempotency: (client, sourceId) → signal id + content hash
//   REFERRAL#<id>            / REFERRAL   a referral; GSI bySignal and byTeam
//   CLIENT#<sha256(apiKey)>  / CLIENT     an API client (the key itself is never stored)
//   ACCESS#<id>              / ACCESS     a read of pupil data, kept until the audit has it (TTL)

export const STATE_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  timeToLiveAttribute: 'expiresAt',
  indexes: {
    bySignal: { partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    byTeam: { partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  },
} as const;

// Audit table layout:
//   CHAIN#<municipality> / HEAD              sequence + hash of the newest entry
//   CHAIN#<municipality> / SEQ#<12 digits>   one audit event
//   EVENT#<eventKey>     / EVENT             marks a source change as appended (exactly once)
export const AUDIT_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
} as const;
