// What every screen shares: the typed client of the lab, the app's info, and the dataset file the
// Generate and Dataset screens work on.
import { createContext, useContext } from 'react';
import type { LabClient } from '../api/framing.ts';
import type { AppInfo } from '../api/types.ts';

export interface Lab {
  lab: LabClient;
  info: AppInfo;
  db: string;
  setDb: (path: string) => void;
  /** A class link's student: forget the name and ask it again ("not you?"). */
  changeStudent?: () => void;
}

export const LabContext = createContext<Lab | undefined>(undefined);

export function useLab(): Lab {
  const lab = useContext(LabContext);
  if (!lab) throw new Error('useLab outside the lab provider');
  return lab;
}
