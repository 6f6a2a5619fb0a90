import dgram from 'node:dgram';

/**
 * A UDP relay that drops one packet in `dropEvery` on the way to `target`: a lossy link for
 * tests (a sender's packets lost before the SFU), deterministic so runs compare.
 */
export async function startLossyRelay(
  target: { ip: string; port: number },
  dropEvery: number,
): Promise<{ port: number; close(): Promise<void> }> {
  const socket = dgram.createSocket('udp4');
  let n = 0;
  socket.on('message', (msg) => {
    if (++n % dropEvery === 0) return;
    socket.send(msg, target.port, target.ip);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: socket.address().port,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}
