// What every screen shares: the transport to the lab, the app's info, and the dataset file the
// Generate and Dataset screens work on.
import { createContext, useContext } from 'react';
import type { Transport } from './transport.ts';
import type { AppInfo } from '../api/app.ts';

export interface Lab {
  transport: Transport;
  info: AppInfo;
  db: string;
  setDb: (path: string) => void;
}

export const LabContext = createContext<Lab | undefined>(undefined);

export function useLab(): Lab {
  const lab = useContext(LabContext);
  if (!lab) throw new Error('useLab outside the lab provider');
  return lab;
}
