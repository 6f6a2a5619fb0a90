import { SfuError } from '../errors.js';
import { mediaSources, type MediaKind, type MediaSource } from '../types.js';

/** Which kind each source may carry. */
const sourceKinds: Record<MediaSource, readonly MediaKind[]> = {
  camera: ['video'],
  screen: ['video'],
  mic: ['audio'],
  screenAudio: ['audio'],
  ingest: ['audio', 'video'],
};

export function checkSourceKind(source: MediaSource, kind: MediaKind): void {
  if (!mediaSources.includes(source)) {
    throw new SfuError('validation_failed', `unknown source ${String(source)}`);
  }
  if (!sourceKinds[source].includes(kind)) {
    throw new SfuError('validation_failed', `a ${source} producer cannot carry ${kind}`);
  }
}
