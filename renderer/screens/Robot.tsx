// Robot: the real SO-100 for the operator running real-robot trials. Find the port, scan the bus,
// pick (or import, or record) a calibration and connect; the E-STOP stays in sight (Escape, or Space
// when no text field has the keyboard); live telemetry per servo with rolling plots; the simulated
// arm in 3D mirrors the real one; jog a joint at a time or the gripper in space; run a program
// (dry run, confirm, execute, verdict); teach and replay. Only the lab machine drives the arm: a
// classroom client (or `lab serve` without --robot) sees why instead of the controls.
import { useEffect, useRef, useState } from 'react';
import type { BusScan, EpisodeView, RobotTelemetry } from '../../api/types.ts';
import { LabCallError } from '../../api/framing.ts';
import { useLab } from '../lab-context.tsx';
import { useCall } from '../use-call.ts';
import { useNavigation, useWhenShown } from '../navigation.tsx';
import { EmptyState, ErrorBox } from '../components/common.tsx';
import { failureText, toRadians } from '../components/RobotCommon.tsx';
import {
  RobotCalibrationPicker,
  RobotPortPicker,
  RobotScanResult,
  type PortChoice,
} from '../components/RobotConnect.tsx';
import { RobotEstopBar } from '../components/RobotEstopBar.tsx';
import { RobotArmView } from '../components/RobotArmView.tsx';
import { RobotJointPlots, type JointSample } from '../components/RobotJointPlots.tsx';
import { RobotTelemetryTable } from '../components/RobotTelemetryTable.tsx';
import { RobotJog } from '../components/RobotJog.tsx';
import { RobotCalibrate } from '../components/RobotCalibrate.tsx';
import { RobotProgramPanel, type PlacedObject } from '../components/RobotProgramPanel.tsx';
import { RobotTeach } from '../components/RobotTeach.tsx';

/** Seconds of joint history the plots show (a little more is kept, so the left edge stays drawn). */
const PLOT_SECONDS = 10;
/** The least time between two redraws from telemetry. */
const REDRAW_MS = 66;
/** While connected, how often the screen asks whether the arm still is (a bridge that died says why). */
const STATUS_EVERY_MS = 2000;

type Access = { kind: 'checking' } | { kind: 'allowed' } | { kind: 'forbidden'; message: string };

/** Inputs where Space types a space: there it is not the e-stop. */
function typesText(element: Element | null): boolean {
  if (!element) return false;
  if (element instanceof HTMLTextAreaElement || element instanceof HTMLSelectElement) return true;
  if (element instanceof HTMLInputElement)
    return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'file', 'color'].includes(
      element.type,
    );
  return element instanceof HTMLElement && element.isContentEditable;
}

export function Robot() {
  const { lab, db } = useLab();
  const shown = useNavigation().current === 'robot';
  const tasks = useCall('tasks.list');
  /** The program panel's task scene and its objects where the operator placed them: the 3D view shows both. */
  const [scene, setScene] = useState<{ view: EpisodeView; objects: PlacedObject[] }>();
  const scanCall = useCall('robot.scan');
  const connectCall = useCall('robot.connect');

  const [access, setAccess] = useState<Access>({ kind: 'checking' });
  const [session, setSession] = useState<{ port: string; calibration: string }>();
  const [lastMessage, setLastMessage] = useState<string>();
  const [telemetry, setTelemetry] = useState<RobotTelemetry>();
  const [samples, setSamples] = useState<JointSample[]>([]);
  const [choice, setChoice] = useState<PortChoice>({ port: '' });
  const [calibration, setCalibration] = useState('');
  const [calibrationsChanged, setCalibrationsChanged] = useState(0);
  const [scan, setScan] = useState<BusScan>();
  const [step, setStep] = useState(10);
  const [gripperStep, setGripperStep] = useState(2);
  const [jogFailure, setJogFailure] = useState<string>();
  const [problem, setProblem] = useState<string>();
  const [controlBusy, setControlBusy] = useState(false);
  const [watchRound, setWatchRound] = useState(0);

  /** Telemetry waiting for the next frame: events come up to 30 times a second. */
  const buffer = useRef<JointSample[]>([]);
  const latest = useRef<RobotTelemetry | undefined>(undefined);
  const flushing = useRef(0);
  const lastFlush = useRef(0);
  /** The move on its way: a press while it runs starts from its target. */
  const pending = useRef<{ id: number; joints: number[] } | undefined>(undefined);
  const moves = useRef(0);
  const shownRef = useRef(shown);
  shownRef.current = shown;
  const sessionNow = useRef(session);
  sessionNow.current = session;

  const resetTelemetry = (): void => {
    buffer.current = [];
    latest.current = undefined;
    pending.current = undefined;
    setSamples([]);
    setTelemetry(undefined);
  };

  /** A call's telemetry, unless the stream has already shown a newer cycle. */
  const adopt = (t: RobotTelemetry): void => {
    setTelemetry((now) => (!now || t.t >= now.t ? t : now));
  };

  const receive = (t: RobotTelemetry): void => {
    const kept = buffer.current;
    if (kept.length && t.t < kept[kept.length - 1].t) kept.length = 0; // a new bridge: its clock restarts
    kept.push({ t: t.t, joints: t.joints, ...(t.goal ? { goal: t.goal } : {}) });
    const from = kept.findIndex((s) => s.t >= t.t - (PLOT_SECONDS + 1) * 1000);
    if (from > 0) kept.splice(0, from);
    latest.current = t;
    if (flushing.current) return;
    // Readouts, plots and the 3D arm redraw about 15 times a second: enough to follow the arm, and a
    // lab machine drawing 3D without a GPU keeps CPU time for the bridge process.
    flushing.current = window.setTimeout(
      () => {
        flushing.current = 0;
        lastFlush.current = performance.now();
        setSamples([...buffer.current]);
        if (latest.current) adopt(latest.current);
      },
      Math.max(0, lastFlush.current + REDRAW_MS - performance.now()),
    );
  };

  const refreshStatus = async (): Promise<void> => {
    try {
      const status = await lab.call('robot.status', {});
      setAccess({ kind: 'allowed' });
      if (status.connected) {
        setSession((s) =>
          s?.port === status.port && s.calibration === status.calibration
            ? s
            : { port: status.port, calibration: status.calibration },
        );
        if (status.telemetry) adopt(status.telemetry);
      } else {
        if (sessionNow.current) resetTelemetry();
        setSession(undefined);
        setLastMessage(status.lastMessage);
      }
    } catch (error) {
      if (error instanceof LabCallError && error.kind === 'forbidden')
        setAccess({ kind: 'forbidden', message: error.message });
      else setProblem(failureText(error));
    }
  };

  useWhenShown('robot', () => void refreshStatus());
  useEffect(() => {
    if (access.kind === 'allowed' && !tasks.result) void tasks.run({});
  }, [access.kind]);

  // Is the arm still there? A bridge process that died (its supervisor turned torque off) says why.
  useEffect(() => {
    if (!shown || !session) return;
    const timer = setInterval(() => void refreshStatus(), STATUS_EVERY_MS);
    return () => clearInterval(timer);
  }, [shown, session]);

  // Live telemetry while the screen is on show and an arm is connected.
  useEffect(() => {
    if (!shown || !session) return;
    const stop = new AbortController();
    void lab
      .call(
        'robot.watch',
        {},
        {
          signal: stop.signal,
          onEvent: (event) => {
            if (event.type === 'robot.telemetry') receive(event.telemetry);
          },
        },
      )
      .catch(() => undefined)
      .finally(() => {
        if (stop.signal.aborted) return;
        // The stream ended on its own (the connection dropped): look again in a moment.
        setTimeout(() => {
          if (stop.signal.aborted) return;
          void refreshStatus();
          setWatchRound((n) => n + 1);
        }, 1000);
      });
    return () => stop.abort();
  }, [shown, session, watchRound]);

  const estop = async (): Promise<void> => {
    setProblem(undefined);
    try {
      const result = await lab.call('robot.estop', {});
      if ('state' in result) adopt(result);
      else setProblem('No arm is connected: there is nothing to stop.');
    } catch (error) {
      setProblem(
        `The e-stop call failed: ${failureText(error) ?? 'no answer'}. Switch the arm's power off, or run lab robot estop.`,
      );
    }
  };
  const estopNow = useRef(estop);
  estopNow.current = estop;

  // Escape stops the arm from any screen while one is connected; Space too on this screen, unless a
  // text field has the keyboard (there it types a space).
  useEffect(() => {
    if (access.kind !== 'allowed') return;
    const isEstopKey = (event: KeyboardEvent): boolean => {
      if (event.key === 'Escape') return shownRef.current || session !== undefined;
      const space = event.code === 'Space' || event.key === ' ';
      return space && shownRef.current && !typesText(document.activeElement);
    };
    const down = (event: KeyboardEvent): void => {
      if (!isEstopKey(event)) return;
      event.preventDefault(); // Space must not also press the focused button
      event.stopPropagation();
      if (!event.repeat) void estopNow.current();
    };
    const up = (event: KeyboardEvent): void => {
      if (isEstopKey(event)) event.preventDefault();
    };
    window.addEventListener('keydown', down, true);
    window.addEventListener('keyup', up, true);
    return () => {
      window.removeEventListener('keydown', down, true);
      window.removeEventListener('keyup', up, true);
    };
  }, [access.kind, session]);

  const control = async (work: () => Promise<RobotTelemetry>): Promise<void> => {
    setProblem(undefined);
    setJogFailure(undefined);
    setControlBusy(true);
    try {
      adopt(await work());
    } catch (error) {
      setProblem(failureText(error));
    } finally {
      setControlBusy(false);
    }
  };

  const move = async (joints: number[]): Promise<void> => {
    const id = ++moves.current;
    pending.current = { id, joints };
    setJogFailure(undefined);
    try {
      // Never stopped from here: stopping a move call e-stops the arm.
      adopt(await lab.call('robot.move', { joints }));
    } catch (error) {
      if (moves.current === id) setJogFailure(failureText(error));
    } finally {
      if (pending.current?.id === id) pending.current = undefined;
    }
  };
  const jogGripper = async (jog: [number, number, number], turn?: number): Promise<void> => {
    const id = ++moves.current;
    pending.current = undefined; // the gripper's target is the bridge's to work out
    setJogFailure(undefined);
    try {
      adopt(await lab.call('robot.jogGripper', { move: jog, ...(turn ? { turn } : {}) }));
    } catch (error) {
      if (moves.current === id) setJogFailure(failureText(error));
    }
  };
  const jog = (joint: number, change: (radians: number) => number): void => {
    const from = pending.current?.joints ?? telemetry?.goal ?? telemetry?.joints;
    if (!from) return;
    void move(from.map((value, i) => (i === joint ? change(value) : value)));
  };

  const scanPort = async (): Promise<void> => {
    setScan(undefined);
    const found = await scanCall.run({
      port: choice.port.trim(),
      ...(choice.baudRate ? { baudRate: choice.baudRate } : {}),
      ...(choice.timeoutMs ? { timeoutMs: choice.timeoutMs } : {}),
    });
    if (found) setScan(found);
  };
  const connect = async (): Promise<void> => {
    setScan(undefined);
    setProblem(undefined);
    setJogFailure(undefined);
    const port = choice.port.trim();
    const found = await connectCall.run({
      port,
      calibration,
      ...(choice.baudRate ? { baudRate: choice.baudRate } : {}),
      ...(choice.timeoutMs ? { timeoutMs: choice.timeoutMs } : {}),
    });
    if (!found) return;
    setScan(found);
    resetTelemetry();
    setLastMessage(undefined);
    setSession({ port, calibration });
  };
  const disconnect = async (): Promise<void> => {
    setProblem(undefined);
    setJogFailure(undefined);
    setControlBusy(true);
    try {
      await lab.call('robot.disconnect', {});
    } catch (error) {
      setProblem(failureText(error));
    } finally {
      setControlBusy(false);
    }
    setSession(undefined);
    resetTelemetry();
    await refreshStatus();
  };

  if (access.kind === 'forbidden')
    return (
      <div className="screen robot-forbidden" data-testid="robot-forbidden">
        <EmptyState title="The real arm is driven from the lab machine only">
          <p>
            This lab was opened from another machine, or its server was started without the arm. To drive the
            arm, use the desktop app, or start <code>lab serve --robot</code> and open the lab in a browser on
            the lab machine itself. A classroom token never moves hardware.
          </p>
          <p className="muted robot-small">{access.message}</p>
        </EmptyState>
      </div>
    );

  const connected = session !== undefined;
  const state = connected ? telemetry?.state : undefined;
  const jogNote = !connected
    ? 'Connect the arm to jog it.'
    : state === 'off'
      ? 'Torque is off: turn it on to jog.'
      : state === 'estopped'
        ? 'E-stopped: press Resume before jogging.'
        : state === 'fault'
          ? 'The arm is in a fault: read why above, then Resume.'
          : undefined;
  const names = telemetry?.servos.map((s) => s.joint);

  return (
    <div className="screen robot-screen" data-testid="robot-screen">
      <aside className="panel controls">
        <h2>Arm</h2>
        <RobotPortPicker choice={choice} onChange={setChoice} disabled={connected} />
        <button
          type="button"
          onClick={() => void scanPort()}
          disabled={connected || scanCall.running || !choice.port.trim()}
          data-testid="robot-scan-button"
        >
          {scanCall.running ? 'Scanning…' : 'Scan for servos'}
        </button>
        <ErrorBox error={scanCall.error} onDismiss={scanCall.clear} />
        <RobotCalibrationPicker
          value={calibration}
          onChange={setCalibration}
          disabled={connected}
          reload={calibrationsChanged}
        />
        {connected ? (
          <>
            <p className="robot-connected" data-testid="robot-connected">
              Connected to <code>{session.port}</code> with calibration <strong>{session.calibration}</strong>
            </p>
            <button
              type="button"
              onClick={() => void disconnect()}
              disabled={controlBusy}
              data-testid="robot-disconnect"
            >
              Disconnect (torque off)
            </button>
          </>
        ) : (
          <>
            <button
              type="button"
              className="primary"
              onClick={() => void connect()}
              disabled={connectCall.running || !choice.port.trim() || !calibration}
              data-testid="robot-connect"
            >
              {connectCall.running ? 'Connecting…' : 'Connect'}
            </button>
            <p className="muted robot-small">
              Connecting checks the servos against the calibration and leaves torque off.
            </p>
            {lastMessage && lastMessage !== 'disconnected' && (
              <p className="robot-refusal" data-testid="robot-last-message">
                Last connection: {lastMessage}
              </p>
            )}
          </>
        )}
        <ErrorBox error={connectCall.error} onDismiss={connectCall.clear} />
        {scan && <RobotScanResult scan={scan} />}

        <h2>Calibrate by hand</h2>
        <RobotCalibrate
          choice={choice}
          blocked={
            session && session.port === choice.port.trim()
              ? 'The arm on this port is connected: disconnect it first.'
              : undefined
          }
          onSaved={(name) => {
            setCalibration(name);
            setCalibrationsChanged((n) => n + 1);
          }}
        />
      </aside>

      <main className="stage robot-stage">
        <RobotEstopBar
          telemetry={telemetry}
          connected={connected}
          onEstop={() => void estop()}
          onResume={() => void control(() => lab.call('robot.resume', {}))}
          onTorque={(on) => void control(() => lab.call('robot.torque', { on }))}
          busy={controlBusy}
          problem={problem}
        />
        <RobotArmView
          geometry={scene?.view.geometry}
          poses={scene?.view.poses}
          joints={connected ? telemetry?.joints : undefined}
          objects={scene?.objects.map((o) => ({ ...o, yaw: toRadians(o.yaw) }))}
        />
        <RobotJointPlots samples={samples} seconds={PLOT_SECONDS} names={names} />
      </main>

      <aside className="panel trace-panel robot-side">
        <h2>Joints</h2>
        <RobotTelemetryTable telemetry={connected ? telemetry : undefined} />
        <h2>Jog</h2>
        <RobotJog
          telemetry={connected ? telemetry : undefined}
          step={step}
          onStep={setStep}
          onJog={jog}
          onJogGripper={(m, turn) => void jogGripper(m, turn)}
          gripperStep={gripperStep}
          onGripperStep={setGripperStep}
          disabled={!connected || !telemetry}
          note={jogNote}
          failure={jogFailure}
        />
        <h2>Run a program on the arm</h2>
        <RobotProgramPanel
          tasks={(tasks.result ?? []).filter((t) => t.arms.includes('so100'))}
          connected={connected}
          state={state}
          db={db}
          onScene={setScene}
        />
        <h2>Teach and replay</h2>
        <RobotTeach connected={connected} ready={connected && (state === 'holding' || state === 'moving')} />
        <ErrorBox error={tasks.error} />
      </aside>
    </div>
  );
}
