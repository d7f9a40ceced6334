import * as authorizeClient from '../functions/authorize-client/dependencies.js';
import { makeHandler as authorizeClientHandler } from '../functions/authorize-client/handler.js';
import * as listAuditEvents from '../functions/list-audit-events/dependencies.js';
import { makeHandler as listAuditEventsHandler } from '../functions/list-audit-events/handler.js';
import * as receiveSignal from '../functions/receive-signal/dependencies.js';
import { makeHandler as receiveSignalHandler } from '../functions/receive-signal/handler.js';
import type { FunctionName } from '../functions/registry.js';
import * as routeSignal from '../functions/route-signal/dependencies.js';
import { makeHandler as routeSignalHandler } from '../functions/route-signal/handler.js';
import * as serveOpenApi from '../functions/serve-openapi/dependencies.js';
import { makeHandler as serveOpenApiHandler } from '../functions/serve-openapi/handler.js';
import type { EnvSource } from '../functions/shared/env.js';
import * as trackReferral from '../functions/track-referral/dependencies.js';
import { makeHandler as trackReferralHandler } from '../functions/track-referral/handler.js';
import * as writeAudit from '../functions/write-audit/dependencies.js';
import { makeHandler as writeAuditHandler } from '../functions/write-audit/handler.js';

// Each function as its Lambda entry point (functions/<name>/lambda.ts) builds it, but from an
// environment of this hub's own instead of process.env: several hubs can run in one process. A
// function missing here does not compile.

export type LocalHandler = (event: never, context?: unknown) => Promise<unknown>;

export const HANDLER_FACTORIES: { readonly [N in FunctionName]: (env: EnvSource) => LocalHandler } = {
  'authorize-client': (env) => authorizeClientHandler(authorizeClient.productionDependencies(env)),
  'receive-signal': (env) => receiveSignalHandler(receiveSignal.productionDependencies(env)),
  'route-signal': (env) => routeSignalHandler(routeSignal.productionDependencies(env)),
  'track-referral': (env) => trackReferralHandler(trackReferral.productionDependencies(env)),
  'write-audit': (env) => writeAuditHandler(writeAudit.productionDependencies(env)),
  'list-audit-events': (env) => listAuditEventsHandler(listAuditEvents.productionDependencies(env)),
  'serve-openapi': (env) => serveOpenApiHandler(serveOpenApi.productionDependencies(env)),
};
