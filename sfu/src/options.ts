import { availableParallelism } from 'node:os';
import { isIP } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { types } from 'mediasoup';
import { SfuError } from './errors.js';

export interface SfuOptions {
  logger: Logger;
  /** Metrics named `educloud_sfu_*` are registered here and removed again on close(). */
  registry: Registry;
  /** Number of mediasoup workers (one process, one core each). Default: available cores. */
  numWorkers?: number;
  /** IP the WebRtcServers listen on. Default '0.0.0.0' (then `announcedAddress` is required). */
  listenIp?: string;
  /** Public (or LAN) IP or hostname put into ICE candidates. */
  announcedAddress?: string;
  /**
   * First WebRtcServer port: worker i listens on UDP and TCP port `rtcPort + i`. 0 lets each
   * worker pick a free port inside [rtcMinPort, rtcMaxPort] (tests). Default 44444.
   */
  rtcPort?: number;
  /** Port range of plain transports (and of WebRtcServers when rtcPort is 0). */
  rtcMinPort?: number;
  rtcMaxPort?: number;
  /** IP plain transports listen on; the RTMP bridge runs on the same host. Default 127.0.0.1. */
  plainListenIp?: string;
  /** Offer ICE candidates over TCP too (school firewalls). Default true. */
  enableTcp?: boolean;
  /** Default 'warn'. */
  workerLogLevel?: types.WorkerLogLevel;
  workerLogTags?: types.WorkerLogTag[];
  /** Bits per second a new WebRTC transport starts sending at. Default 1 Mbit/s. */
  initialAvailableOutgoingBitrate?: number;
  /** Cap on what one client may send to us, bits per second; 0 = none. Default 5 Mbit/s. */
  maxIncomingBitrate?: number;
  /** How often the active speaker is re-evaluated, ms. Default 300. */
  activeSpeakerIntervalMs?: number;
  /**
   * Last-N: besides the teachers and the tiles on a viewer's screen, each viewer receives the
   * camera of this many most recent speakers (default 9, as Jitsi's); 'off' receives every
   * camera.
   */
  lastN?: number | 'off';
  /**
   * Tell publishers which simulcast layers anyone watches (and pause unwatched cameras). On by
   * default; pipes to breakouts and other nodes and the class recorder count as watchers.
   */
  dynacast?: boolean;
  /**
   * Dynacast keeps the lowest simulcast layer of this many recent speakers' cameras flowing
   * beyond the last-N ones, though nobody watches them: a speaker switch to one of them then
   * needs no round trip to its page (which may be starved) and decodes at the next key frame.
   * 0 pauses every unwatched camera at its source. Default 2.
   */
  standbyCameras?: number;
  /**
   * Participants one router of a room takes before the room opens a router on another worker
   * (the least loaded) for the next ones, piping media between its routers. 0: a room stays on
   * one router. Default 100, so a usual class stays on one router and one worker.
   */
  maxPeersPerRouter?: number;
}

export type ResolvedSfuOptions = Required<Omit<SfuOptions, 'announcedAddress' | 'workerLogTags'>> &
  Pick<SfuOptions, 'announcedAddress' | 'workerLogTags'>;

const logLevels: readonly types.WorkerLogLevel[] = ['debug', 'warn', 'error', 'none'];

function isPort(value: number, allowZero: boolean): boolean {
  return Number.isInteger(value) && value <= 65535 && (allowZero ? value >= 0 : value >= 1);
}

function isUnspecified(ip: string): boolean {
  return ip === '0.0.0.0' || ip === '::';
}

/** Applies defaults and reports every problem at once. */
export function resolveOptions(options: SfuOptions): ResolvedSfuOptions {
  const resolved: ResolvedSfuOptions = {
    logger: options.logger,
    registry: options.registry,
    numWorkers: options.numWorkers ?? availableParallelism(),
    listenIp: options.listenIp ?? '0.0.0.0',
    announcedAddress: options.announcedAddress,
    rtcPort: options.rtcPort ?? 44444,
    rtcMinPort: options.rtcMinPort ?? 45000,
    rtcMaxPort: options.rtcMaxPort ?? 49999,
    plainListenIp: options.plainListenIp ?? '127.0.0.1',
    enableTcp: options.enableTcp ?? true,
    workerLogLevel: options.workerLogLevel ?? 'warn',
    workerLogTags: options.workerLogTags,
    initialAvailableOutgoingBitrate: options.initialAvailableOutgoingBitrate ?? 1_000_000,
    maxIncomingBitrate: options.maxIncomingBitrate ?? 5_000_000,
    activeSpeakerIntervalMs: options.activeSpeakerIntervalMs ?? 300,
    lastN: options.lastN ?? 9,
    dynacast: options.dynacast ?? true,
    standbyCameras: options.standbyCameras ?? 2,
    maxPeersPerRouter: options.maxPeersPerRouter ?? 100,
  };

  const problems: string[] = [];
  if (typeof resolved.logger?.child !== 'function') problems.push('logger must be a pino Logger');
  if (typeof resolved.registry?.registerMetric !== 'function') {
    problems.push('registry must be a prom-client Registry');
  }
  if (!Number.isInteger(resolved.numWorkers) || resolved.numWorkers < 1) {
    problems.push('numWorkers must be an integer >= 1');
  }
  if (isIP(resolved.listenIp) === 0) problems.push('listenIp must be an IPv4 or IPv6 address');
  if (isIP(resolved.plainListenIp) === 0) {
    problems.push('plainListenIp must be an IPv4 or IPv6 address');
  }
  if (resolved.announcedAddress !== undefined && resolved.announcedAddress.trim() === '') {
    problems.push('announcedAddress must not be empty');
  }
  if (isUnspecified(resolved.listenIp) && resolved.announcedAddress === undefined) {
    // Clients cannot connect to 0.0.0.0: the candidates would be useless.
    problems.push(`announcedAddress is required when listenIp is ${resolved.listenIp}`);
  }
  if (!isPort(resolved.rtcMinPort, false) || !isPort(resolved.rtcMaxPort, false)) {
    problems.push('rtcMinPort and rtcMaxPort must be ports (1-65535)');
  } else if (resolved.rtcMinPort > resolved.rtcMaxPort) {
    problems.push('rtcMinPort must not be greater than rtcMaxPort');
  }
  if (!isPort(resolved.rtcPort, true)) {
    problems.push('rtcPort must be 0 or a port (1-65535)');
  } else if (resolved.rtcPort !== 0 && Number.isInteger(resolved.numWorkers)) {
    const last = resolved.rtcPort + resolved.numWorkers - 1;
    if (last > 65535) problems.push(`rtcPort + numWorkers - 1 (${last}) exceeds 65535`);
    if (resolved.rtcPort <= resolved.rtcMaxPort && last >= resolved.rtcMinPort) {
      problems.push(
        `WebRtcServer ports ${resolved.rtcPort}-${last} overlap rtcMinPort-rtcMaxPort ` +
          `(${resolved.rtcMinPort}-${resolved.rtcMaxPort})`,
      );
    }
  }
  if (!logLevels.includes(resolved.workerLogLevel)) {
    problems.push(`workerLogLevel must be one of ${logLevels.join(', ')}`);
  }
  for (const key of [
    'initialAvailableOutgoingBitrate',
    'maxIncomingBitrate',
    'activeSpeakerIntervalMs',
  ] as const) {
    const value = resolved[key];
    if (!Number.isFinite(value) || value < 0) problems.push(`${key} must be a number >= 0`);
  }
  if (resolved.initialAvailableOutgoingBitrate === 0) {
    problems.push('initialAvailableOutgoingBitrate must be > 0');
  }
  if (resolved.lastN !== 'off' && (!Number.isInteger(resolved.lastN) || resolved.lastN < 0)) {
    problems.push("lastN must be an integer >= 0 or 'off'");
  }
  if (typeof resolved.dynacast !== 'boolean') problems.push('dynacast must be a boolean');
  if (!Number.isInteger(resolved.standbyCameras) || resolved.standbyCameras < 0) {
    problems.push('standbyCameras must be an integer >= 0');
  }
  if (!Number.isInteger(resolved.maxPeersPerRouter) || resolved.maxPeersPerRouter < 0) {
    problems.push('maxPeersPerRouter must be an integer >= 0');
  }
  if (resolved.activeSpeakerIntervalMs < 100)
    problems.push('activeSpeakerIntervalMs must be >= 100');

  if (problems.length > 0) {
    throw new SfuError('validation_failed', `invalid sfu options: ${problems.join('; ')}`);
  }
  return resolved;
}
