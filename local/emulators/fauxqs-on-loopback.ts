import { Server } from 'node:net';
import { type FauxqsServer, startFauxqs } from 'fauxqs';

// fauxqs 2.4.1's startFauxqs ends in `app.listen({ port, host: "0.0.0.0" })`: every interface,
// whatever its options say (its `host` option only names the host in queue URLs). Its stores and
// persistence are internal, so building the app ourselves (it exports buildApp) would mean copying
// startFauxqs and following its internals on every update. Instead, for the duration of one
// startFauxqs call, net.Server's listen rewrites exactly that call — an options object with host
// 0.0.0.0 and one of the ports being started here — to host 127.0.0.1; every other listen in the
// process (the gateway, another hub's fauxqs on another port) passes through untouched. Fastify
// listens once, after its plugins are ready. Afterwards the socket that was rewritten must exist and
// be bound to 127.0.0.1 (fauxqs's own `address` cannot tell: Fastify reports 127.0.0.1 for a 0.0.0.0
// bind too), so a fauxqs that listens some other way fails to start instead of serving the network.

const LOOPBACK = '127.0.0.1';

/**
 * Ports whose 0.0.0.0 listen is to be rewritten (several hubs in one process may start at once),
 * with the server whose listen was rewritten, once it happened.
 */
const rewrittenPorts = new Map<number, Server | undefined>();
let originalListen: Server['listen'] | undefined;

function isAllInterfacesListen(options: unknown): options is { port: number; host: string } {
  if (typeof options !== 'object' || options === null) return false;
  const { port, host } = options as { port?: unknown; host?: unknown };
  return host === '0.0.0.0' && typeof port === 'number' && rewrittenPorts.has(port);
}

/** Starts rewriting; the function returned stops it and answers the server that was rewritten. */
function rewriteListenFor(port: number): () => Server | undefined {
  rewrittenPorts.set(port, undefined);
  if (!originalListen) {
    const original = Server.prototype.listen;
    originalListen = original;
    Server.prototype.listen = function listenOnLoopback(this: Server, ...args: unknown[]) {
      const [options] = args;
      if (isAllInterfacesListen(options)) {
        args[0] = { ...options, host: LOOPBACK };
        rewrittenPorts.set(options.port, this);
      }
      return (original as (...a: unknown[]) => Server).apply(this, args);
    } as Server['listen'];
  }
  return () => {
    const rewritten = rewrittenPorts.get(port);
    rewrittenPorts.delete(port);
    if (rewrittenPorts.size === 0 && originalListen) {
      Server.prototype.listen = originalListen;
      originalListen = undefined;
    }
    return rewritten;
  };
}

export type FauxqsOptions = NonNullable<Parameters<typeof startFauxqs>[0]> & { port: number };

/** startFauxqs, listening on 127.0.0.1 only. Needs a fixed port (not 0): the rewrite is per port. */
export async function startFauxqsOnLoopback(options: FauxqsOptions): Promise<FauxqsServer> {
  if (!Number.isInteger(options.port) || options.port <= 0) {
    throw new Error('fauxqs needs a fixed port to be kept on the loopback address');
  }
  const restore = rewriteListenFor(options.port);
  let server: FauxqsServer;
  let rewritten: Server | undefined;
  try {
    server = await startFauxqs(options);
  } finally {
    rewritten = restore();
  }
  const bound = rewritten?.address();
  if (typeof bound !== 'object' || bound?.address !== LOOPBACK || bound.port !== server.port) {
    await server.stop();
    throw new Error(`fauxqs did not listen on ${LOOPBACK} only (a fauxqs update?); refusing to run it`);
  }
  return server;
}
