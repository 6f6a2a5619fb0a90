import { networkInterfaces } from 'node:os';

/**
 * The address browsers on the local network reach this machine at, announced in ICE
 * candidates when RTC_ANNOUNCED_ADDRESS is not set: the first non-internal IPv4 address.
 */
export function lanAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family === 'IPv4' && !a.internal) return a.address;
    }
  }
  return '127.0.0.1';
}
