import { useSyncExternalStore } from 'react';
import type { ClassroomSnapshot, ClassroomStore } from './classroom-store.js';

/** Renders the classroom store's snapshots (chat, polls, settings, waiting list, notices). */
export function useClassroom(store: ClassroomStore): ClassroomSnapshot {
  return useSyncExternalStore(store.subscribe, store.snapshot);
}
