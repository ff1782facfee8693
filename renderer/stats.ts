// Counters the browser tests and the bench read through window.labStats (frames the 3D view drew),
// so frame rates are measured rather than guessed.
export const renderStats = { framesDrawn: 0 };

declare global {
  interface Window {
    labStats?: typeof renderStats;
  }
}

window.labStats = renderStats;
