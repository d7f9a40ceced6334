import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject } from 'zod-openapi';
import { API_VERSION, MAX_BODY_BYTES } from '../functions/catalog.js';
import { AuditPageSchema, AuditQuerySchema } from './audit-event.js';
import { CursorQuerySchema, IdSchema } from './common.js';
import { ProblemSchema } from './problem.js';
import { ReferralEventInputSchema, ReferralHistoryEntrySchema, ReferralStatusSchema } from './referral.js';
import { SignalSubmissionSchema, WithdrawInputSchema } from './signal.js';
import {
  ReferralListItemSchema,
  ReferralViewSchema,
  SignalAcceptedSchema,
  SignalViewSchema,
} from './views.js';

// The OpenAPI 3.1 document served at /v1/openapi.json, generated from the same zod schemas that
// validate requests (NL API Design Rules: the contract is published and machine-readable).

const apiVersionHeader = z
  .string()
  .meta({ description: 'Version of the API (semver).', example: API_VERSION });
const headers = z.object({ 'API-Version': apiVersionHeader });

const problem = (description: string) => ({
  description,
  headers,
  content: { 'application/problem+json': { schema: ProblemSchema } },
});

const common4xx = {
  '400': problem('Invalid input; `invalidParams` names each bad field.'),
  '401': problem('No or unknown API key.'),
  '404': problem('Unknown resource, or one of another client.'),
};

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  headers,
  content: { 'application/json': { schema } },
});

const idPath = { path: z.object({ id: IdSchema }) };
const userHeader = {
  header: z.object({
    'Schakel-User': z
      .string()
      .optional()
      .meta({ description: 'Id of the individual user in the calling system, recorded in the audit trail.' }),
  }),
};

const ReferralStateSchema = ReferralListItemSchema.extend({
  history: z.array(ReferralHistoryEntrySchema),
}).meta({
  id: 'ReferralState',
});

const operations: Record<string, Record<string, ZodOpenApiOperationObject>> = {
  '/v1/signals': {
    post: {
      operationId: 'submitSignal',
      summary: 'Submit a signal about a pupil (school clients)',
      description: `Idempotent per \`sourceId\`: the same body again returns the same id; other content is 409. Body at most ${MAX_BODY_BYTES} bytes.`,
      requestParams: userHeader,
      requestBody: { required: true, content: { 'application/json': { schema: SignalSubmissionSchema } } },
      responses: {
        '202': {
          ...json(SignalAcceptedSchema, 'Accepted for routing.'),
          headers: headers.extend({ Location: z.string().meta({ description: 'Path of the new signal.' }) }),
        },
        ...common4xx,
        '403': problem('The client may not submit for this school location.'),
        '409': problem('The sourceId was used before with other content.'),
        '413': problem('Body too large.'),
        '415': problem('Body is not application/json.'),
        '503': problem('Stored but not yet queued; send the same request again.'),
      },
    },
  },
  '/v1/signals/{id}': {
    get: {
      operationId: 'getSignal',
      summary: 'Status of a signal and its referrals',
      requestParams: idPath,
      responses: { '200': json(SignalViewSchema, 'The signal.'), ...common4xx },
    },
  },
  '/v1/signals/{id}/withdraw': {
    post: {
      operationId: 'withdrawSignal',
      summary: 'Withdraw a signal and its open referrals',
      requestParams: { ...idPath, ...userHeader },
      requestBody: { required: false, content: { 'application/json': { schema: WithdrawInputSchema } } },
      responses: {
        '200': json(SignalViewSchema, 'Withdrawn (repeating is safe).'),
        ...common4xx,
        '409': problem('Nothing left to withdraw, or it changed meanwhile.'),
      },
    },
  },
  '/v1/referrals': {
    get: {
      operationId: 'listReferrals',
      summary: 'The calling team’s referrals, newest first (no pupil data)',
      requestParams: { query: CursorQuerySchema.extend({ status: ReferralStatusSchema.optional() }) },
      responses: {
        '200': json(
          z.object({ items: z.array(ReferralListItemSchema), next: z.string().optional() }),
          'A page.',
        ),
        ...common4xx,
      },
    },
  },
  '/v1/referrals/{id}': {
    get: {
      operationId: 'getReferral',
      summary: 'A referral with the pupil data (every read is audited)',
      requestParams: { ...idPath, ...userHeader },
      responses: { '200': json(ReferralViewSchema, 'The referral.'), ...common4xx },
    },
  },
  '/v1/referrals/{id}/events': {
    post: {
      operationId: 'recordReferralEvent',
      summary: 'Report what the team did: delivered, accepted, started, closed or rejected',
      requestParams: { ...idPath, ...userHeader },
      requestBody: { required: true, content: { 'application/json': { schema: ReferralEventInputSchema } } },
      responses: {
        '200': json(ReferralStateSchema, 'The referral after the change (no pupil data).'),
        ...common4xx,
        '409': problem('The lifecycle does not allow this event now.'),
      },
    },
  },
  '/v1/audit-events': {
    get: {
      operationId: 'listAuditEvents',
      summary: 'The municipality’s hash-chained audit trail, oldest first',
      requestParams: { query: AuditQuerySchema },
      responses: { '200': json(AuditPageSchema, 'A page of audit events.'), ...common4xx },
    },
  },
  '/v1/openapi.json': {
    get: {
      operationId: 'getOpenApi',
      summary: 'This document',
      security: [],
      responses: { '200': { description: 'OpenAPI 3.1 document.', headers } },
    },
  },
};

export function buildOpenApiDocument() {
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Schakel API',
      version: API_VERSION,
      description:
        'Signals from schools to municipal youth-care access teams (CJG / JGT / wijkteam), their referrals, and the audit trail.',
      contact: { name: 'Schakel', email: 'support@schakel.example' },
    },
    servers: [{ url: '/', description: 'This deployment' }],
    security: [{ apiKey: [] }],
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'The client’s API key as a bearer token.' },
      },
    },
    paths: operations,
  });
}
