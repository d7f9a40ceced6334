import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { makeHandler as answerSubjectAccessHandler } from '../../functions/answer-subject-access/handler.js';
import { makeHandler as followSignalsHandler } from '../../functions/follow-signals/handler.js';
import { makeHandler as listAuditEventsHandler } from '../../functions/list-audit-events/handler.js';
import { makeHandler as manageAuditExportsHandler } from '../../functions/manage-audit-exports/handler.js';
import { makeHandler as receiveSignalHandler } from '../../functions/receive-signal/handler.js';
import { type FunctionName, OPERATIONS } from '../../functions/registry.js';
import { makeHandler as serveOpenApiHandler } from '../../functions/serve-openapi/handler.js';
import { makeHandler as trackReferralHandler } from '../../functions/track-referral/handler.js';
import type { DeploymentConfig } from '../../schemas/deployment-config.js';
import { type Answer, answerOf, type CallOptions, operationEvent } from './api-calls.js';
import { FakeExportFiles, FakeExportJobs, FakeExportQueue } from './export-fakes.js';
import { referralSubmission, storedSignal } from './factories.js';
import {
  FakeAccessLog,
  FakeAuditLog,
  FakeIntakeQueue,
  FakePseudonymizer,
  FakeTeamQueue,
  FakeVault,
  fixedClock,
  InMemoryStateStore,
  sequentialIds,
} from './fakes.js';

// Every API function's real handler, built by its makeHandler on one set of fakes: what API
// Gateway would call, without AWS. For tests that go through every declared operation.

export const HUB_CONFIG: DeploymentConfig = {
  deployment: 'demo',
  teams: [
    { id: 'jgt-amsterdam', name: 'JGT Amsterdam', kind: 'jgt', organisation: 'OKT' },
    { id: 'jgt-hillegom', name: 'JGT Hillegom', kind: 'jgt', organisation: 'JGT Duin- en Bollenstreek' },
  ],
  routingRules: [
    { id: 'amsterdam', municipality: '0363', teamId: 'jgt-amsterdam' },
    { id: 'hillegom', municipality: '0534', teamId: 'jgt-hillegom' },
  ],
};

export type ApiFunctionName = Extract<
  FunctionName,
  | 'receive-signal'
  | 'track-referral'
  | 'follow-signals'
  | 'list-audit-events'
  | 'answer-subject-access'
  | 'manage-audit-exports'
  | 'serve-openapi'
>;

export function fakeHub(now = '2026-11-22T10:00:00Z') {
  const store = new InMemoryStateStore();
  const deps = {
    signals: store,
    referrals: store,
    intake: new FakeIntakeQueue(),
    teams: new FakeTeamQueue(),
    access: new FakeAccessLog(),
    pseudonymizer: new FakePseudonymizer(),
    audit: new FakeAuditLog(),
    config: HUB_CONFIG,
    deployment: HUB_CONFIG.deployment,
    now: fixedClock(now),
    newId: sequentialIds(),
    document: JSON.stringify({ openapi: '3.1.0' }),
    vault: new FakeVault(),
    jobs: new FakeExportJobs(),
    queue: new FakeExportQueue(),
    files: new FakeExportFiles(),
  };
  // What storedSignal() points at, for tests that put it in the store.
  deps.vault.keep(storedSignal().sealedSubmission, storedSignal().id, referralSubmission());
  const handlers: Record<ApiFunctionName, (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>> = {
    'receive-signal': receiveSignalHandler(deps),
    'track-referral': trackReferralHandler(deps),
    'follow-signals': followSignalsHandler(deps),
    'list-audit-events': listAuditEventsHandler(deps),
    'answer-subject-access': answerSubjectAccessHandler(deps),
    'manage-audit-exports': manageAuditExportsHandler(deps),
    'serve-openapi': serveOpenApiHandler(deps),
  };
  /** Calls a declared operation on the function that serves it, as API Gateway would. */
  async function call(operationId: string, options: CallOptions = {}): Promise<Answer> {
    const operation = OPERATIONS.find((o) => o.operationId === operationId);
    if (!operation) throw new Error(`no operation ${operationId}`);
    const handler = handlers[operation.function as ApiFunctionName];
    if (!handler) throw new Error(`${operation.function} is not an API function of the fake hub`);
    return answerOf(handler(operationEvent(operationId, options)));
  }
  return { deps, store, handlers, call };
}
