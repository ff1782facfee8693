// The preload, bundled to dist/preload/index.cjs (scripts/start.ts): sandboxed preloads load one
// CommonJS file and may require only 'electron'. Exposes window.lab and nothing else.
import { contextBridge, ipcRenderer } from 'electron';
import { createLabBridge } from './bridge.ts';

contextBridge.exposeInMainWorld('lab', createLabBridge(ipcRenderer));
