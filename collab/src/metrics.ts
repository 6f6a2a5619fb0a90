import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface CollabMetrics {
  openDocuments: Gauge;
  connections: Gauge;
  updates: Counter<'origin'>;
  persistedBytes: Counter;
  rejected: Counter<'reason'>;
  writtenBytes: Counter;
  resets: Counter<'action'>;
  loadSeconds: Histogram;
  fullStates: Counter<'result'>;
  remove(): void;
}

export function createMetrics(registry: Registry): CollabMetrics {
  const registers = [registry];
  const openDocuments = new Gauge({
    name: 'educloud_collab_open_documents',
    help: 'Collaborative documents loaded in memory',
    registers,
  });
  const connections = new Gauge({
    name: 'educloud_collab_connections',
    help: 'Open collaboration WebSocket connections',
    registers,
  });
  const updates = new Counter({
    name: 'educloud_collab_updates_total',
    help: 'Document updates applied, by origin (client of this node, or another node via Redis)',
    labelNames: ['origin'] as const,
    registers,
  });
  const persistedBytes = new Counter({
    name: 'educloud_collab_persisted_bytes_total',
    help: 'Bytes of document updates written to the database',
    registers,
  });
  const rejected = new Counter({
    name: 'educloud_collab_rejected_total',
    help: 'Client messages refused, by reason',
    labelNames: ['reason'] as const,
    registers,
  });
  const writtenBytes = new Counter({
    name: 'educloud_collab_budgeted_bytes_total',
    help: 'Bytes of client updates taken from write budgets',
    registers,
  });
  const resets = new Counter({
    name: 'educloud_collab_resets_total',
    help: 'Documents reset or restored by a teacher, by action',
    labelNames: ['action'] as const,
    registers,
  });
  const loadSeconds = new Histogram({
    name: 'educloud_collab_document_load_seconds',
    help: 'Time to load a document into memory from the database (read and apply)',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const fullStates = new Counter({
    name: 'educloud_collab_full_state_total',
    help: 'Whole-document syncs for clients that had nothing: served encoded (hit) or encoded now (miss)',
    labelNames: ['result'] as const,
    registers,
  });
  return {
    openDocuments,
    connections,
    updates,
    persistedBytes,
    rejected,
    writtenBytes,
    resets,
    loadSeconds,
    fullStates,
    remove() {
      // The registry outlives us (tests and restarts start again on the same one).
      for (const name of [
        'educloud_collab_open_documents',
        'educloud_collab_connections',
        'educloud_collab_updates_total',
        'educloud_collab_persisted_bytes_total',
        'educloud_collab_rejected_total',
        'educloud_collab_budgeted_bytes_total',
        'educloud_collab_resets_total',
        'educloud_collab_document_load_seconds',
        'educloud_collab_full_state_total',
      ]) {
        registry.removeSingleMetric(name);
      }
    },
  };
}
