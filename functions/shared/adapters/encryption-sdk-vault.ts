import {
  AlgorithmSuiteIdentifier,
  buildClient,
  CommitmentPolicy,
  getLocalCryptographicMaterialsCache,
  type KeyringNode,
  KmsKeyringNode,
  NodeCachingMaterialsManager,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
} from '@aws-crypto/client-node';
import { safeParse } from 'zod/mini';
import { type SignalSubmission, SignalSubmissionSchema } from '../../../schemas/signal.js';
import { ConfigurationError } from '../errors.js';
import type { PupilDataVault } from '../ports/pupil-data-vault.js';

// Envelope encryption with the AWS Encryption SDK: each submission gets its own data key, wrapped
// by the deployment's KMS key (AWS) or a local AES key (local mode), in the SDK's authenticated
// message format with key commitment.

// One encrypted data key per message is all this service writes: refusing more bounds the work
// a forged message can cause (the SDK's advice for maxEncryptedDataKeys).
const { encrypt, decrypt } = buildClient({
  commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
  maxEncryptedDataKeys: 1,
});

/**
 * Writers and readers are this service's own functions (one trust domain), so the suite without
 * an ECDSA signature per message: the key-committing AES-256-GCM suite stays, at a fraction of
 * the cost (the AWS Encryption SDK's guidance on choosing an algorithm suite).
 */
const SUITE = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;

/**
 * Data key caching within the limits the AWS Encryption SDK documents for it: a cached key is
 * used for at most 5 minutes and 10,000 messages, so one KMS call serves a warm function's
 * burst while a key in memory never protects much data for long.
 */
const CACHE = { capacity: 100, maxAgeMs: 5 * 60 * 1000, maxMessagesEncrypted: 10_000 } as const;

/** A submission is at most 64 KiB of JSON; its sealed form a little more. */
const MAX_SEALED_BYTES = 256 * 1024;

/** Names the purpose in every message; the signal id goes inside, so the cache can be shared. */
const ENCRYPTION_CONTEXT = { purpose: 'schakel-pupil-data' } as const;

interface SealedPayload {
  signalId: string;
  submission: unknown;
}

export class EncryptionSdkVault implements PupilDataVault {
  private readonly materials: NodeCachingMaterialsManager;

  constructor(keyring: KeyringNode) {
    this.materials = new NodeCachingMaterialsManager({
      backingMaterials: keyring,
      cache: getLocalCryptographicMaterialsCache(CACHE.capacity),
      maxAge: CACHE.maxAgeMs,
      maxMessagesEncrypted: CACHE.maxMessagesEncrypted,
    });
  }

  async seal(signalId: string, submission: SignalSubmission): Promise<string> {
    const payload: SealedPayload = { signalId, submission };
    const { result } = await encrypt(this.materials, JSON.stringify(payload), {
      encryptionContext: ENCRYPTION_CONTEXT,
      suiteId: SUITE,
    });
    return Buffer.from(result).toString('base64');
  }

  async open(signalId: string, sealed: string): Promise<SignalSubmission> {
    const { plaintext, messageHeader } = await decrypt(this.materials, Buffer.from(sealed, 'base64'), {
      maxBodySize: MAX_SEALED_BYTES,
    });
    if (messageHeader.encryptionContext.purpose !== ENCRYPTION_CONTEXT.purpose) {
      throw new Error('sealed pupil data of another purpose');
    }
    const payload = JSON.parse(Buffer.from(plaintext).toString('utf8')) as SealedPayload;
    // The signal id inside the authenticated message: a ciphertext copied onto another signal fails.
    if (payload.signalId !== signalId) throw new Error('sealed pupil data of another signal');
    const submission = safeParse(SignalSubmissionSchema, payload.submission);
    if (!submission.success) throw new Error('sealed pupil data is not a submission');
    return submission.data;
  }
}

/** The data key in KMS (AWS), or the local key of local mode and tests (base64 of 32 bytes). */
export function pupilDataVaultFromEnv(env: {
  PUPIL_DATA_KEY_ARN?: string | undefined;
  PUPIL_DATA_KEY?: string | undefined;
}): EncryptionSdkVault {
  if (env.PUPIL_DATA_KEY_ARN) {
    return new EncryptionSdkVault(new KmsKeyringNode({ generatorKeyId: env.PUPIL_DATA_KEY_ARN }));
  }
  if (env.PUPIL_DATA_KEY) {
    const key = Buffer.from(env.PUPIL_DATA_KEY, 'base64');
    if (key.length !== 32) throw new ConfigurationError('PUPIL_DATA_KEY must be 32 bytes, base64-encoded');
    return new EncryptionSdkVault(
      new RawAesKeyringNode({
        keyName: 'pupil-data',
        keyNamespace: 'schakel-local',
        unencryptedMasterKey: new Uint8Array(key),
        wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
      }),
    );
  }
  throw new ConfigurationError(
    'invalid environment — set PUPIL_DATA_KEY_ARN (AWS) or PUPIL_DATA_KEY (local)',
  );
}
