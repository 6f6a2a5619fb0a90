import { Counter, Gauge, type Registry } from 'prom-client';

const METRIC_NAMES = [
  'educloud_ingest_active_broadcasts',
  'educloud_ingest_bitrate_bits',
  'educloud_ingest_packager_restarts_total',
] as const;

export interface IngestMetrics {
  activeBroadcasts: Gauge;
  bitrate: Gauge;
  packagerRestarts: Counter;
  /** Unregisters everything, so a registry can host a later start(). */
  remove(): void;
}

export function createIngestMetrics(registry: Registry): IngestMetrics {
  const registers = [registry];
  const activeBroadcasts = new Gauge({
    name: 'educloud_ingest_active_broadcasts',
    help: 'RTMP broadcasts being ingested (including publishers inside the reconnect grace)',
    registers,
  });
  const bitrate = new Gauge({
    name: 'educloud_ingest_bitrate_bits',
    help: 'Incoming RTMP bitrate of all broadcasts together, bits per second',
    registers,
  });
  const packagerRestarts = new Counter({
    name: 'educloud_ingest_packager_restarts_total',
    help: 'ffmpeg packagers restarted after dying while their publisher was live',
    registers,
  });
  return {
    activeBroadcasts,
    bitrate,
    packagerRestarts,
    remove() {
      for (const name of METRIC_NAMES) registry.removeSingleMetric(name);
    },
  };
}
