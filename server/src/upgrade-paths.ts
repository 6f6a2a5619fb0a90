import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { refuseUpgrade } from './startup-gate.js';

/**
 * The parts answer WebSocket upgrades for their own path prefix and leave the rest alone
 * (Socket.IO runs with destroyUpgrade:false so collab can take /collab), so an upgrade to any
 * other path would stay open with no timeout. This listener answers those: 404 for a path
 * nobody serves, 503 for one whose part has not started yet.
 */
export class UpgradePaths {
  private readonly ready = new Map<string, boolean>();

  constructor(server: Server, prefixes: string[]) {
    for (const p of prefixes) this.ready.set(p, false);
    // First listener: it decides before any part's listener runs.
    server.prependListener('upgrade', this.onUpgrade);
  }

  /** The part owning `prefix` has attached its upgrade listener. */
  serve(prefix: string): void {
    if (!this.ready.has(prefix)) throw new Error(`unknown upgrade prefix ${prefix}`);
    this.ready.set(prefix, true);
  }

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => socket.destroy());
    const path = (req.url ?? '/').split('?')[0]!;
    const owner = [...this.ready.keys()].find((p) => path.startsWith(p));
    if (owner === undefined) return refuseUpgrade(socket, 404, `Nothing upgrades at ${path}`);
    if (!this.ready.get(owner)) {
      return refuseUpgrade(socket, 503, 'The server is starting; try again in a moment');
    }
  };
}
