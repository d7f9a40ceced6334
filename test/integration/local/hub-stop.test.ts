import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LocalHub, startLocalHub } from '../../../local/start.js';
import {
  acceptedId,
  documentsOf,
  eventually,
  getSignal,
  javaProcessesUnder,
  type Outcome,
  recordingLog,
  storedState,
  submissionFor,
  submit,
} from './hub-support.js';

// A hub stopped in the middle of a burst of submissions (as Ctrl-C stops `npm start`): the requests
// it had accepted are answered, later ones are refused, and nothing it answered 202 is lost — after
// a restart on the same data dir every such signal is routed (or parked as unroutable), and the
// clients' retries of the whole burst create no second signal or referral.

const FIRST_WAVE = 30;
const SECOND_WAVE = 5;
/** Amsterdam and Hillegom have a team; 0014 (Groningen) has no routing rule: unroutable. */
const MUNICIPALITIES = ['0363', '0534', '0014'];
// Messages the stopped hub had received but not finished come back after this, not after 181 s.
const hubOptions = (dataDir: string, log = recordingLog().log) => ({
  port: 0,
  dataDir,
  log,
  topology: inject('topology'),
  intakeVisibilityTimeoutSeconds: 2,
});
const firstRun = recordingLog();

let dataDir: string;
let restarted: LocalHub;
let documents: DynamoDBDocumentClient;
const bodies: ReturnType<typeof submissionFor>[] = [];
/** Sent before stop() began, so the hub had accepted them. */
const firstWave: Outcome[] = [];
const settledAfterStopBegan: number[] = [];
/** Sent after stop() began. */
const secondWave: Outcome[] = [];
let javaAfterStop: number[];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'schakel-hub-stop-'));
  const hub = await startLocalHub(hubOptions(dataDir, firstRun.log));
  for (let i = 0; i < FIRST_WAVE + SECOND_WAVE; i++) {
    bodies.push(submissionFor(hub, `hub-stop-${i}`, MUNICIPALITIES[i % MUNICIPALITIES.length]));
  }

  let stopping: Promise<void> | undefined;
  let answers = 0;
  const first = bodies.slice(0, FIRST_WAVE).map(async (body, index) => {
    const outcome = await submit(hub, body);
    firstWave[index] = outcome;
    if (stopping) settledAfterStopBegan.push(index);
    answers += 1;
    // Stop once a few are answered: the others are being handled right now.
    if (answers === 3) {
      stopping = hub.stop();
      const second = bodies.slice(FIRST_WAVE).map(async (b, i) => {
        secondWave[i] = await submit(hub, b);
      });
      await Promise.all(second);
    }
  });
  await Promise.all(first);
  await stopping;
  javaAfterStop = javaProcessesUnder(dataDir);

  restarted = await startLocalHub(hubOptions(dataDir));
  documents = documentsOf(restarted);
}, 120_000);

afterAll(async () => {
  documents?.destroy();
  await restarted?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a local hub stopped in the middle of a burst', () => {
  it('answers every request it had accepted before stopping, with 202', () => {
    const statuses = firstWave.map((o) => (o.kind === 'answer' ? o.status : o.code));

    expect(statuses).toEqual(Array(FIRST_WAVE).fill(202));
    // The test stopped the hub with requests in flight: it can tell a hub that cuts them off.
    expect(settledAfterStopBegan.length).toBeGreaterThan(0);
  });

  it('refuses or answers without a server error what comes after stopping began', () => {
    for (const outcome of secondWave) {
      if (outcome.kind === 'answer') expect(outcome.status).toBe(202);
      else expect(['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET']).toContain(outcome.code);
    }
    expect(secondWave).toHaveLength(SECOND_WAVE);
  });

  it('stops without an error, and leaves no DynamoDB Local of its data dir running', () => {
    expect(firstRun.errors).toEqual([]);
    expect(javaAfterStop).toEqual([]);
  });

  it('keeps every signal it answered 202: after a restart each is routed or unroutable', async () => {
    const ids = [...firstWave, ...secondWave].map(acceptedId).filter((id) => id !== undefined);
    expect(ids.length).toBeGreaterThanOrEqual(FIRST_WAVE);

    const statuses = await eventually(
      async () => {
        const views = await Promise.all(ids.map((id) => getSignal(restarted, id)));
        const done = views.map((v) =>
          v.kind === 'answer' && v.status === 200 ? (v.body as { status: string }).status : 'missing',
        );
        return done.every((s) => s === 'routed' || s === 'unroutable') ? done : undefined;
      },
      { what: 'every accepted signal routed or unroutable' },
    );

    // Both ends occur in the burst: Amsterdam and Hillegom route, Groningen is parked.
    expect(new Set(statuses)).toEqual(new Set(['routed', 'unroutable']));
  });

  it('creates no second signal or referral when the clients send the whole burst again', async () => {
    const retries = await Promise.all(bodies.map((body) => submit(restarted, body)));
    const firstIds = [...firstWave, ...secondWave].map(acceptedId);

    const state = await eventually(
      async () => {
        const now = await storedState(restarted, documents);
        const settled = now.signals.every((s) => s.status === 'routed' || s.status === 'unroutable');
        return now.signals.length === bodies.length && settled ? now : undefined;
      },
      { what: 'every signal of the burst routed or unroutable' },
    );

    expect(retries.map((r) => (r.kind === 'answer' ? r.status : r.code))).toEqual(
      Array(bodies.length).fill(202),
    );
    // A retry of an accepted signal answers with that signal's id.
    retries.forEach((retry, i) => {
      if (firstIds[i] !== undefined) expect(acceptedId(retry)).toBe(firstIds[i]);
    });
    expect(new Set(state.signals.map((s) => s.sourceId)).size).toBe(bodies.length);
    const pairs = state.referrals.map((r) => `${r.signalId} ${r.teamId}`);
    expect(new Set(pairs).size).toBe(pairs.length);
    for (const signal of state.signals) {
      // Received (v1), then routed or unroutable once (v2): routing committed exactly once.
      expect(signal.version).toBe(2);
      expect(signal.referralIds).toHaveLength(signal.status === 'routed' ? 1 : 0);
    }
    expect(state.referrals).toHaveLength(state.signals.filter((s) => s.status === 'routed').length);
  });
});
