import * as z from 'zod/mini';
import { CLIENT_ROLES } from '../domain/vocabulary.js';

/**
 * Who calls the API: a machine client (student tracking system, team consumer, municipality
 * system, operator) with one role and the scope it acts in. The authorizer resolves it from the
 * API key; use cases decide with it what the caller may see (another tenant's resource is a 404).
 */
export const ClientScopeSchema = z.object({
  schoolLocations: z.optional(z.array(z.string())),
  teamId: z.optional(z.string()),
  municipalities: z.optional(z.array(z.string())),
});
export type ClientScope = z.infer<typeof ClientScopeSchema>;

export const ClientSchema = z.object({
  clientId: z.string().check(z.minLength(1)),
  name: z.string().check(z.minLength(1)),
  organisation: z.string().check(z.minLength(1)),
  role: z.enum(CLIENT_ROLES),
  scope: ClientScopeSchema,
});
export type Client = z.infer<typeof ClientSchema>;
