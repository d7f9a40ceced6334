import { randomBytes } from 'node:crypto';
import { submitSignal } from '../functions/receive-signal/submit-signal.js';
import { pupilDataVaultFromEnv } from '../functions/shared/adapters/encryption-sdk-vault.js';
import type { PupilDataVault } from '../functions/shared/ports/pupil-data-vault.js';
import { getReferral } from '../functions/track-referral/track-referral.js';
import type { SignalSubmission } from '../schemas/signal.js';
import { schoolClient, teamClient } from '../test/helpers/clients.js';
import { referralSubmission, storedReferral, storedSignal } from '../test/helpers/factories.js';
import { HUB_CONFIG } from '../test/helpers/fake-hub.js';
import {
  FakeAccessLog,
  FakeIntakeQueue,
  FakePseudonymizer,
  FakeTeamQueue,
  InMemoryStateStore,
  sequentialIds,
} from '../test/helpers/fakes.js';

// What sealing pupil data costs a submission and a team's read: the use cases on in-memory
// stores, once with the AWS Encryption SDK (local AES key, caching materials manager, as local
// mode runs it) and once with a vault that only copies — the baseline, in the same run. In AWS
// the KMS keyring adds a network call per cache miss: one per function instance per 5 minutes.

/** Seals nothing: JSON in, JSON out, the cost of the plumbing around a vault. */
class PlainVault implements PupilDataVault {
  async seal(signalId: string, submission: SignalSubmission): Promise<string> {
    return JSON.stringify({ signalId, submission });
  }
  async open(_signalId: string, sealed: string): Promise<SignalSubmission> {
    return (JSON.parse(sealed) as { submission: SignalSubmission }).submission;
  }
}

async function perOperation(times: number, run: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(50, times); i++) await run(i);
  const started = process.hrtime.bigint();
  for (let i = 0; i < times; i++) await run(i);
  return Number(process.hrtime.bigint() - started) / 1000 / times;
}

async function measure(vault: PupilDataVault, times: number) {
  const signals = new InMemoryStateStore();
  const deps = {
    signals,
    intake: new FakeIntakeQueue(),
    pseudonymizer: new FakePseudonymizer(),
    vault,
    now: () => new Date('2026-11-22T10:00:00Z'),
    newId: sequentialIds(),
  };
  const submit = await perOperation(times, (i) =>
    submitSignal(deps, {
      client: schoolClient(),
      user: undefined,
      submission: referralSubmission({ sourceId: `bench-${i}` }),
    }),
  );

  const signal = storedSignal({ status: 'routed', version: 2, referralIds: [storedReferral().id] });
  const sealed = { ...signal, sealedSubmission: await vault.seal(signal.id, referralSubmission()) };
  const store = new InMemoryStateStore();
  store.putSignal(sealed);
  store.putReferral(storedReferral());
  const readDeps = {
    referrals: store,
    access: new FakeAccessLog(),
    vault,
    config: HUB_CONFIG,
    teams: new FakeTeamQueue(),
    deployment: 'bench',
    now: deps.now,
    newId: sequentialIds(),
  };
  const read = await perOperation(times, () =>
    getReferral(readDeps, { client: teamClient('jgt-amsterdam'), user: undefined, id: storedReferral().id }),
  );
  return { submit, read };
}

export async function runEncryptionBench(options: { runs: number }): Promise<string> {
  const times = options.runs * 100;
  const plain = await measure(new PlainVault(), times);
  const sealed = await measure(
    pupilDataVaultFromEnv({ PUPIL_DATA_KEY: randomBytes(32).toString('base64') }),
    times,
  );
  const row = (what: string, base: number, with_: number) =>
    `  ${what.padEnd(22)} ${base.toFixed(0).padStart(8)} µs ${with_.toFixed(0).padStart(8)} µs ${(with_ / base).toFixed(2).padStart(7)}× ${(with_ - base).toFixed(0).padStart(8)} µs`;
  return [
    `Pupil data encryption — means of ${times} operations, use cases on in-memory stores (no I/O), same run:`,
    `  ${'operation'.padEnd(22)} ${'plain'.padStart(11)} ${'sealed'.padStart(11)} ${'ratio'.padStart(8)} ${'added'.padStart(11)}`,
    row('submit a referral', plain.submit, sealed.submit),
    row('team reads a referral', plain.read, sealed.read),
  ].join('\n');
}
