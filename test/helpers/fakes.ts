import { createHash } from 'node:crypto';
import { GENESIS_HASH, linkHash } from '../../domain/audit-chain.js';
import { WAITING_STATUSES } from '../../domain/lead-times.js';
import type { ReferralStatus } from '../../domain/referral-state.js';
import { decodeCursor, encodeCursor } from '../../functions/shared/adapters/cursor.js';
import type { AccessRecord, StoredReferral, StoredSignal } from '../../functions/shared/model.js';
import type { AccessLog } from '../../functions/shared/ports/access-log.js';
import {
  type AppendOutcome,
  AuditAppendError,
  type AuditEntryDraft,
  type AuditLog,
  type AuditPage,
} from '../../functions/shared/ports/audit-log.js';
import type { ClientDirectory } from '../../functions/shared/ports/client-directory.js';
import type { Pseudonymizer } from '../../functions/shared/ports/pseudonymizer.js';
import type { PupilAuditTrail } from '../../functions/shared/ports/pupil-audit-trail.js';
import type { PupilDataVault } from '../../functions/shared/ports/pupil-data-vault.js';
import type { IntakeQueue, TeamQueue } from '../../functions/shared/ports/queues.js';
import type { ReferralPage, ReferralStore } from '../../functions/shared/ports/referral-store.js';
import type { CreateSignalOutcome, SignalStore } from '../../functions/shared/ports/signal-store.js';
import type { CommitOutcome, StateWrite } from '../../functions/shared/ports/state-writes.js';
import type {
  ReferralWork,
  SignalPage,
  SignalQuery,
  SignalSearch,
} from '../../functions/shared/ports/work-lists.js';
import type { AuditEvent } from '../../schemas/audit-event.js';
import type { Client } from '../../schemas/client.js';
import type { IntakeMessage, ReferralCloudEvent } from '../../schemas/cloud-event.js';
import type { SignalSubmission } from '../../schemas/signal.js';

// In-memory fakes of the ports in functions/shared/ports/, for unit tests of the use cases.
// They keep the adapters' contracts: the stores apply the same conditions as the DynamoDB
// adapters (a failed condition is an outcome, not a write), everything goes in and out as a
// copy (as it would through DynamoDB), and every fake can be told to fail.

/** Errors armed for the next calls of named operations. */
class Faults<Op extends string> {
  private readonly queued = new Map<Op, Error[]>();
  private readonly permanent = new Map<Op, Error>();

  next(op: Op, error: Error, times: number): void {
    this.queued.set(op, [...(this.queued.get(op) ?? []), ...Array.from({ length: times }, () => error)]);
  }

  always(op: Op, error: Error): void {
    this.permanent.set(op, error);
  }

  clear(): void {
    this.queued.clear();
    this.permanent.clear();
  }

  check(op: Op): void {
    const error = this.queued.get(op)?.shift() ?? this.permanent.get(op);
    if (error) throw error;
  }
}

const copy = <T>(value: T): T => structuredClone(value);

/** A clock that always says `iso`. */
export function fixedClock(iso: string): () => Date {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) throw new RangeError(`not a date-time: ${iso}`);
  return () => new Date(at);
}

/** Predictable UUIDs (version 4 layout): 00000000-0000-4000-8000-000000000001, …002, … */
export function sequentialIds(start = 1): () => string {
  let next = start;
  return () => `00000000-0000-4000-8000-${(next++).toString(16).padStart(12, '0')}`;
}

export type StoreOperation =
  | 'createSignal'
  | 'findSource'
  | 'getSignal'
  | 'getReferrals'
  | 'getSignalWithReferrals'
  | 'getReferral'
  | 'listTeamReferrals'
  | 'commit';

/**
 * The state table as SignalStore and ReferralStore see it (one table, two ports, as in AWS). It
 * only stores: like the DynamoDB adapter, `commit` writes each record's new version when the
 * stored one is the version before it (version 1: when there is none), all or nothing.
 */
export class InMemoryStateStore implements SignalStore, ReferralStore, SignalSearch, ReferralWork {
  private readonly signals = new Map<string, StoredSignal>();
  private readonly sources = new Map<string, { signalId: string; contentHash: string }>();
  private readonly referrals = new Map<string, StoredReferral>();
  private readonly faults = new Faults<StoreOperation>();
  private interleaved: (() => void) | undefined;
  /** Successful writes, in order (operation names). */
  readonly writes: StoreOperation[] = [];

  failNext(op: StoreOperation, error: Error = new Error(`${op} failed`), times = 1): void {
    this.faults.next(op, error, times);
  }

  failAlways(op: StoreOperation, error: Error = new Error(`${op} failed`)): void {
    this.faults.always(op, error);
  }

  recover(): void {
    this.faults.clear();
  }

  /** Runs `change` just before the next write is evaluated: another writer won the race. */
  beforeNextWrite(change: () => void): void {
    this.interleaved = change;
  }

  // Arrange/assert helpers (not part of the ports).

  putSignal(signal: StoredSignal): void {
    this.signals.set(signal.id, copy(signal));
  }

  putReferral(referral: StoredReferral): void {
    this.referrals.set(referral.id, copy(referral));
  }

  allSignals(): StoredSignal[] {
    return [...this.signals.values()].map(copy);
  }

  allReferrals(): StoredReferral[] {
    return [...this.referrals.values()].map(copy);
  }

  private read(op: StoreOperation): void {
    this.faults.check(op);
  }

  private write(op: StoreOperation): void {
    this.faults.check(op);
    const change = this.interleaved;
    this.interleaved = undefined;
    change?.();
  }

  async createSignal(signal: StoredSignal): Promise<CreateSignalOutcome> {
    this.write('createSignal');
    const sourceKey = `${signal.sourceClientId}#${signal.sourceId}`;
    const source = this.sources.get(sourceKey);
    if (source) return { outcome: 'exists', ...source };
    // The adapter's second condition: a signal id is never reused. With no SOURCE item to read,
    // the adapter rethrows the cancellation.
    if (this.signals.has(signal.id)) throw new Error(`signal ${signal.id} exists without its source item`);
    this.sources.set(sourceKey, { signalId: signal.id, contentHash: signal.contentHash });
    this.signals.set(signal.id, copy(signal));
    this.writes.push('createSignal');
    return { outcome: 'created' };
  }

  async findSource(clientId: string, sourceId: string) {
    this.read('findSource');
    const source = this.sources.get(`${clientId}#${sourceId}`);
    return source && { ...source };
  }

  async getSignal(id: string): Promise<StoredSignal | undefined> {
    this.read('getSignal');
    const signal = this.signals.get(id);
    return signal && copy(signal);
  }

  async getReferrals(ids: readonly string[]): Promise<StoredReferral[]> {
    this.read('getReferrals');
    return ids.flatMap((id) => {
      const referral = this.referrals.get(id);
      return referral ? [copy(referral)] : [];
    });
  }

  async getSignalWithReferrals(
    id: string,
    _expected: readonly string[],
  ): Promise<{ signal: StoredSignal; referrals: StoredReferral[] } | undefined> {
    this.read('getSignalWithReferrals');
    const signal = this.signals.get(id);
    if (!signal) return undefined;
    const referrals = signal.referralIds.flatMap((referralId) => {
      const referral = this.referrals.get(referralId);
      return referral ? [copy(referral)] : [];
    });
    return { signal: copy(signal), referrals };
  }

  async getReferral(id: string): Promise<StoredReferral | undefined> {
    this.read('getReferral');
    const referral = this.referrals.get(id);
    return referral && copy(referral);
  }

  /**
   * Like the adapter's byTeam query loop: newest first by `createdAt#id`, the status filter
   * applied while reading until the page is full; the cursor is checked against the team.
   */
  async listTeamReferrals(
    teamId: string,
    options: {
      limit: number;
      cursor?: string | undefined;
      status?: ReferralStatus | undefined;
      overdue?: boolean | undefined;
    },
  ): Promise<ReferralPage> {
    this.read('listTeamReferrals');
    const partition = `TEAM#${teamId}`;
    const start = decodeCursor(options.cursor, { gsi2pk: partition }, ['pk', 'sk', 'gsi2pk', 'gsi2sk']);
    const sortKey = (r: StoredReferral) => `${r.createdAt}#${r.id}`;
    const remaining = [...this.referrals.values()]
      .filter((r) => r.teamId === teamId)
      .sort((a, b) => (sortKey(a) < sortKey(b) ? 1 : -1))
      .filter((r) => start === undefined || sortKey(r) < String(start.gsi2sk));
    const items: StoredReferral[] = [];
    let last: StoredReferral | undefined;
    for (const referral of remaining) {
      if (items.length === options.limit) break;
      last = referral;
      const overdue = referral.overdueAt !== undefined && WAITING_STATUSES.has(referral.status);
      if ((!options.status || referral.status === options.status) && (!options.overdue || overdue)) {
        items.push(copy(referral));
      }
    }
    const more = last !== undefined && remaining.indexOf(last) < remaining.length - 1;
    const next =
      more && last
        ? encodeCursor({
            pk: `REFERRAL#${last.id}`,
            sk: 'REFERRAL',
            gsi2pk: partition,
            gsi2sk: sortKey(last),
          })
        : undefined;
    return { items, ...(next ? { next } : {}) };
  }

  // The work lists and searches, as array filters: one page, no cursor (the adapter's paging is
  // tested against DynamoDB Local).

  async overdueReferrals(municipality: string, options: { limit: number }): Promise<ReferralPage> {
    const items = [...this.referrals.values()]
      .filter((r) => r.municipality === municipality && r.overdueAt && WAITING_STATUSES.has(r.status))
      .sort((a, b) => ((a.dueAt ?? '') < (b.dueAt ?? '') ? -1 : 1))
      .slice(0, options.limit);
    return { items: items.map(copy) };
  }

  async dueReferrals(
    municipality: string,
    before: string,
    limit: number,
    after?: StoredReferral,
  ): Promise<StoredReferral[]> {
    const sortKey = (r: StoredReferral) => `${r.dueAt}#${r.id}`;
    return [...this.referrals.values()]
      .filter(
        (r) =>
          (after === undefined || sortKey(r) > sortKey(after)) &&
          r.municipality === municipality &&
          r.requestType === 'referral' &&
          r.dueAt !== undefined &&
          r.dueAt < before &&
          !r.overdueAt &&
          WAITING_STATUSES.has(r.status),
      )
      .sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1))
      .slice(0, limit)
      .map(copy);
  }

  async referralsMade(
    teamId: string,
    municipality: string,
    from: string,
    to: string,
  ): Promise<StoredReferral[]> {
    return [...this.referrals.values()]
      .filter(
        (r) =>
          r.teamId === teamId &&
          r.municipality === municipality &&
          r.requestType === 'referral' &&
          r.createdAt >= from &&
          r.createdAt < to,
      )
      .map(copy);
  }

  async searchSignals(query: SignalQuery): Promise<SignalPage> {
    const { scope } = query;
    const items = [...this.signals.values()]
      .filter((s) =>
        scope.kind === 'school'
          ? s.schoolLocation === scope.schoolLocation
          : s.municipality === scope.municipality,
      )
      .filter((s) => !query.status || s.status === query.status)
      .filter((s) => !query.schoolLocation || s.schoolLocation === query.schoolLocation)
      .filter((s) => (!query.from || s.receivedAt >= query.from) && (!query.to || s.receivedAt < query.to))
      .sort((a, b) => (`${a.receivedAt}#${a.id}` < `${b.receivedAt}#${b.id}` ? 1 : -1))
      .slice(0, query.limit);
    return { items: items.map(copy) };
  }

  async commit(writes: readonly StateWrite[]): Promise<CommitOutcome> {
    this.write('commit');
    const stored = (write: StateWrite) =>
      write.entity === 'signal' ? this.signals.get(write.record.id) : this.referrals.get(write.record.id);
    const fits = writes.every((write) =>
      write.record.version === 1 ? !stored(write) : stored(write)?.version === write.record.version - 1,
    );
    if (!fits) return 'conflict';
    for (const write of writes) {
      if (write.entity === 'signal') this.signals.set(write.record.id, copy(write.record));
      else this.referrals.set(write.record.id, copy(write.record));
    }
    this.writes.push('commit');
    return 'committed';
  }
}

/** Records every intake message; can be told to fail. */
export class FakeIntakeQueue implements IntakeQueue {
  readonly messages: IntakeMessage[] = [];
  private readonly faults = new Faults<'enqueue'>();

  failNext(error: Error = Object.assign(new Error('queue down'), { name: 'QueueDoesNotExist' }), times = 1) {
    this.faults.next('enqueue', error, times);
  }

  async enqueue(message: IntakeMessage): Promise<void> {
    this.faults.check('enqueue');
    this.messages.push(copy(message));
  }
}

/** Records every CloudEvent per team; can be told to fail. */
export class FakeTeamQueue implements TeamQueue {
  readonly published: { teamId: string; event: ReferralCloudEvent }[] = [];
  private readonly faults = new Faults<'publish'>();

  failNext(error: Error = Object.assign(new Error('queue down'), { name: 'QueueDoesNotExist' }), times = 1) {
    this.faults.next('publish', error, times);
  }

  async publish(teamId: string, event: ReferralCloudEvent): Promise<void> {
    this.faults.check('publish');
    this.published.push({ teamId, event: copy(event) });
  }
}

/** Keeps read records; can be told to fail (then nothing is recorded). */
export class FakeAccessLog implements AccessLog {
  readonly records: AccessRecord[] = [];
  private readonly faults = new Faults<'recordRead'>();

  failNext(error: Error = new Error('access log down'), times = 1) {
    this.faults.next('recordRead', error, times);
  }

  async recordRead(record: AccessRecord): Promise<void> {
    this.faults.check('recordRead');
    if (this.records.some((r) => r.id === record.id)) throw new Error(`access record ${record.id} exists`);
    this.records.push(copy(record));
  }
}

/**
 * Seals into an opaque token and keeps the submission in memory, like a vault whose key the
 * store never sees; opening checks the token belongs to the signal, as the real one does.
 */
export class FakeVault implements PupilDataVault {
  private readonly sealed = new Map<string, { signalId: string; submission: SignalSubmission }>();
  private readonly faults = new Faults<'seal' | 'open'>();

  failNext(op: 'seal' | 'open', error: Error = new Error(`${op} failed`)) {
    this.faults.next(op, error, 1);
  }

  async seal(signalId: string, submission: SignalSubmission): Promise<string> {
    this.faults.check('seal');
    const token = `sealed:${this.sealed.size + 1}`;
    this.sealed.set(token, { signalId, submission: copy(submission) });
    return token;
  }

  async open(signalId: string, token: string): Promise<SignalSubmission> {
    this.faults.check('open');
    const entry = this.sealed.get(token);
    if (!entry || entry.signalId !== signalId) throw new Error('sealed pupil data of another signal');
    return copy(entry.submission);
  }

  /** Arranges a sealed submission, as if `seal` had made `token` (for signals put in a store). */
  keep(token: string | undefined, signalId: string, submission: SignalSubmission): void {
    // A stored signal's token is optional only because retention may have removed it.
    if (token === undefined) throw new RangeError('a purged signal has no sealed submission to keep');
    this.sealed.set(token, { signalId, submission: copy(submission) });
  }

  /** What was sealed under `token` (arrange/assert helper). */
  contents(token: string): SignalSubmission | undefined {
    return this.sealed.get(token)?.submission;
  }
}

/** A keyed-looking pseudonym that never contains its input; records what it was asked. */
export class FakePseudonymizer implements Pseudonymizer {
  readonly calls: { kind: 'bsn' | 'onderwijsnummer'; value: string }[] = [];

  async pseudonymize(kind: 'bsn' | 'onderwijsnummer', value: string): Promise<string> {
    this.calls.push({ kind, value });
    return FakePseudonymizer.expected(kind, value);
  }

  static expected(kind: 'bsn' | 'onderwijsnummer', value: string): string {
    return `pp-${createHash('sha256').update(`fake-key:${kind}:${value}`).digest('hex').slice(0, 32)}`;
  }
}

/**
 * A hash-chained audit log per municipality with the port's exactly-once `append`, and the lookup
 * of one pupil's entries that the byPupil index gives.
 */
export class FakeAuditLog implements AuditLog, PupilAuditTrail {
  private readonly chains = new Map<string, AuditEvent[]>();
  private readonly faults = new Faults<'append' | 'list'>();
  readonly queries: Parameters<AuditLog['list']>[0][] = [];
  readonly pupilQueries: Parameters<PupilAuditTrail['listForPupil']>[0][] = [];

  constructor(private readonly now: () => Date = fixedClock('2026-11-22T10:00:00Z')) {}

  failNext(op: 'append' | 'list', error: Error = new Error(`${op} failed`), times = 1) {
    this.faults.next(op, error, times);
  }

  entries(municipality: string): AuditEvent[] {
    return copy(this.chains.get(municipality) ?? []);
  }

  async append(municipality: string, drafts: readonly AuditEntryDraft[]): Promise<AppendOutcome> {
    const outcome: AppendOutcome = { appended: 0, duplicates: 0 };
    for (const [index, draft] of drafts.entries()) {
      try {
        this.faults.check('append');
      } catch (error) {
        throw new AuditAppendError('append failed', index, { cause: error });
      }
      if (draft.municipality !== municipality) throw new RangeError('draft of another municipality');
      const chain = this.chains.get(municipality) ?? [];
      if ([...this.chains.values()].some((c) => c.some((e) => e.id === draft.id))) {
        outcome.duplicates += 1;
        continue;
      }
      const prev = chain.at(-1);
      const unhashed = {
        ...copy(draft),
        sequence: (prev?.sequence ?? 0) + 1,
        recordedAt: this.now().toISOString(),
        prevHash: prev?.hash ?? GENESIS_HASH,
      };
      chain.push({ ...unhashed, hash: linkHash<AuditEvent>(unhashed) });
      this.chains.set(municipality, chain);
      outcome.appended += 1;
    }
    return outcome;
  }

  async list(query: Parameters<AuditLog['list']>[0]): Promise<AuditPage> {
    this.queries.push(copy(query));
    this.faults.check('list');
    const partition = `CHAIN#${query.municipality}`;
    const start = decodeCursor(query.cursor, { pk: partition }, ['pk', 'sk'], { sk: 'SEQ#' });
    const after = start === undefined ? 0 : Number(String(start.sk).slice('SEQ#'.length));
    const matching = (this.chains.get(query.municipality) ?? [])
      .filter((e) => e.sequence > after)
      .filter((e) => (!query.from || e.occurredAt >= query.from) && (!query.to || e.occurredAt < query.to));
    const items = matching.slice(0, query.limit);
    const last = items.at(-1);
    const next =
      matching.length > items.length && last
        ? encodeCursor({ pk: partition, sk: `SEQ#${String(last.sequence).padStart(12, '0')}` })
        : undefined;
    return { items: copy(items), ...(next ? { next } : {}) };
  }

  /** Like the byPupil index query: the pupil's entries of one chain by sequence; the cursor checked. */
  async listForPupil(query: Parameters<PupilAuditTrail['listForPupil']>[0]): Promise<AuditPage> {
    this.pupilQueries.push(copy(query));
    this.faults.check('list');
    const partition = `PUPIL#${query.municipality}#${query.pupilPseudonym}`;
    const chain = `CHAIN#${query.municipality}`;
    const start = decodeCursor(query.cursor, { gsi1pk: partition, pk: chain }, ['gsi1pk', 'pk', 'sk'], {
      sk: 'SEQ#',
    });
    const after = start === undefined ? 0 : Number(String(start.sk).slice('SEQ#'.length));
    const matching = (this.chains.get(query.municipality) ?? []).filter(
      (e) => e.object.pupilPseudonym === query.pupilPseudonym && e.sequence > after,
    );
    const items = matching.slice(0, query.limit);
    const last = items.at(-1);
    const next =
      matching.length > items.length && last
        ? encodeCursor({ gsi1pk: partition, pk: chain, sk: `SEQ#${String(last.sequence).padStart(12, '0')}` })
        : undefined;
    return { items: copy(items), ...(next ? { next } : {}) };
  }
}

/** Clients by API key; records every lookup. */
export class FakeClientDirectory implements ClientDirectory {
  private readonly clients = new Map<string, Client>();
  readonly lookups: string[] = [];

  async findByApiKey(apiKey: string): Promise<Client | undefined> {
    this.lookups.push(apiKey);
    const client = this.clients.get(apiKey);
    return client && copy(client);
  }

  async putClient(client: Client, apiKey: string): Promise<void> {
    this.clients.set(apiKey, copy(client));
  }
}
