import * as z from 'zod/mini';
import { CLIENT_ROLES } from '../../../domain/vocabulary.js';
import { type Client, ClientScopeSchema } from '../../../schemas/client.js';

// What the authorizer learns about a caller and API Gateway hands to the function in
// `requestContext.authorizer`. Values there are strings, so the scope travels as JSON.

/** The authorizer's `context` map (flat strings, as API Gateway requires). */
export function toAuthorizerContext(client: Client): Record<string, string> {
  return {
    clientId: client.clientId,
    name: client.name,
    organisation: client.organisation,
    role: client.role,
    scope: JSON.stringify(client.scope),
  };
}

export const AuthorizerContextSchema = z
  .object({
    clientId: z.string(),
    name: z.string(),
    organisation: z.string(),
    role: z.enum(CLIENT_ROLES),
    scope: z.string(),
  })
  .check(
    z.refine((ctx) => {
      try {
        return ClientScopeSchema.safeParse(JSON.parse(ctx.scope)).success;
      } catch {
        return false;
      }
    }, 'scope is not the JSON of a client scope'),
  );

/** The client API Gateway hands on in `requestContext.authorizer`, or an error naming what is wrong. */
export function clientFromAuthorizerContext(context: unknown): { ok: true; client: Client } | { ok: false } {
  const parsed = AuthorizerContextSchema.safeParse(context);
  if (!parsed.success) return { ok: false };
  const { scope, clientId, name, organisation, role } = parsed.data;
  return {
    ok: true,
    client: { clientId, name, organisation, role, scope: ClientScopeSchema.parse(JSON.parse(scope)) },
  };
}
