import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pupilDataVaultFromEnv } from '../../../functions/shared/adapters/encryption-sdk-vault.js';
import { ConfigurationError } from '../../../functions/shared/errors.js';
import { consultationSubmission, referralSubmission } from '../../helpers/factories.js';

// The real AWS Encryption SDK with a local AES key (as local mode runs it): what reaches the
// state table is ciphertext bound to its signal, and only the key opens it.

const key = () => randomBytes(32).toString('base64');
const SIGNAL = '5d0c8c4e-6f0a-4c53-9f1e-0b7b8d9a1c01';
const submission = referralSubmission({
  pupil: { bsn: '999900043', birthDate: '2013-07-04', postcode: '2181AB' },
  summary: 'Leerling slaapt in de klas sinds de scheiding',
  contact: { name: 'Annemarie Zwaneveld', email: 'a.zwaneveld@school.example' },
  consent: { parents: true, pupil: true },
});

describe('EncryptionSdkVault', () => {
  it('opens what it sealed, for the same signal', async () => {
    const vault = pupilDataVaultFromEnv({ PUPIL_DATA_KEY: key() });

    const sealed = await vault.seal(SIGNAL, submission);

    await expect(vault.open(SIGNAL, sealed)).resolves.toEqual(submission);
  });

  it('seals a consultation too', async () => {
    const vault = pupilDataVaultFromEnv({ PUPIL_DATA_KEY: key() });

    await expect(vault.open(SIGNAL, await vault.seal(SIGNAL, consultationSubmission()))).resolves.toEqual(
      consultationSubmission(),
    );
  });

  it('leaves no pupil data readable in the sealed text, even base64-decoded', async () => {
    const vault = pupilDataVaultFromEnv({ PUPIL_DATA_KEY: key() });

    const sealed = await vault.seal(SIGNAL, submission);

    const decoded = Buffer.from(sealed, 'base64').toString('latin1');
    for (const secret of ['999900043', '2013-07-04', '2181AB', 'Zwaneveld', 'slaapt', 'school.example']) {
      expect(sealed).not.toContain(secret);
      expect(decoded).not.toContain(secret);
    }
  });

  it('gives two seals of the same submission different ciphertexts', async () => {
    const vault = pupilDataVaultFromEnv({ PUPIL_DATA_KEY: key() });

    expect(await vault.seal(SIGNAL, submission)).not.toBe(await vault.seal(SIGNAL, submission));
  });

  it('refuses a ciphertext copied onto another signal', async () => {
    const vault = pupilDataVaultFromEnv({ PUPIL_DATA_KEY: key() });
    const sealed = await vault.seal(SIGNAL, submission);

    await expect(vault.open('7e1d9d5f-7a1b-4d64-8a2f-1c8c9eab2d02', sealed)).rejects.toThrow(
      /another signal/,
    );
  });

  it('refuses an altered ciphertext', async () => {
    const vault = pupilDataVaultFromEnv({ PUPIL_DATA_KEY: key() });
    const bytes = Buffer.from(await vault.seal(SIGNAL, submission), 'base64');
    bytes[bytes.length - 40] = (bytes[bytes.length - 40] ?? 0) ^ 0xff;

    await expect(vault.open(SIGNAL, bytes.toString('base64'))).rejects.toThrow();
  });

  it('cannot open with another key', async () => {
    const sealed = await pupilDataVaultFromEnv({ PUPIL_DATA_KEY: key() }).seal(SIGNAL, submission);

    await expect(pupilDataVaultFromEnv({ PUPIL_DATA_KEY: key() }).open(SIGNAL, sealed)).rejects.toThrow();
  });

  it.each([
    ['no key at all', {}],
    ['a key of 16 bytes', { PUPIL_DATA_KEY: randomBytes(16).toString('base64') }],
  ])('refuses to start with %s', (_case, env) => {
    expect(() => pupilDataVaultFromEnv(env)).toThrow(ConfigurationError);
  });
});
