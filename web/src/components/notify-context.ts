import { createContext, useContext } from 'react';
import type { AlertColor } from '@mui/material/Alert';

export interface Notifier {
  notify(message: string, severity?: AlertColor): void;
}

export const NotifyContext = createContext<Notifier | null>(null);

export function useNotify(): Notifier['notify'] {
  const ctx = useContext(NotifyContext);
  if (!ctx) throw new Error('useNotify must be used inside <NotifierProvider>');
  return ctx.notify;
}
