import dgram from 'node:dgram';
import { randomInt } from 'node:crypto';

function canBind(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => resolve(false));
    s.bind(port, host, () => s.close(() => resolve(true)));
  });
}

/**
 * An even UDP port whose odd neighbour is free too: ffmpeg's RTP input binds both (RTP, RTCP).
 * Chosen from a range of its own so it does not collide with mediasoup's RTC ports.
 */
export async function freeRtpPortPair(
  host = '127.0.0.1',
  range: { min: number; max: number } = { min: 30000, max: 34999 },
): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = randomInt(range.min >> 1, (range.max >> 1) + 1) * 2;
    if ((await canBind(port, host)) && (await canBind(port + 1, host))) return port;
  }
  throw new Error('no free UDP port pair for a recorder');
}

/** Whether some process listens on this UDP port (read from /proc, so ffmpeg's bind is seen). */
export async function udpPortBound(port: number, read: (p: string) => Promise<string>) {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const table = await read('/proc/net/udp').catch(() => '');
  return table.split('\n').some((line) => line.trim().split(/\s+/)[1]?.endsWith(`:${hex}`));
}
