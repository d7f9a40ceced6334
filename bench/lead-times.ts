import { randomBytes } from 'node:crypto';
import { BatchWriteCommand, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type FollowSignalsDeps, getLeadTimes } from '../functions/follow-signals/follow-signals.js';
import { createDocumentClient } from '../functions/shared/adapters/dynamodb-client.js';
import { DynamoDbStateStore } from '../functions/shared/adapters/dynamodb-state-store.js';
import { referralItem } from '../functions/shared/adapters/state-items.js';
import type { StoredReferral } from '../functions/shared/model.js';
import { startEmulators } from '../local/emulators/emulators.js';
import type { Client } from '../schemas/client.js';
import type { DeploymentConfig } from '../schemas/deployment-config.js';
import { createStateTableNamed } from '../test/helpers/emulated-aws.js';
import { inParallel, percentile, seconds, table, thousands } from './measure.js';

// `npm run bench`'s lead times: N referrals (100,000 by default, the issue's figure) of one
// municipality over a year and five teams, seeded into DynamoDB Local as route-signal stores them,
// then `GET /v1/lead-times` by its use case on the real adapter, per team and per month. The
// baseline, in the same run on the same table: a bare paginated Query over the same partitions
// and period, which is the least any answer computed from the referrals must read. The ratio says
// what the answer adds to that read (filters, mapping, the figures); the absolute time is
// DynamoDB Local's, on this machine.

export interface LeadTimeBenchOptions {
  referrals: number;
  runs: number;
}

const MUNICIPALITY = '0363';
const TEAMS = ['team-a', 'team-b', 'team-c', 'team-d', 'team-e'];
const YEAR_START = Date.parse('2025-01-01T00:00:00.000Z');
const DAY = 86_400_000;
const BATCH = 25;
const IN_FLIGHT = 8;
const progress = (line: string) => process.stderr.write(`${line}\n`);

const CONFIG: DeploymentConfig = {
  deployment: 'bench',
  teams: TEAMS.map((id) => ({ id, name: id, kind: 'jgt', organisation: 'Bench' })),
  routingRules: TEAMS.map((teamId, i) => ({
    id: `rule-${i}`,
    municipality: MUNICIPALITY,
    teamId,
    ...(i > 0
      ? { concerns: [(['absence', 'behaviour', 'safety', 'learning'] as const)[(i - 1) % 4] ?? 'absence'] }
      : {}),
  })),
};

const CLIENT: Client = {
  clientId: 'bench-municipality',
  name: 'Bench',
  organisation: 'Gemeente Amsterdam',
  role: 'municipality',
  scope: { municipalities: [MUNICIPALITY] },
};

/** A referral as route-signal and the team's steps leave it: most started, some late, some open. */
function referral(i: number): StoredReferral {
  const clockStart = YEAR_START + ((i * 7919) % 365) * DAY + (i % 86_400) * 1000;
  const at = (days: number) => new Date(clockStart + days * DAY).toISOString();
  const accepted = 1 + (i % 6);
  const started = accepted + (i % 17);
  const kind = i % 10;
  const history =
    kind === 9
      ? [{ status: 'queued' as const, at: at(0) }]
      : kind === 8
        ? [
            { status: 'queued' as const, at: at(0) },
            { status: 'rejected' as const, at: at(2) },
          ]
        : [
            { status: 'queued' as const, at: at(0) },
            { status: 'delivered' as const, at: at(0.1) },
            { status: 'accepted' as const, at: at(accepted) },
            { status: 'started' as const, at: at(started) },
          ];
  const teamId = TEAMS[i % TEAMS.length] as string;
  const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  return {
    id,
    signalId: `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    teamId,
    municipality: MUNICIPALITY,
    ruleId: 'rule-0',
    routedBy: 'rule',
    status: history.at(-1)?.status ?? 'queued',
    requestType: 'referral',
    urgency: i % 13 === 0 ? 'urgent' : 'regular',
    concerns: i % 3 ? ['absence'] : ['absence', 'home-situation'],
    schoolLocation: `12AB0${i % 10}`,
    clockStartAt: at(0),
    dueAt: at(i % 13 === 0 ? 5 : 14),
    pupilPseudonym: `pp-bench-${i}`,
    history,
    createdAt: at(0),
    updatedAt: history.at(-1)?.at ?? at(0),
    version: history.length,
    lastChange: {
      eventType: 'referral.queued',
      at: at(0),
      actor: { clientId: 'schakel', role: 'system' },
      details: { teamId, ruleId: 'rule-0' },
    },
  };
}

async function seed(documents: DynamoDBDocumentClient, tableName: string, count: number): Promise<number> {
  const started = performance.now();
  let next = 0;
  let written = 0;
  const ticker = setInterval(
    () => progress(`  seeding: ${thousands(written)}/${thousands(count)} referrals`),
    5000,
  );
  try {
    await inParallel(Math.ceil(count / BATCH), IN_FLIGHT, async () => {
      const items: Record<string, unknown>[] = [];
      while (items.length < BATCH && next < count) items.push(referralItem(referral(next++)));
      let requests = items.map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt > 10) throw new Error('items stayed unprocessed');
        const result = await documents.send(
          new BatchWriteCommand({ RequestItems: { [tableName]: requests } }),
        );
        requests = (result.UnprocessedItems?.[tableName] ?? []) as typeof requests;
      }
      written += items.length;
    });
  } finally {
    clearInterval(ticker);
  }
  return performance.now() - started;
}

/**
 * The baseline: every item of the teams' partitions in the period, 1,000 a request, the teams at
 * once as the answer reads them, and nothing else.
 */
async function bareQuery(documents: DynamoDBDocumentClient, tableName: string, from: string, to: string) {
  let items = 0;
  const readTeam = async (team: string) => {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await documents.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: 'byTeam',
          KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': `TEAM#${team}`, ':from': from, ':to': to },
          Limit: 1000,
          ExclusiveStartKey: startKey,
        }),
      );
      items += page.Items?.length ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  };
  await Promise.all(TEAMS.map(readTeam));
  return items;
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

export async function runLeadTimeBench(options: LeadTimeBenchOptions): Promise<string> {
  const emulators = await startEmulators();
  const documents = createDocumentClient({
    AWS_REGION: emulators.region,
    DYNAMODB_ENDPOINT: emulators.dynamodbEndpoint,
  });
  try {
    const tableName = `bench-state-${randomBytes(4).toString('hex')}`;
    await createStateTableNamed(documents, tableName);
    progress(`lead times: seeding ${thousands(options.referrals)} referrals`);
    const seedMs = await seed(documents, tableName, options.referrals);
    const deps: FollowSignalsDeps = {
      signals: new DynamoDbStateStore(documents, tableName),
      teams: { publish: async () => undefined },
      config: CONFIG,
      deployment: 'bench',
      now: () => new Date('2026-01-15T12:00:00.000Z'),
    };
    const query = { from: '2025-01-01', to: '2025-12-31' };
    const answer = (groupBy: 'team' | 'month') =>
      getLeadTimes(deps, { client: CLIENT, user: undefined, query: { ...query, groupBy } });
    // From Amsterdam's first midnight of the year to its last (what the use case reads).
    const range = { from: '2024-12-31T23:00:00.000Z', to: '2025-12-31T23:00:00.000Z' };

    // Warm-up: the JVM's JIT, connections, the first pages.
    await answer('team');
    await bareQuery(documents, tableName, range.from, range.to);
    const bare: number[] = [];
    const byTeam: number[] = [];
    const byMonth: number[] = [];
    let read = 0;
    let counted = 0;
    for (let run = 0; run < options.runs; run++) {
      const base = await timed(() => bareQuery(documents, tableName, range.from, range.to));
      bare.push(base.ms);
      read = base.value;
      const team = await timed(() => answer('team'));
      byTeam.push(team.ms);
      counted = team.value.groups.reduce((sum, g) => sum + g.count, 0);
      byMonth.push((await timed(() => answer('month'))).ms);
      progress(`  run ${run + 1}/${options.runs}: bare ${seconds(base.ms)} s, answer ${seconds(team.ms)} s`);
    }
    const median = (values: number[]) => percentile(values, 50);
    const rows = [
      ['bare Query (baseline)', seconds(median(bare)), '1.00'],
      ['lead times per team', seconds(median(byTeam)), (median(byTeam) / median(bare)).toFixed(2)],
      ['lead times per month', seconds(median(byMonth)), (median(byMonth) / median(bare)).toFixed(2)],
    ];
    return [
      `Lead times: ${thousands(options.referrals)} referrals of one municipality over a year and ${TEAMS.length} teams ` +
        `(seeded in ${seconds(seedMs)} s; the baseline read ${thousands(read)} items, the answer counted ${thousands(counted)} requests for help), ` +
        `median of ${options.runs} runs on DynamoDB Local`,
      table(['read', 'seconds', 'ratio'], rows),
    ].join('\n');
  } finally {
    await emulators.stop();
  }
}
