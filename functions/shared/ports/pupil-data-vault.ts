import type { SignalSubmission } from '../../../schemas/signal.js';

/**
 * Keeps a signal's submission — the pupil's identity, birth date, postcode, the summary and the
 * school's contact — encrypted per item (envelope encryption under the deployment's data key),
 * so the state table, its stream, its backups and the audit writer only ever hold ciphertext.
 * Only the team's audited read opens it.
 */
export interface PupilDataVault {
  seal(signalId: string, submission: SignalSubmission): Promise<string>;
  /** Fails if the ciphertext was altered, or belongs to another signal. */
  open(signalId: string, sealed: string): Promise<SignalSubmission>;
}
