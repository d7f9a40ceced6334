import * as answerSubjectAccess from '../../functions/answer-subject-access/dependencies.js';
import { makeHandler as answerSubjectAccessHandler } from '../../functions/answer-subject-access/handler.js';
import * as applyRetention from '../../functions/apply-retention/dependencies.js';
import { makeHandler as applyRetentionHandler } from '../../functions/apply-retention/handler.js';
import * as authorizeClient from '../../functions/authorize-client/dependencies.js';
import { makeHandler as authorizeClientHandler } from '../../functions/authorize-client/handler.js';
import * as escalateReferrals from '../../functions/escalate-referrals/dependencies.js';
import { makeHandler as escalateReferralsHandler } from '../../functions/escalate-referrals/handler.js';
import * as exportAudit from '../../functions/export-audit/dependencies.js';
import { makeHandler as exportAuditHandler } from '../../functions/export-audit/handler.js';
import * as followSignals from '../../functions/follow-signals/dependencies.js';
import { makeHandler as followSignalsHandler } from '../../functions/follow-signals/handler.js';
import * as listAuditEvents from '../../functions/list-audit-events/dependencies.js';
import { makeHandler as listAuditEventsHandler } from '../../functions/list-audit-events/handler.js';
import * as manageAuditExports from '../../functions/manage-audit-exports/dependencies.js';
import { makeHandler as manageAuditExportsHandler } from '../../functions/manage-audit-exports/handler.js';
import * as receiveSignal from '../../functions/receive-signal/dependencies.js';
import { makeHandler as receiveSignalHandler } from '../../functions/receive-signal/handler.js';
import * as recoverAudit from '../../functions/recover-audit/dependencies.js';
import { makeHandler as recoverAuditHandler } from '../../functions/recover-audit/handler.js';
import { FUNCTION_NAMES, type FunctionName } from '../../functions/registry.js';
import * as routeSignal from '../../functions/route-signal/dependencies.js';
import { makeHandler as routeSignalHandler } from '../../functions/route-signal/handler.js';
import * as serveOpenApi from '../../functions/serve-openapi/dependencies.js';
import { makeHandler as serveOpenApiHandler } from '../../functions/serve-openapi/handler.js';
import type { EnvSource } from '../../functions/shared/env.js';
import * as trackReferral from '../../functions/track-referral/dependencies.js';
import { makeHandler as trackReferralHandler } from '../../functions/track-referral/handler.js';
import * as writeAudit from '../../functions/write-audit/dependencies.js';
import { makeHandler as writeAuditHandler } from '../../functions/write-audit/handler.js';
import { type LambdaHandler, type LocalFunctions, localFunction } from './local-function.js';

// The one module of local/ that imports the handler modules, and with them Powertools' logger,
// which reads POWERTOOLS_LOG_LEVEL once on load: start.ts imports it dynamically, after setting
// the hub's default. Each function is built as its Lambda entry point (functions/<name>/lambda.ts)
// builds it, but from an environment of the hub's own instead of process.env, so several hubs can
// run in one process. A function missing here does not compile.

export type LocalHandler = (event: never, context?: unknown) => Promise<unknown>;

export const HANDLER_FACTORIES: { readonly [N in FunctionName]: (env: EnvSource) => LocalHandler } = {
  'authorize-client': (env) => authorizeClientHandler(authorizeClient.productionDependencies(env)),
  'receive-signal': (env) => receiveSignalHandler(receiveSignal.productionDependencies(env)),
  'route-signal': (env) => routeSignalHandler(routeSignal.productionDependencies(env)),
  'track-referral': (env) => trackReferralHandler(trackReferral.productionDependencies(env)),
  'follow-signals': (env) => followSignalsHandler(followSignals.productionDependencies(env)),
  'escalate-referrals': (env) => escalateReferralsHandler(escalateReferrals.productionDependencies(env)),
  'write-audit': (env) => writeAuditHandler(writeAudit.productionDependencies(env)),
  'recover-audit': (env) => recoverAuditHandler(recoverAudit.productionDependencies(env)),
  'list-audit-events': (env) => listAuditEventsHandler(listAuditEvents.productionDependencies(env)),
  'answer-subject-access': (env) =>
    answerSubjectAccessHandler(answerSubjectAccess.productionDependencies(env)),
  'manage-audit-exports': (env) => manageAuditExportsHandler(manageAuditExports.productionDependencies(env)),
  'export-audit': (env) => exportAuditHandler(exportAudit.productionDependencies(env)),
  'serve-openapi': (env) => serveOpenApiHandler(serveOpenApi.productionDependencies(env)),
  'apply-retention': (env) => applyRetentionHandler(applyRetention.productionDependencies(env)),
};

/**
 * Builds every function from `env`, as a cold start would: a bad environment fails here, for the
 * whole hub, as a failed cold start fails every invocation.
 */
export function loadFunctions(env: EnvSource, region: string): LocalFunctions {
  return new Map(
    FUNCTION_NAMES.map((name) => [
      name,
      localFunction(name, region, HANDLER_FACTORIES[name](env) as LambdaHandler),
    ]),
  );
}
