import { existsSync } from 'node:fs';
import { BrokerProcess } from './broker-process.js';
import { freePort } from './free-port.js';
import {
  brokerHandle,
  launchOnFreePorts,
  makeTempDir,
  type PrivateBroker,
} from './private-broker.js';

/** A private `nats-server -js`; see {@link startPrivateNats}. */
export interface PrivateNats extends PrivateBroker {
  /** `nats://127.0.0.1:<port>`, for `servers` of the NATS client. */
  readonly url: string;
}

/** Debian installs the server outside a normal user's PATH. */
function natsServerBinary(): string {
  if (process.env.NATS_SERVER_BIN) return process.env.NATS_SERVER_BIN;
  return existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : 'nats-server';
}

/**
 * Starts a `nats-server` with JetStream of the caller's own on 127.0.0.1 and a free port,
 * with file storage in a temp dir: what JetStream acknowledged survives `kill()`.
 * `NATS_SERVER_BIN` overrides the executable.
 *
 * @returns The running server; `dispose()` it in `afterAll`.
 * @throws Error with the server's output when it does not start within 10 s.
 * @example
 * ```ts
 * const nats = await startPrivateNats();
 * const bus = createNatsBus({ channel: 'c', nats: nats.url });
 * await nats.kill();
 * await nats.start(); // the same streams, from the store directory
 * ```
 */
export function startPrivateNats(): Promise<PrivateNats> {
  return launchOnFreePorts(async () => {
    const port = await freePort();
    const temp = makeTempDir('nats');
    const server = new BrokerProcess({
      name: 'nats-server',
      command: natsServerBinary(),
      args: ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', temp.dir],
      // Logged once the client listener is up and JetStream has read its store.
      readyLine: /Server is ready/,
      startTimeoutMs: 10_000,
      stopSignal: 'SIGTERM',
      stopGraceMs: 5_000,
      installHint: 'apt-get install nats-server',
    });
    return Object.assign(brokerHandle(port, temp, server), {
      url: `nats://127.0.0.1:${port}`,
    });
  });
}
