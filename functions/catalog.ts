// The functions and API routes of Schakel. The CDK app and local mode both build from this list,
// so a route or function exists in both or in neither.

import type { EnvKey } from './shared/env.js';

export type FunctionName =
  | 'authorize-client'
  | 'receive-signal'
  | 'route-signal'
  | 'track-referral'
  | 'write-audit'
  | 'list-audit-events'
  | 'serve-openapi';

export interface FunctionSpec {
  /** Folder under functions/; the module is functions/<name>/handler.ts exporting `handler`. */
  name: FunctionName;
  description: string;
  environment: readonly EnvKey[];
}

export const FUNCTIONS: Record<FunctionName, FunctionSpec> = {
  'authorize-client': {
    name: 'authorize-client',
    description: 'API Gateway REQUEST authorizer: API key → client role and scope',
    environment: ['STATE_TABLE_NAME'],
  },
  'receive-signal': {
    name: 'receive-signal',
    description: 'Schools submit, read and withdraw signals',
    environment: [
      'STATE_TABLE_NAME',
      'INTAKE_QUEUE_URL',
      'DEPLOYMENT_NAME',
      'PSEUDONYM_SECRET_ARN',
      'PSEUDONYM_KEY',
    ],
  },
  'route-signal': {
    name: 'route-signal',
    description: 'Intake queue → referral for the responsible team + message on its queue',
    environment: ['STATE_TABLE_NAME', 'DEPLOYMENT_NAME', 'SCHAKEL_DEPLOYMENT_CONFIG'],
  },
  'track-referral': {
    name: 'track-referral',
    description: 'Teams list and read their referrals and report what they did',
    environment: ['STATE_TABLE_NAME'],
  },
  'write-audit': {
    name: 'write-audit',
    description: 'State table stream → append-only hash-chained audit log per municipality',
    environment: ['AUDIT_TABLE_NAME'],
  },
  'list-audit-events': {
    name: 'list-audit-events',
    description: 'Municipalities page through their audit trail',
    environment: ['AUDIT_TABLE_NAME'],
  },
  'serve-openapi': {
    name: 'serve-openapi',
    description: 'Publishes the OpenAPI 3 document generated from the zod schemas',
    environment: [],
  },
};

export type HttpMethod = 'GET' | 'POST';

export interface ApiRoute {
  method: HttpMethod;
  /** API Gateway resource path, with {braces} for path parameters. */
  path: string;
  function: FunctionName;
  /** false only for the public OpenAPI document. */
  authorized: boolean;
}

export const API_ROUTES: readonly ApiRoute[] = [
  { method: 'GET', path: '/v1/openapi.json', function: 'serve-openapi', authorized: false },
  { method: 'POST', path: '/v1/signals', function: 'receive-signal', authorized: true },
  { method: 'GET', path: '/v1/signals/{id}', function: 'receive-signal', authorized: true },
  { method: 'POST', path: '/v1/signals/{id}/withdraw', function: 'receive-signal', authorized: true },
  { method: 'GET', path: '/v1/referrals', function: 'track-referral', authorized: true },
  { method: 'GET', path: '/v1/referrals/{id}', function: 'track-referral', authorized: true },
  { method: 'POST', path: '/v1/referrals/{id}/events', function: 'track-referral', authorized: true },
  { method: 'GET', path: '/v1/audit-events', function: 'list-audit-events', authorized: true },
];

/** Largest request body accepted; larger gets 413 (API Gateway itself allows 10 MB). */
export const MAX_BODY_BYTES = 64 * 1024;

export const API_VERSION = '1.0.0';
