import { randomBytes } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { findMunicipality } from '../domain/municipalities.js';
import { DynamoDbClientDirectory } from '../functions/shared/adapters/dynamodb-client-directory.js';
import type { Client } from '../schemas/client.js';
import type { DeploymentConfig } from '../schemas/deployment-config.js';
import type { LocalClient, LocalConfig } from './local-config.js';

// The demo clients of local mode: a school (student tracking system) with two locations, one
// client per team, one per municipality that has routing rules or a team, and an operator. Keys are random
// and reused from the previous local.json, so scripts written against it survive a restart; only
// their SHA-256 reaches the table (DynamoDbClientDirectory), as in AWS.

export const LOCAL_KEY_PREFIX = 'sk_local_';
export const DEMO_SCHOOL_LOCATIONS = ['12AB00', '12AB01'];

function newApiKey(): string {
  return `${LOCAL_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

type WithoutKey<T> = T extends unknown ? Omit<T, 'apiKey'> : never;

interface Seeded {
  client: Client;
  local: WithoutKey<LocalClient>;
}

function municipalityName(code: string): string {
  return `Gemeente ${findMunicipality(code)?.name ?? code}`;
}

/** Clients for a deployment config; team queue URLs come from the provisioned topology. */
export function demoClients(config: DeploymentConfig, teamQueueUrls: ReadonlyMap<string, string>): Seeded[] {
  const seeded: Seeded[] = [];
  const school: Client = {
    clientId: 'local-school',
    name: 'Demo-LVS voor OBS De Wilgenhoek',
    organisation: 'OBS De Wilgenhoek',
    role: 'school',
    scope: { schoolLocations: DEMO_SCHOOL_LOCATIONS },
  };
  seeded.push({
    client: school,
    local: { ...base(school), role: 'school', schoolLocations: DEMO_SCHOOL_LOCATIONS },
  });

  for (const team of config.teams) {
    const queueUrl = teamQueueUrls.get(team.id);
    if (!queueUrl) throw new Error(`no queue for team ${team.id}`);
    const client: Client = {
      clientId: `local-team-${team.id}`,
      name: team.name,
      organisation: team.organisation,
      role: 'provider',
      scope: { teamId: team.id },
    };
    const defaults = config.routingRules.filter(
      (r) => r.teamId === team.id && !r.schoolLocations && !r.concerns && !r.ageRange && !r.requestType,
    );
    seeded.push({
      client,
      local: {
        ...base(client),
        role: 'provider',
        teamId: team.id,
        queueUrl,
        municipalities: [
          ...new Set([...defaults.map((r) => r.municipality), ...(team.municipalities ?? [])]),
        ],
      },
    });
  }

  const served = [
    ...config.routingRules.map((r) => r.municipality),
    ...config.teams.flatMap((t) => t.municipalities ?? []),
  ];
  for (const code of [...new Set(served)].sort()) {
    const client: Client = {
      clientId: `local-municipality-${code}`,
      name: `${municipalityName(code)} — jeugdbeleid`,
      organisation: municipalityName(code),
      role: 'municipality',
      scope: { municipalities: [code] },
    };
    seeded.push({ client, local: { ...base(client), role: 'municipality', municipalities: [code] } });
  }

  const admin: Client = {
    clientId: 'local-admin',
    name: 'Lokale beheerder',
    organisation: 'Schakel beheer',
    role: 'admin',
    scope: {},
  };
  seeded.push({ client: admin, local: { ...base(admin), role: 'admin' } });
  return seeded;
}

function base(client: Client) {
  return { clientId: client.clientId, name: client.name, organisation: client.organisation };
}

/** Puts every demo client (idempotent) and returns them with their keys for local.json. */
export async function seedClients(
  documents: DynamoDBDocumentClient,
  stateTableName: string,
  config: DeploymentConfig,
  teamQueueUrls: ReadonlyMap<string, string>,
  previous: LocalConfig | undefined,
): Promise<LocalClient[]> {
  const directory = new DynamoDbClientDirectory(documents, stateTableName);
  const previousKeys = new Map(previous?.clients.map((c) => [c.clientId, c.apiKey]));
  const result: LocalClient[] = [];
  for (const { client, local } of demoClients(config, teamQueueUrls)) {
    const reused = previousKeys.get(client.clientId);
    const apiKey = reused?.startsWith(LOCAL_KEY_PREFIX) ? reused : newApiKey();
    await directory.putClient(client, apiKey);
    result.push({ ...local, apiKey });
  }
  return result;
}
