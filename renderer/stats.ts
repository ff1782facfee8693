// Counters the browser tests and the bench read through window.labStats (frames drawn by the 3D
// view, replay frames shown), so frame rates are measured rather than guessed.
export const renderStats = { framesDrawn: 0, replayFramesShown: 0 };

declare global {
  interface Window {
    labStats?: typeof renderStats;
  }
}

window.labStats = renderStats;
