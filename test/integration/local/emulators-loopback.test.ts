import { readFileSync } from 'node:fs';
import { connect, createServer, Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { describe, expect, inject, it } from 'vitest';
import { freePort } from '../../../local/emulators/emulators.js';
import { startFauxqsOnLoopback } from '../../../local/emulators/fauxqs-on-loopback.js';

// The emulators hold the hub's state (pupil data included) with no authentication: they must be
// reachable from this machine only. Checked on the emulators of this run (global-setup.ts starts
// them with startEmulators, as the hub does), by the kernel's socket table and by connecting.

const ports = {
  'DynamoDB Local': Number(new URL(inject('dynamodbEndpoint')).port),
  fauxqs: Number(new URL(inject('sqsEndpoint')).port),
};

const LISTEN = '0A';
/** 127.0.0.1 in /proc/net/tcp; ::1 and ::ffff:127.0.0.1 in /proc/net/tcp6 (32-bit words, host order). */
const LOOPBACK = new Set([
  '0100007F',
  '00000000000000000000000001000000',
  '0000000000000000FFFF00000100007F',
]);

/** The local addresses (kernel hex notation) of the LISTEN sockets on `port`, IPv4 and IPv6. */
function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter(([, local, , state]) => state === LISTEN && local?.endsWith(`:${hexPort}`))
      .map(([, local]) => (local as string).slice(0, -5)),
  );
}

function connectOutcome(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(3000, () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

const externalAddress = Object.values(networkInterfaces())
  .flat()
  .find((i) => i?.family === 'IPv4' && !i.internal)?.address;

describe.runIf(process.platform === 'linux')('the emulators’ listening sockets', () => {
  it.each(Object.entries(ports))('of %s are bound to 127.0.0.1 only', (_, port) => {
    const addresses = listeningAddresses(port);

    expect(addresses.length).toBeGreaterThan(0);
    expect(addresses.filter((a) => !LOOPBACK.has(a))).toEqual([]);
  });
});

describe.skipIf(externalAddress === undefined)(`the emulators seen from ${externalAddress}`, () => {
  it.each(Object.entries(ports))('refuse a connection to %s', async (_, port) => {
    expect(await connectOutcome(externalAddress as string, port)).toBe('ECONNREFUSED');
  });

  it('would be reached on that address if they listened on every interface (the check can fail)', async () => {
    const open = createServer().listen(0, '0.0.0.0');
    await new Promise((r) => open.once('listening', r));
    const { port } = open.address() as { port: number };

    const outcome = await connectOutcome(externalAddress as string, port);

    open.close();
    expect(outcome).toBe('connected');
  });
});

describe('startFauxqsOnLoopback', () => {
  it('rewrites only its own listen, and puts net.Server’s listen back afterwards', async () => {
    const listenBefore = Server.prototype.listen;
    const sqsPort = await freePort();
    const otherPort = await freePort();

    const starting = startFauxqsOnLoopback({ port: sqsPort, logger: false });
    // Another server listening on every interface while fauxqs starts: left as it asked.
    const other = createServer().listen({ port: otherPort, host: '0.0.0.0' });
    await new Promise((r) => other.once('listening', r));
    const fauxqs = await starting;
    const otherAddress = other.address();
    other.close();
    await fauxqs.stop();

    expect(otherAddress).toMatchObject({ address: '0.0.0.0', port: otherPort });
    expect(Server.prototype.listen).toBe(listenBefore);
  });
});
