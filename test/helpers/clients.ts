import type { Client } from '../../schemas/client.js';

export const schoolClient = (overrides: Partial<Client> = {}): Client => ({
  clientId: 'school-1',
  name: 'De Regenboog LVS',
  organisation: 'Stichting De Regenboog',
  role: 'school',
  scope: { schoolLocations: ['12AB00', '12AB01'] },
  ...overrides,
});

export const teamClient = (teamId: string, overrides: Partial<Client> = {}): Client => ({
  clientId: `team-${teamId}`,
  name: `Consumer of ${teamId}`,
  organisation: 'Jeugdteams',
  role: 'provider',
  scope: { teamId },
  ...overrides,
});

export const municipalityClient = (municipalities: string[], overrides: Partial<Client> = {}): Client => ({
  clientId: `municipality-${municipalities.join('-')}`,
  name: 'Gemeente',
  organisation: 'Gemeente',
  role: 'municipality',
  scope: { municipalities },
  ...overrides,
});
