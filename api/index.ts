// Every api call by name, and one dispatch that the Electron and WebSocket shells share: look the
// call up, validate its input against its schema, run it.
import { ApiError, invoke, type ApiCall, type CallContext } from './contract.ts';
import { appInfo } from './app.ts';
import { simInfo, simState } from './sim.ts';
import { episodeRun, tasksList } from './tasks.ts';
import { datasetList, datasetShow, datasetStats, datasetModelStats } from './dataset.ts';
import { generateRun } from './generate.ts';
import { attemptView, datasetReplay, episodeView, sceneView } from './view.ts';
import {
  modelsAdd,
  modelsAddEndpoint,
  modelsAddTiny,
  modelsList,
  modelsRemove,
  modelsTest,
} from './models.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each call keeps its own types
const CALLS: ApiCall<any, unknown>[] = [
  appInfo,
  simInfo,
  simState,
  tasksList,
  episodeRun,
  sceneView,
  episodeView,
  attemptView,
  datasetStats,
  datasetModelStats,
  datasetList,
  datasetShow,
  datasetReplay,
  generateRun,
  modelsList,
  modelsAdd,
  modelsAddEndpoint,
  modelsRemove,
  modelsAddTiny,
  modelsTest,
];

export const API_CALLS: ReadonlyMap<string, (typeof CALLS)[number]> = new Map(CALLS.map((c) => [c.name, c]));

export function dispatch(name: unknown, input: unknown, context?: CallContext): Promise<unknown> {
  const call = typeof name === 'string' ? API_CALLS.get(name) : undefined;
  if (!call) return Promise.reject(new ApiError('unknown-call', `unknown api call '${String(name)}'`));
  return invoke(call, input ?? {}, context);
}
