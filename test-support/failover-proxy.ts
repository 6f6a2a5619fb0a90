import net from 'node:net';

export interface FailoverProxy {
  port: number;
  url: string;
  /** Connections handed to each target port so far. */
  connectionsTo(port: number): number;
  close(): Promise<void>;
}

/**
 * A TCP (layer 4) reverse proxy on loopback in front of several nodes, as a load balancer in
 * `mode tcp` would be: each connection goes to the first target that accepts it, so clients
 * stay on the first node while it lives and land on the next one when it is gone. HTTP and
 * WebSocket upgrades pass through untouched (nothing is parsed); when a node dies, its
 * connections close and the clients' reconnects reach a surviving node.
 */
export async function startFailoverProxy(targets: readonly number[]): Promise<FailoverProxy> {
  const counts = new Map<number, number>();
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => client.destroy());
    client.pause();
    const tryTarget = (i: number) => {
      const port = targets[i];
      if (port === undefined || client.destroyed) {
        client.destroy();
        return;
      }
      const upstream = net.connect(port, '127.0.0.1');
      upstream.once('error', () => {
        upstream.destroy();
        tryTarget(i + 1);
      });
      upstream.once('connect', () => {
        counts.set(port, (counts.get(port) ?? 0) + 1);
        open.add(upstream);
        upstream.removeAllListeners('error');
        upstream.on('error', () => client.destroy());
        upstream.on('close', () => {
          open.delete(upstream);
          client.destroy();
        });
        client.on('close', () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    tryTarget(0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    connectionsTo: (p) => counts.get(p) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
