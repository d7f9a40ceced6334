import type * as core from 'zod/v4/core';
import type { ClientRole } from '../../domain/vocabulary.js';
import type { Client } from '../../schemas/client.js';
import type { InvalidParam } from '../../schemas/problem.js';
import type { EnvKey } from './env.js';
import type { LogEvent } from './log-events.js';

// What a function is, declared once beside its code (functions/<name>/declaration.ts): its
// settings, what it may touch, what triggers it and, for an API function, its operations. The
// CDK app, local mode, the OpenAPI document and the handler's router are all built from these
// declarations (collected in functions/registry.ts), so none of them can drift from another.

export type HttpMethod = 'GET' | 'POST';

export interface ResponseSpec {
  description: string;
  /** The JSON body; no schema means no body. */
  schema?: core.$ZodType;
  /** Headers of this response besides API-Version, by name, with what they carry. */
  headers?: Readonly<Record<string, string>>;
  /** An example body for the OpenAPI document; must be valid against `schema` (tests check it). */
  example?: unknown;
}

export interface BodySpec {
  schema: core.$ZodType;
  required: boolean;
  /** Named examples for the OpenAPI document; each must be valid against `schema`. */
  examples?: Readonly<Record<string, { summary: string; value: unknown }>>;
  /**
   * A batch: the top-level property whose items the implementation judges one by one, so that a
   * bad item answers for itself and never refuses the others. The request's own checks stop there.
   */
  batchItems?: string;
}

export interface OperationSpec {
  method: HttpMethod;
  /** API Gateway resource path with {braces} for path parameters, starting with /v1. */
  path: `/v1/${string}`;
  summary: string;
  /** The rules an integrator must know; the roles and the usual errors are added in the document. */
  description: string;
  /**
   * Roles that may call it. Any other role is answered 403 before the use case runs: which roles
   * may use an operation is public (it is in the OpenAPI document), so saying so leaks nothing.
   * `public` operations skip the authorizer.
   */
  roles: readonly ClientRole[] | 'public';
  /** Only `strictObject`s: a parameter the operation does not know is a 400 naming it. */
  pathParameters?: core.$ZodObject;
  query?: core.$ZodObject;
  body?: BodySpec;
  /** Largest body in bytes (413 above it); MAX_BODY_BYTES unless the operation needs more. */
  maxBodyBytes?: number;
  /** Successful responses by status code. */
  responses: Readonly<Record<number, ResponseSpec>>;
  /** Problems particular to this operation, by status code. */
  problems?: Readonly<Record<number, string>>;
  /**
   * Rules the body schema cannot express because they need the caller or the calendar. When the
   * schema refuses the body, they run beside it on the body as it came, so the 400 names every bad
   * field at once; when the schema accepts it, the use case applies them (it knows the exceptions).
   */
  bodyRules?: (body: unknown, context: { client: Client | undefined; now: Date }) => InvalidParam[];
  /**
   * Rules of the query that depend on the caller (which parameters its role must or must not
   * send). They always run, on the query as it came, beside the schema: one 400 names every bad
   * parameter. The use case keeps applying them too.
   */
  queryRules?: (
    query: Readonly<Record<string, string | undefined>>,
    context: { client: Client | undefined },
  ) => InvalidParam[];
}

type Output<S> = S extends core.$ZodType ? core.output<S> : Record<string, never>;
type BodyOf<B> = B extends BodySpec
  ? B['required'] extends true
    ? core.output<B['schema']>
    : core.output<B['schema']> | undefined
  : undefined;

/** What an operation's implementation receives: the caller and every part of the request, valid. */
export interface OperationRequest<Op extends OperationSpec> {
  client: Op['roles'] extends 'public' ? undefined : Client;
  /** Individual user in the calling system (`Schakel-User`), for the audit trail. */
  user: string | undefined;
  path: Output<Op['pathParameters']>;
  query: Output<Op['query']>;
  body: BodyOf<Op['body']>;
}

type SuccessStatus<Op extends OperationSpec> = keyof Op['responses'] & number;
type ResponseBody<R> = R extends { schema: core.$ZodType } ? core.input<R['schema']> : undefined;

/** What an implementation returns: one of the operation's declared successful responses. */
export type OperationResult<Op extends OperationSpec> = {
  [S in SuccessStatus<Op>]: {
    status: S;
    body: ResponseBody<Op['responses'][S]>;
    headers?: Record<string, string>;
  };
}[SuccessStatus<Op>];

export type OperationImplementation<Op extends OperationSpec, Deps> = (
  request: OperationRequest<Op>,
  deps: Deps,
) => Promise<OperationResult<Op>>;

/** One implementation per declared operation, keyed by operationId: a missing one does not compile. */
export type Implementations<Ops extends Record<string, OperationSpec>, Deps> = {
  [Id in keyof Ops]: OperationImplementation<Ops[Id], Deps>;
};

export function operations<const Ops extends Record<string, OperationSpec>>(ops: Ops): Ops {
  return ops;
}

/** What a function may touch; the CDK app grants exactly this. */
export interface FunctionAccess {
  /**
   * `record-reads`: put access records and nothing else (items whose partition key starts
   * `ACCESS#`, held to by IAM's dynamodb:LeadingKeys), for a function that records its reads.
   */
  stateTable?: 'read' | 'read-write' | 'record-reads';
  auditTable?: 'read' | 'read-write';
  intakeQueue?: 'send';
  /** Send to every team queue of the deployment (found by name, see team-queue-name.ts). */
  teamQueues?: 'send';
  pseudonymSecret?: 'read';
  /** Re-read the state table's stream (GetShardIterator, GetRecords). */
  stateTableStream?: 'read';
  /** Seal (encrypt) or open (decrypt) pupil data under the deployment's data key. */
  pupilData?: 'seal' | 'open';
  /**
   * Audit export jobs in the audit table: get, query and put items whose partition key is a job's
   * or a client's list of jobs (IAM's dynamodb:LeadingKeys), never a chain entry or head.
   */
  exportJobs?: 'read-write';
  /** Start or continue an audit export (send to the export queue). */
  exportQueue?: 'send';
  /**
   * The audit export bucket: `write` the files (multipart) and read them back for a digest;
   * `read` to sign download links (a pre-signed URL carries the signer's own permission).
   */
  exportBucket?: 'read' | 'write';
}

export type FunctionTrigger =
  | { kind: 'api'; operations: Readonly<Record<string, OperationSpec>> }
  | { kind: 'authorizer'; cacheTtlSeconds: number }
  | {
      kind: 'intake-queue';
      batchSize: number;
      maxBatchingWindowSeconds: number;
      /** How many batches Lambda runs at once for this queue (its ScalingConfig; 2–1000). */
      maxConcurrency: number;
    }
  | {
      /** The on-failure queue of the state-table stream mapping: batches write-audit gave up on. */
      kind: 'audit-recovery-queue';
      batchSize: number;
      maxConcurrency: number;
    }
  | {
      /** The audit export queue: a job to start, or to continue where the last invocation stopped. */
      kind: 'audit-export-queue';
      batchSize: number;
      maxConcurrency: number;
    }
  | {
      /**
       * A schedule (EventBridge in AWS, a timer in local mode). `cron` is EventBridge's six
       * fields, in UTC: `minute hour day-of-month month day-of-week year`.
       */
      kind: 'schedule';
      cron: string;
      /** Local mode: the first run this long after the hub starts, then every `localEveryMinutes`. */
      localFirstAfterSeconds: number;
      localEveryMinutes: number;
    }
  | {
      kind: 'state-table-stream';
      batchSize: number;
      /**
       * Retries of a failing batch (halved each time) before it goes to the on-failure queue;
       * -1 retries until the record is older than `maxRecordAgeSeconds`.
       */
      retryAttempts: number;
      /** A record older than this goes to the on-failure queue instead of being retried (60 s–7 days). */
      maxRecordAgeSeconds: number;
    };

export interface FunctionDeclaration {
  /** Its folder under functions/, verb-noun. */
  name: string;
  description: string;
  /** API functions stay well below API Gateway's 29 s integration timeout. */
  timeoutSeconds: number;
  memoryMb: number;
  /** The environment it reads at cold start; each key is checked then, all at once. */
  environment: readonly EnvKey[];
  access: FunctionAccess;
  trigger: FunctionTrigger;
  /**
   * CloudWatch metrics counted from the function's own log lines (a metric filter per event):
   * the log event catalog is the contract, so a metric needs no code in the function.
   */
  logMetrics?: readonly LogMetric[];
}

export interface LogMetric {
  /** The log event (functions/shared/log-events.ts) each line of which counts one. */
  event: LogEvent;
  metricName: string;
  /** Metric dimensions from fields of the log line (never pupil data: ids and codes only). */
  dimensions?: Readonly<Record<string, string>>;
}

export function declareFunction<const F extends FunctionDeclaration>(declaration: F): F {
  return declaration;
}
