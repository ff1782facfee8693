// A recorded episode in the 3D view with a timeline: play, pause, scrub, speed, and the primitive
// calls marked on the timeline so a step in the trace can be found in the motion.
import { useEffect, useMemo, useRef, useState } from 'react';
import { SceneView } from './SceneView.tsx';
import type { PrimitiveResult } from '../../api/types.ts';
import type { SceneGeometry } from '../../api/types.ts';
import type { Recording } from '../../api/types.ts';

interface Props {
  geometry: SceneGeometry;
  recording: Recording;
  trace?: PrimitiveResult[];
  /** Jump here (a frame index) when it changes, e.g. when a trace step is clicked. */
  seekTo?: { frame: number };
}

/** When each primitive call started, as a frame index (calls run back to back from the first frame). */
export function stepFrames(trace: PrimitiveResult[], hz: number): number[] {
  const starts: number[] = [];
  let t = 0;
  for (const step of trace) {
    starts.push(Math.round(t * hz));
    t += step.duration;
  }
  return starts;
}

export function ReplayPlayer({ geometry, recording, trace, seekTo }: Props) {
  const frames = recording.frames;
  const last = Math.max(frames.length - 1, 0);
  const [frame, setFrame] = useState(0);
  const [playing, setPlaying] = useState(true);
  const [speed, setSpeed] = useState(1);
  const clock = useRef({ start: 0, from: 0 });
  // Read by the animation loop: a pause or a seek must win over a tick already scheduled.
  const live = useRef(false);
  const pauseAt = (target: number): void => {
    live.current = false;
    setPlaying(false);
    setFrame(Math.min(Math.max(target, 0), last));
  };

  useEffect(() => {
    setFrame(0);
    setPlaying(true);
  }, [recording]);

  useEffect(() => {
    if (seekTo) pauseAt(seekTo.frame);
  }, [seekTo, last]);

  useEffect(() => {
    if (!playing) return;
    clock.current = { start: performance.now(), from: frame >= last ? 0 : frame };
    live.current = true;
    let handle = 0;
    const tick = (now: number): void => {
      if (!live.current) return;
      const next =
        clock.current.from + Math.floor(((now - clock.current.start) / 1000) * recording.hz * speed);
      if (next >= last) {
        setFrame(last);
        setPlaying(false);
        return;
      }
      setFrame(next);
      handle = requestAnimationFrame(tick);
    };
    handle = requestAnimationFrame(tick);
    return () => {
      live.current = false;
      cancelAnimationFrame(handle);
    };
    // Restart the clock only when play state or speed change, not on every frame.
  }, [playing, speed, recording]);

  const poses = frames[frame]?.poses;
  const marks = useMemo(() => (trace ? stepFrames(trace, recording.hz) : []), [trace, recording.hz]);
  const seconds = (frames[frame]?.t ?? 0) - (frames[0]?.t ?? 0);
  const total = (frames[last]?.t ?? 0) - (frames[0]?.t ?? 0);

  return (
    <div className="replay">
      <SceneView geometry={geometry} poses={poses} />
      <div className="timeline" data-testid="timeline">
        <button
          type="button"
          onClick={() => (playing ? pauseAt(frame) : setPlaying(true))}
          aria-label={playing ? 'pause' : 'play'}
          data-testid="play-toggle"
        >
          {playing ? '❚❚' : '▶'}
        </button>
        <div className="timeline-track">
          <input
            type="range"
            min={0}
            max={last}
            value={frame}
            aria-label="replay position"
            data-testid="scrubber"
            onChange={(e) => pauseAt(Number(e.target.value))}
          />
          <div className="timeline-marks" aria-hidden>
            {marks.map((m, i) => (
              <span key={i} style={{ left: `${(100 * m) / Math.max(last, 1)}%` }} />
            ))}
          </div>
        </div>
        <span className="timeline-time" data-testid="replay-time">
          {seconds.toFixed(2)} / {total.toFixed(2)} s
        </span>
        <select value={speed} onChange={(e) => setSpeed(Number(e.target.value))} aria-label="replay speed">
          {[0.25, 0.5, 1, 2, 4].map((s) => (
            <option key={s} value={s}>
              {s}×
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}
