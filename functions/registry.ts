import { ANSWER_SUBJECT_ACCESS } from './answer-subject-access/declaration.js';
import { APPLY_RETENTION } from './apply-retention/declaration.js';
import { AUTHORIZE_CLIENT } from './authorize-client/declaration.js';
import { ESCALATE_REFERRALS } from './escalate-referrals/declaration.js';
import { EXPORT_AUDIT } from './export-audit/declaration.js';
import { FOLLOW_SIGNALS } from './follow-signals/declaration.js';
import { LIST_AUDIT_EVENTS } from './list-audit-events/declaration.js';
import { MANAGE_AUDIT_EXPORTS } from './manage-audit-exports/declaration.js';
import { RECEIVE_SIGNAL } from './receive-signal/declaration.js';
import { RECOVER_AUDIT } from './recover-audit/declaration.js';
import { ROUTE_SIGNAL } from './route-signal/declaration.js';
import { SERVE_OPENAPI } from './serve-openapi/declaration.js';
import type { FunctionDeclaration, OperationSpec } from './shared/declarations.js';
import { TRACK_REFERRAL } from './track-referral/declaration.js';
import { WRITE_AUDIT } from './write-audit/declaration.js';

// Every function of Schakel, as declared beside its code. The CDK app, local mode and the OpenAPI
// document are built from this list; a function's own handler imports only its own declaration,
// so its bundle carries only its own operations.

export const FUNCTION_DECLARATIONS = [
  AUTHORIZE_CLIENT,
  RECEIVE_SIGNAL,
  ROUTE_SIGNAL,
  TRACK_REFERRAL,
  FOLLOW_SIGNALS,
  ESCALATE_REFERRALS,
  WRITE_AUDIT,
  RECOVER_AUDIT,
  LIST_AUDIT_EVENTS,
  MANAGE_AUDIT_EXPORTS,
  EXPORT_AUDIT,
  ANSWER_SUBJECT_ACCESS,
  SERVE_OPENAPI,
  APPLY_RETENTION,
] as const satisfies readonly FunctionDeclaration[];

export type FunctionName = (typeof FUNCTION_DECLARATIONS)[number]['name'];

export const FUNCTIONS = Object.fromEntries(FUNCTION_DECLARATIONS.map((f) => [f.name, f])) as unknown as {
  readonly [N in FunctionName]: FunctionDeclaration & { name: N };
};

export const FUNCTION_NAMES = FUNCTION_DECLARATIONS.map((f) => f.name) as readonly FunctionName[];

export interface RegisteredOperation {
  operationId: string;
  function: FunctionName;
  spec: OperationSpec;
}

/** Every API operation with the function that serves it; operation ids are unique across the API. */
export const OPERATIONS: readonly RegisteredOperation[] = (() => {
  const found: RegisteredOperation[] = [];
  for (const declaration of FUNCTION_DECLARATIONS) {
    if (declaration.trigger.kind !== 'api') continue;
    for (const [operationId, spec] of Object.entries(declaration.trigger.operations)) {
      if (found.some((o) => o.operationId === operationId))
        throw new Error(`operationId ${operationId} is declared twice`);
      if (found.some((o) => o.spec.method === spec.method && o.spec.path === spec.path))
        throw new Error(`${spec.method} ${spec.path} is declared twice`);
      found.push({ operationId, function: declaration.name, spec });
    }
  }
  return found;
})();
