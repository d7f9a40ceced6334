import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  GATEWAY_PROBLEMS,
  type GatewayResponseKind,
  gatewayProblemBody,
  PROBLEM_CONTENT_TYPE,
  STANDARD_HEADERS,
} from '../../functions/shared/http/gateway-responses.js';
import { count, type LocalLog } from '../local-log.js';
import { type LocalFunctions, requireFunction } from '../runtime/local-function.js';
import type { AuthorizerSettings } from '../topology/model.js';
import { createAuthorizer } from './authorizer.js';
import {
  type EventBody,
  PayloadTooLargeError,
  proxyEvent,
  readBody,
  requestContext,
  requestParts,
  sourceIpOf,
  writeProxyResult,
} from './proxy-event.js';
import { matchRoute } from './routes.js';

// API Gateway (REST API, Lambda proxy integration) in front of the real handlers: route matching,
// the REQUEST authorizer, and the gateway responses the CDK stack installs (gateway-responses.ts),
// so a client sees the same statuses and problem+json bodies locally as in AWS.

export interface GatewayOptions {
  port: number;
  host?: string;
  region: string;
  functions: LocalFunctions;
  /** From the stack's AWS::ApiGateway::Authorizer. */
  authorizer: AuthorizerSettings;
  log: LocalLog;
}

export interface Gateway {
  url: string;
  port: number;
  /**
   * Stops accepting connections, lets the requests in flight finish (at most `graceMs`, default
   * 10 s), then closes what is left. Resolves when the last connection is closed.
   */
  stop(options?: { graceMs?: number }): Promise<void>;
}

/**
 * How long stop() waits for requests in flight: a local invocation takes milliseconds, so this only
 * bounds one stuck on a dependency that does not answer (the SDK keeps retrying for a while).
 */
const DEFAULT_STOP_GRACE_MS = 10_000;

function sendGatewayResponse(response: ServerResponse, kind: GatewayResponseKind, requestId: string): number {
  const body = gatewayProblemBody(kind);
  response.writeHead(GATEWAY_PROBLEMS[kind].status, {
    ...STANDARD_HEADERS,
    'Content-Type': PROBLEM_CONTENT_TYPE,
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-RequestId': requestId,
  });
  response.end(body);
  return GATEWAY_PROBLEMS[kind].status;
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { functions, log } = options;
  const authorize = createAuthorizer({
    settings: options.authorizer,
    region: options.region,
    invoke: (event) => requireFunction(functions, 'authorize-client').invoke(event),
    log,
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = Date.now();
    const requestId = randomUUID();
    const method = request.method ?? 'GET';
    // Names the route template, never the path or query: those can carry ids and data.
    let label = `${method} (no such route)`;
    // Which gateway response answered, if any: tells a 403 of the gateway from one of the function.
    let note = '';
    const answer = (kind: GatewayResponseKind, why = '') => {
      note = ` ${kind}${why}`;
      return sendGatewayResponse(response, kind, requestId);
    };
    let status: number;
    try {
      status = await respond();
    } catch (error) {
      log.error(`${label} failed in the gateway`, error);
      if (response.headersSent) {
        response.destroy();
        status = 500;
      } else {
        // The 500 replaces whatever the function's answer had set so far.
        for (const name of response.getHeaderNames()) response.removeHeader(name);
        status = answer('DEFAULT_5XX');
      }
    }
    log.info(`${label} ${status}${note} ${Date.now() - started} ms`);

    async function respond(): Promise<number> {
      let url: URL;
      try {
        url = new URL(request.url ?? '/', 'http://localhost');
      } catch {
        // Node accepts a request target that is no URL (e.g. `http://a:99999/`); API Gateway's
        // front end answers such a request with 400 before any route is looked at.
        label = `${method} (unreadable request target)`;
        request.resume();
        return answer('DEFAULT_4XX');
      }
      const matched = matchRoute(method, url.pathname);
      if (!matched) {
        request.resume();
        return answer('MISSING_AUTHENTICATION_TOKEN');
      }
      const { route, pathParameters } = matched;
      label = `${method} ${route.path}`;
      let body: EventBody | null;
      try {
        body = await readBody(request);
      } catch (error) {
        if (request.errored || request.destroyed) {
          // The client went away before its body was complete: nobody to answer, nothing was
          // invoked. Logged as nginx does (499), not as a fault of the hub.
          note = ' client closed the connection mid-body';
          response.destroy();
          return 499;
        }
        if (!(error instanceof PayloadTooLargeError)) throw error;
        response.setHeader('Connection', 'close');
        return answer('REQUEST_TOO_LARGE');
      }

      const parts = requestParts(request, url, sourceIpOf(request));
      const parameters = Object.keys(pathParameters).length > 0 ? pathParameters : null;
      const context = requestContext(request, url, route, requestId, started);

      let authorizerContext: Record<string, string | number | null> | null = null;
      if (route.authorized) {
        const authorizerStarted = Date.now();
        const authorization = await authorize({
          route,
          path: url.pathname,
          parts,
          pathParameters: parameters,
          requestContext: context,
        });
        if (authorization.outcome === 'gateway-response') {
          return answer(authorization.kind, authorization.cached ? ' (cached authorizer policy)' : '');
        }
        authorizerContext = { ...authorization.context, integrationLatency: Date.now() - authorizerStarted };
      }

      const event = proxyEvent(route, url, parts, parameters, context, authorizerContext, body);
      let raw: unknown;
      try {
        raw = await requireFunction(functions, route.function).invoke(event);
      } catch (error) {
        log.error(`${route.function} failed`, error);
        return answer('DEFAULT_5XX');
      }
      const written = writeProxyResult(response, raw, requestId);
      if (written === undefined) {
        // API Gateway's "Malformed Lambda proxy response".
        log.error(`${route.function} returned no valid proxy result`);
        return answer('DEFAULT_5XX');
      }
      return written;
    }
  }

  /** The last guard: one request must never end the hub with an unhandled rejection. */
  function lastResort(response: ServerResponse, error: unknown): void {
    try {
      log.error('the gateway failed on a request', error);
      if (!response.headersSent) {
        sendGatewayResponse(response, 'DEFAULT_5XX', randomUUID());
        return;
      }
    } catch {
      // Nothing more to say to this client: close its connection below.
    }
    // A half-written answer cannot be completed; a finished one leaves the connection usable.
    if (!response.writableEnded) response.destroy();
  }

  // Requests being answered, so stop() can let them finish: a signal the client saw accepted must
  // also have been queued, and a client cut off mid-request cannot tell whether it was.
  const inFlight = new Set<ServerResponse>();
  let stopping = false;
  let drained: (() => void) | undefined;
  const server = createServer((request, response) => {
    inFlight.add(response);
    // While stopping, answer with `Connection: close`: the client's next request opens a new
    // connection, which is refused, instead of racing the close of this one.
    if (stopping) response.shouldKeepAlive = false;
    response.once('close', () => {
      inFlight.delete(response);
      if (inFlight.size === 0) drained?.();
    });
    handle(request, response).catch((error: unknown) => lastResort(response, error));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`port ${options.port} is in use; start with another, e.g. PORT=3001 npm start`)
          : error,
      );
    });
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    port,
    async stop({ graceMs = DEFAULT_STOP_GRACE_MS } = {}) {
      if (stopping) return;
      stopping = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // close() stops accepting and ends idle keep-alive connections; busy ones end after their answer.
      server.closeIdleConnections();
      for (const response of inFlight) if (!response.headersSent) response.shouldKeepAlive = false;
      if (inFlight.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        const finished = await Promise.race([
          new Promise<boolean>((resolve) => {
            drained = () => resolve(true);
          }),
          new Promise<boolean>((resolve) => {
            timer = setTimeout(() => resolve(false), graceMs);
          }),
        ]);
        clearTimeout(timer);
        if (!finished) {
          log.error(`${count(inFlight.size, 'request')} still in flight after ${graceMs} ms; closing them`);
        }
      }
      server.closeAllConnections();
      await closed;
    },
  };
}
