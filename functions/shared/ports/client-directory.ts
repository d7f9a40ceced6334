import type { Client } from '../../../schemas/client.js';

/** API clients by key. Only a hash of the key is stored, so a leaked table leaks no keys. */
export interface ClientDirectory {
  findByApiKey(apiKey: string): Promise<Client | undefined>;
  /** Registers (or replaces) the client that authenticates with `apiKey`. */
  putClient(client: Client, apiKey: string): Promise<void>;
}
