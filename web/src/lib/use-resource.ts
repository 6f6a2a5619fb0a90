import { useCallback, useEffect, useState } from 'react';

export interface Resource<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload(): void;
  /** Replaces the data after a mutation whose response already carries the new value. */
  setData(update: (current: T | undefined) => T | undefined): void;
}

/** Loads `load()` when `key` changes; stale answers (after a key change) are dropped. */
export function useResource<T>(key: string, load: () => Promise<T>): Resource<T> {
  const [state, setState] = useState<{ key: string; data?: T; error?: unknown; loading: boolean }>({
    key,
    loading: true,
  });
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let current = true;
    setState((s) => ({ key, data: s.key === key ? s.data : undefined, loading: true }));
    load().then(
      (data) => current && setState({ key, data, loading: false }),
      (error: unknown) => current && setState({ key, error, loading: false }),
    );
    return () => {
      current = false;
    };
    // `load` is a new closure each render on purpose: `key` and `tick` say when to load again.
  }, [key, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  const setData = useCallback(
    (update: (current: T | undefined) => T | undefined) =>
      setState((s) => ({ ...s, data: update(s.data) })),
    [],
  );
  return { data: state.data, error: state.error, loading: state.loading, reload, setData };
}
