import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import demo from '../../../config/demo.json' with { type: 'json' };
import {
  type LocalConfig,
  localConfigPath,
  municipalityClient,
  readLocalConfig,
  teamClient,
  writeLocalConfig,
} from '../../../local/local-config.js';
import { demoClients } from '../../../local/seed.js';
import { DeploymentConfigSchema } from '../../../schemas/deployment-config.js';

let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'schakel-local-config-'));
});

afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

const config = DeploymentConfigSchema.parse(demo);
const queueUrls = new Map(
  config.teams.map((t) => [t.id, `http://sqs.eu-west-1.localhost:1/000000000000/${t.id}`]),
);

function localConfig(): LocalConfig {
  return {
    apiUrl: 'http://127.0.0.1:3000',
    sqsEndpoint: 'http://127.0.0.1:4566',
    dynamodbEndpoint: 'http://127.0.0.1:8000',
    region: 'eu-west-1',
    deployment: 'demo',
    clients: demoClients(config, queueUrls).map(({ local }) => ({
      ...local,
      apiKey: `sk_local_${'x'.repeat(43)}`,
    })),
  };
}

describe('demoClients', () => {
  it('makes a school, a client per team, one per municipality with rules or a team, and an admin', () => {
    const clients = demoClients(config, queueUrls).map(({ client }) => [client.role, client.scope]);

    expect(clients).toEqual([
      ['school', { schoolLocations: ['12AB00', '12AB01'] }],
      ['provider', { teamId: 'jgt-amsterdam-centrum' }],
      ['provider', { teamId: 'cjg-amsterdam-veiligheid' }],
      ['provider', { teamId: 'jgt-hillegom' }],
      ['provider', { teamId: 'jgt-lisse' }],
      ['municipality', { municipalities: ['0363'] }],
      ['municipality', { municipalities: ['0534'] }],
      // Lisse and Teylingen: no rule, a team that serves them; signals wait for the municipality.
      ['municipality', { municipalities: ['0553'] }],
      ['municipality', { municipalities: ['1525'] }],
      ['admin', {}],
    ]);
  });

  it('gives a team the municipalities of its default rules and those it serves without a rule', () => {
    const locals = demoClients(config, queueUrls).map(({ local }) => local);

    expect(locals.filter((c) => c.role === 'provider').map((c) => [c.teamId, c.municipalities])).toEqual([
      ['jgt-amsterdam-centrum', ['0363']],
      ['cjg-amsterdam-veiligheid', []],
      ['jgt-hillegom', ['0534']],
      ['jgt-lisse', ['0553', '1525']],
    ]);
  });
});

describe('local.json', () => {
  it('reads back what was written, readable by the owner only', () => {
    writeLocalConfig(dataDir, localConfig());

    const read = readLocalConfig(dataDir);

    expect(read).toEqual(localConfig());
    expect(teamClient(read, 'jgt-hillegom').queueUrl).toContain('jgt-hillegom');
    expect(municipalityClient(read, '0534').clientId).toBe('local-municipality-0534');
    expect(statSync(localConfigPath(dataDir)).mode & 0o777).toBe(0o600);
  });

  it('tells the reader to start the hub when there is no local.json', () => {
    expect(() => readLocalConfig(dataDir)).toThrow(/npm start/);
  });

  it('names the bad field of an invalid local.json', () => {
    writeFileSync(localConfigPath(dataDir), JSON.stringify({ ...localConfig(), apiUrl: 'nope' }));

    expect(() => readLocalConfig(dataDir)).toThrow(/apiUrl/);
  });
});
