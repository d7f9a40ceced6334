import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { schoolClient } from '../../../local/local-config.js';
import { type LocalHub, startLocalHub } from '../../../local/start.js';
import { SignalAcceptedSchema, SignalViewSchema } from '../../../schemas/views.js';
import { consultationSubmission } from '../../helpers/factories.js';
import { answered, call as callHub } from './hub-support.js';

// Two hubs in one process, each with its own emulators, tables, API keys and handler environment:
// startLocalHub keeps no module state, so neither hub sees the other's signals or clients.

const dataDirs: string[] = [];
const hubs: LocalHub[] = [];

beforeAll(async () => {
  // At the same time: two JVMs booting, and two fauxqs kept on the loopback address at once.
  for (const name of ['a', 'b']) dataDirs.push(mkdtempSync(join(tmpdir(), `schakel-two-hubs-${name}-`)));
  const topology = inject('topology');
  const started = await Promise.allSettled(
    dataDirs.map((dataDir) => startLocalHub({ port: 0, dataDir, quiet: true, topology })),
  );
  for (const hub of started) if (hub.status === 'fulfilled') hubs.push(hub.value);
  const failed = started.find((hub) => hub.status === 'rejected');
  if (failed) throw failed.reason;
}, 120_000);

afterAll(async () => {
  await Promise.all(hubs.map((hub) => hub.stop()));
  for (const dataDir of dataDirs) rmSync(dataDir, { recursive: true, force: true });
});

const call = async (hub: LocalHub, apiKey: string, method: 'GET' | 'POST', path: string, body?: unknown) =>
  answered(await callHub(hub, method, path, body, apiKey));

const schoolKey = (hub: LocalHub) => schoolClient(hub.localConfig).apiKey;

describe('two local hubs in one process', () => {
  it('serve their own signals and answer 404 for the other hub’s', async () => {
    const [a, b] = hubs as [LocalHub, LocalHub];
    const submit = async (hub: LocalHub) => {
      const body = consultationSubmission({ sourceId: `two-hubs-${randomUUID()}` });
      const answer = await call(hub, schoolKey(hub), 'POST', '/v1/signals', body);
      expect(answer.status).toBe(202);
      return SignalAcceptedSchema.parse(answer.body).id;
    };
    const idA = await submit(a);
    const idB = await submit(b);

    const ownA = await call(a, schoolKey(a), 'GET', `/v1/signals/${idA}`);
    const ownB = await call(b, schoolKey(b), 'GET', `/v1/signals/${idB}`);
    const otherOnA = await call(a, schoolKey(a), 'GET', `/v1/signals/${idB}`);
    const otherOnB = await call(b, schoolKey(b), 'GET', `/v1/signals/${idA}`);

    expect(a.apiUrl).not.toBe(b.apiUrl);
    expect(idA).not.toBe(idB);
    expect([ownA.status, ownB.status]).toEqual([200, 200]);
    expect(SignalViewSchema.parse(ownA.body).id).toBe(idA);
    expect(SignalViewSchema.parse(ownB.body).id).toBe(idB);
    expect([otherOnA.status, otherOnB.status]).toEqual([404, 404]);
  });

  it('each know only their own clients’ API keys', async () => {
    const [a, b] = hubs as [LocalHub, LocalHub];

    const withKeyOfB = await call(a, schoolKey(b), 'GET', '/v1/referrals');

    expect(schoolKey(a)).not.toBe(schoolKey(b));
    expect(withKeyOfB.status).toBe(401);
  });
});
