// `lab run --record F`: an episode's recording with the scene it ran in, as one JSON file that a
// replay can rebuild the episode from.
import { writeFileAtomicallySync } from '../files/atomic-write.ts';
import type { EpisodeSetup } from './setup.ts';
import type { EpisodeResult } from '../../api/types.ts';

export const RECORDING_FILE_VERSION = 2;

export function saveRecording(
  path: string,
  setup: EpisodeSetup,
  result: EpisodeResult,
): { frames: number; hz: number } {
  const { recording, ...summary } = result;
  if (!recording) throw new Error('the episode was not recorded');
  writeFileAtomicallySync(
    path,
    JSON.stringify({
      version: RECORDING_FILE_VERSION,
      kind: 'blazer-lab episode recording',
      scene: setup.scene,
      joints: setup.joints,
      result: summary,
      recording,
    }),
  );
  return { frames: recording.frames.length, hz: recording.hz };
}
