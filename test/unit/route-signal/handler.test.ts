import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeHandler } from '../../../functions/route-signal/handler.js';
import type { TeamQueue } from '../../../functions/shared/ports/queues.js';
import type { DeploymentConfig } from '../../../schemas/deployment-config.js';
import { intakeRecord } from '../../helpers/events.js';
import { storedSignal } from '../../helpers/factories.js';
import { FakeTeamQueue, fixedClock, InMemoryStateStore } from '../../helpers/fakes.js';

const config: DeploymentConfig = {
  deployment: 'demo',
  teams: [{ id: 'jgt-amsterdam', name: 'JGT Amsterdam', kind: 'jgt', organisation: 'OKT Amsterdam' }],
  routingRules: [{ id: 'amsterdam-default', municipality: '0363', teamId: 'jgt-amsterdam' }],
};

const SLOW = '00000000-0000-4000-8000-0000000000a1';
const QUICK = '00000000-0000-4000-8000-0000000000a2';
const MISSING = '00000000-0000-4000-8000-0000000000a3';

const batch = (...signalIds: string[]): SQSEvent => ({
  Records: signalIds.map((signalId) => intakeRecord(`message-${signalId}`, JSON.stringify({ signalId }))),
});

describe('route-signal handler', () => {
  it('reports each batch’s own failures when one warm handler runs two batches at once', async () => {
    // Local mode runs intake batches concurrently on one warm handler (Lambda Managed Instances
    // would too): a batch that fails must not be reported clean because another batch ran meanwhile.
    const signals = new InMemoryStateStore();
    for (const id of [SLOW, QUICK]) signals.putSignal(storedSignal({ id, sourceId: `src-${id}` }));
    const published = new FakeTeamQueue();
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let blocked!: () => void;
    const slowPublishing = new Promise<void>((resolve) => {
      blocked = resolve;
    });
    const teams: TeamQueue = {
      async publish(teamId, event) {
        if (event.data.signalId === SLOW) {
          blocked();
          await released;
        }
        await published.publish(teamId, event);
      },
    };
    const handler = makeHandler({ signals, teams, config, now: fixedClock('2026-11-22T10:00:05.000Z') });

    const first = handler(batch(SLOW, MISSING));
    await slowPublishing;
    const second = await handler(batch(QUICK));
    release();

    expect(second.batchItemFailures).toEqual([]);
    expect((await first).batchItemFailures).toEqual([{ itemIdentifier: `message-${MISSING}` }]);
    expect(published.published.map((p) => p.event.data.signalId).sort()).toEqual([SLOW, QUICK].sort());
  });
});
