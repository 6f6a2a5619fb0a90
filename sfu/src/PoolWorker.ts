import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import type { ResolvedSfuOptions } from './options.js';
import { forwardWorkerLogs } from './workerLogForwarder.js';

/** Counts kept per worker: they choose the least loaded worker and feed the metrics. */
export interface WorkerCounts {
  routers: number;
  transports: number;
  producers: number;
  consumers: number;
}

export interface WorkerAddress {
  ip: string;
  udpPort: number;
  tcpPort: number | undefined;
}

const subprocessCloseTimeoutMs = 3000;

/** One mediasoup worker process with its WebRtcServer (one UDP and one TCP port). */
export class PoolWorker {
  readonly counts: WorkerCounts = { routers: 0, transports: 0, producers: 0, consumers: 0 };
  /** Ids of the rooms whose router lives here; kept after a crash to report them. */
  readonly roomIds = new Set<string>();
  /**
   * Ids of the rooms spread onto this worker from another one (a router holding only some of
   * their peers): its death costs them those peers, not the room. Kept after a crash too.
   */
  readonly spreadRoomIds = new Set<string>();
  /** Open transports, for the bitrate metric. */
  readonly transports = new Set<types.Transport>();

  private constructor(
    readonly index: number,
    readonly worker: types.Worker,
    readonly webRtcServer: types.WebRtcServer,
    readonly address: WorkerAddress,
    readonly logger: Logger,
    private readonly stopLogForwarding: () => void,
  ) {}

  static async create(
    index: number,
    options: ResolvedSfuOptions,
    poolLogger: Logger,
  ): Promise<PoolWorker> {
    const worker = await mediasoup.createWorker({
      logLevel: options.workerLogLevel,
      logTags: options.workerLogTags,
      rtcMinPort: options.rtcMinPort,
      rtcMaxPort: options.rtcMaxPort,
      // Debian's liburing lacks what mediasoup uses, and the worker is built without it.
      disableLiburing: true,
      appData: { index },
    });
    const logger = poolLogger.child({ worker: index, workerPid: worker.pid });
    const stopLogForwarding = forwardWorkerLogs(worker.pid, logger);
    try {
      // Port 0 is not a port for mediasoup: omitting it makes the worker pick a free one from its
      // rtcMinPort-rtcMaxPort range.
      const port = options.rtcPort === 0 ? undefined : options.rtcPort + index;
      const listen = { ip: options.listenIp, announcedAddress: options.announcedAddress, port };
      const listenInfos: types.TransportListenInfo[] = [{ protocol: 'udp', ...listen }];
      if (options.enableTcp) listenInfos.push({ protocol: 'tcp', ...listen });
      const webRtcServer = await worker.createWebRtcServer({ listenInfos });
      const dump = await webRtcServer.dump();
      const udp = dump.udpSockets[0];
      if (!udp) throw new Error('WebRtcServer has no UDP socket');
      const address = { ip: udp.ip, udpPort: udp.port, tcpPort: dump.tcpServers[0]?.port };
      logger.info({ ...address, version: mediasoup.version }, 'mediasoup worker started');
      return new PoolWorker(index, worker, webRtcServer, address, logger, stopLogForwarding);
    } catch (error) {
      worker.close();
      stopLogForwarding();
      throw error;
    }
  }

  get pid(): number {
    return this.worker.pid;
  }

  get alive(): boolean {
    return !this.worker.closed;
  }

  /** Consumers dominate a worker's CPU (cost is per forwarded packet); rooms break ties. */
  get load(): number {
    return this.counts.consumers + this.counts.producers + this.counts.routers;
  }

  /** Closes the worker and waits until its process has exited (killing it if it hangs). */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker.subprocessClosed) {
      const exited = new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.logger.warn('worker did not exit after close, killing it');
          try {
            process.kill(worker.pid, 'SIGKILL');
          } catch {
            // Already gone.
          }
          resolve();
        }, subprocessCloseTimeoutMs);
        worker.once('subprocessclose', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      worker.close();
      await exited;
    }
    this.stopLogForwarding();
  }

  /** For a worker that died: its process is gone, only the log routing remains. */
  release(): void {
    this.stopLogForwarding();
  }
}
