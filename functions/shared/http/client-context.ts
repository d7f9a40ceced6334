import * as z from 'zod';
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
  .transform((ctx, zctx): Client => {
    try {
      return { ...ctx, scope: ClientScopeSchema.parse(JSON.parse(ctx.scope)) };
    } catch {
      zctx.addIssue({ code: 'custom', message: 'scope is not valid JSON' });
      return z.NEVER;
    }
  });
