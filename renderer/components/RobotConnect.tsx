// Finding and connecting the arm: the USB serial ports (with what each adapter usually is), a port
// path typed by hand (a pty, a port the list misses), the baud rate, a scan of which servos answer
// (and what to check when some do not), the calibration to use (or a LeRobot one to import), and
// Connect / Disconnect.
import { useEffect, useState } from 'react';
import type { BusScan, CalibrationSummary, SerialPortInfo } from '../../api/types.ts';
import { ErrorBox, Field, TextField } from './common.tsx';
import { jointLabel } from './RobotCommon.tsx';
import { useCall } from '../use-call.ts';

/** Rates Feetech and Dynamixel servos ship with; the SO-100's STS3215s use 1 Mbaud. */
const BAUD_RATES = [1_000_000, 500_000, 115_200, 57_600];

export interface PortChoice {
  port: string;
  /** undefined: let the scan detect it. */
  baudRate?: number;
  /** How long the bridge waits for the servos' reply, ms; undefined: the bridge's default (30). */
  timeoutMs?: number;
}

/** A calibration name from a file name: "so101_follower.json" -> "so101_follower". */
function nameFromFile(file: string): string {
  return (
    file
      .replace(/\.json$/i, '')
      .replace(/[^\w.-]+/g, '-')
      .slice(0, 64) || 'imported'
  );
}

export function RobotPortPicker({
  choice,
  onChange,
  disabled,
}: {
  choice: PortChoice;
  onChange: (choice: PortChoice) => void;
  disabled: boolean;
}) {
  const ports = useCall('robot.ports');
  useEffect(() => void ports.run({}), []);
  const listed: SerialPortInfo[] = ports.result ?? [];
  return (
    <>
      <div className="robot-ports" data-testid="robot-ports">
        {listed.length === 0 ? (
          <p className="muted">
            {ports.running
              ? 'Looking for USB serial ports…'
              : 'No USB serial port found: plug in the arm’s adapter, or type a port path below.'}
          </p>
        ) : (
          listed.map((p) => (
            <button
              key={p.path}
              type="button"
              className={`robot-port${choice.port === p.path || choice.port === p.stablePath ? ' on' : ''}`}
              disabled={disabled}
              onClick={() => onChange({ ...choice, port: p.stablePath ?? p.path })}
              data-testid="robot-port-choice"
            >
              <strong>{p.path}</strong>
              {(p.manufacturer || p.product) && (
                <span className="muted">
                  {[p.manufacturer, p.product].filter(Boolean).join(' ')}
                  {p.vendorId && ` (${p.vendorId}:${p.productId ?? '?'})`}
                </span>
              )}
              {p.hint && <span className="robot-port-hint">{p.hint}</span>}
            </button>
          ))
        )}
        <button
          type="button"
          className="link"
          onClick={() => void ports.run({})}
          disabled={ports.running}
          data-testid="robot-ports-refresh"
        >
          {ports.running ? 'Listing…' : 'List ports again'}
        </button>
      </div>
      <ErrorBox error={ports.error} />
      <Field label="Port (pick above, or type a path)">
        <input
          value={choice.port}
          onChange={(e) => onChange({ ...choice, port: e.target.value })}
          placeholder="/dev/ttyACM0"
          disabled={disabled}
          spellCheck={false}
          data-testid="robot-port"
        />
      </Field>
      <div className="row">
        <Field label="Baud rate">
          <select
            value={choice.baudRate ?? ''}
            onChange={(e) =>
              onChange({ ...choice, baudRate: e.target.value ? Number(e.target.value) : undefined })
            }
            disabled={disabled}
            data-testid="robot-baud"
          >
            <option value="">detect</option>
            {BAUD_RATES.map((b) => (
              <option key={b} value={b}>
                {b.toLocaleString('en')}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Reply timeout, ms">
          <input
            type="number"
            min={5}
            max={1000}
            value={choice.timeoutMs ?? ''}
            placeholder="30"
            title="How long the bridge waits for the servos to answer: more for slow USB adapters"
            onChange={(e) => {
              const ms = Math.round(Number(e.target.value));
              onChange({ ...choice, timeoutMs: e.target.value && ms >= 5 ? Math.min(ms, 1000) : undefined });
            }}
            disabled={disabled}
            data-testid="robot-timeout"
          />
        </Field>
      </div>
    </>
  );
}

/** Which servos answered, which did not, and the hint: the first thing to read when an arm will not connect. */
export function RobotScanResult({ scan }: { scan: BusScan }) {
  const ok = scan.missing.length === 0;
  return (
    <section className="robot-scan" data-testid="robot-scan">
      <div className={`robot-scan-head ${ok ? 'ok' : 'bad'}`} data-testid="robot-scan-summary">
        {scan.found.length} of {scan.found.length + scan.missing.length} servos answered on {scan.port} at{' '}
        {scan.baudRate.toLocaleString('en')} baud ({scan.protocol})
      </div>
      {scan.hint && (
        <div className="robot-hint" role="note" data-testid="robot-scan-hint">
          {scan.hint}
        </div>
      )}
      <table className="robot-table" data-testid="robot-scan-table">
        <thead>
          <tr>
            <th>id</th>
            <th>joint</th>
            <th>servo</th>
          </tr>
        </thead>
        <tbody>
          {[
            ...scan.found.map((s) => ({ ...s, found: true as const })),
            ...scan.missing.map((s) => ({ ...s, found: false as const })),
          ]
            .sort((a, b) => a.id - b.id)
            .map((s) => (
              <tr
                key={s.id}
                className={s.found ? '' : 'robot-missing'}
                data-testid={s.found ? 'robot-servo-found' : 'robot-servo-missing'}
              >
                <td>{s.id}</td>
                <td>{s.joint ? jointLabel(s.joint) : '?'}</td>
                <td>
                  {s.found ? (
                    (s.modelName ?? `model ${s.model}`)
                  ) : (
                    <span className="bad">did not answer</span>
                  )}
                </td>
              </tr>
            ))}
        </tbody>
      </table>
    </section>
  );
}

export function RobotCalibrationPicker({
  value,
  onChange,
  disabled,
  reload,
}: {
  value: string;
  onChange: (name: string) => void;
  disabled: boolean;
  /** Changes when a calibration was made elsewhere (the hand calibration): list them again. */
  reload?: number;
}) {
  const calibrations = useCall('robot.calibrations');
  const importing = useCall('robot.importCalibration');
  const [file, setFile] = useState<{ name: string; text: string }>();
  const [importName, setImportName] = useState('');
  const refresh = async (): Promise<void> => {
    await calibrations.run({});
  };
  useEffect(() => void refresh(), [reload]);
  const listed: CalibrationSummary[] = calibrations.result ?? [];
  useEffect(() => {
    if (listed.length && !listed.some((c) => c.name === value)) onChange(listed[0].name);
  }, [calibrations.result]);
  const chosen = listed.find((c) => c.name === value);

  const pick = async (input: HTMLInputElement): Promise<void> => {
    const picked = input.files?.[0];
    if (!picked) return setFile(undefined);
    setFile({ name: picked.name, text: await picked.text() });
    setImportName(nameFromFile(picked.name));
    importing.clear();
  };
  const runImport = async (): Promise<void> => {
    if (!file) return;
    const made = await importing.run({ name: importName.trim(), json: file.text });
    if (!made) return;
    setFile(undefined);
    await refresh();
    onChange(made.name);
  };

  return (
    <>
      <Field label="Calibration">
        <select
          value={value}
          onChange={(e) => onChange(e.target.value)}
          disabled={disabled}
          data-testid="robot-calibration"
        >
          {listed.length === 0 && <option value="">none saved yet</option>}
          {listed.map((c) => (
            <option key={c.name} value={c.name} disabled={c.problem !== undefined} title={c.problem}>
              {c.problem
                ? `${c.name} (cannot be used: ${c.problem})`
                : `${c.name} (${c.source === 'lerobot' ? 'from LeRobot' : 'recorded'}, ${c.createdAt.slice(0, 10)})`}
            </option>
          ))}
        </select>
      </Field>
      {chosen && (
        <p className="muted robot-small" data-testid="robot-calibration-summary">
          Servo ids {chosen.joints.map((j) => `${j.id} ${jointLabel(j.joint)}`).join(', ')}; kept in{' '}
          {chosen.file}
        </p>
      )}
      <ErrorBox error={calibrations.error} />
      <details className="robot-import">
        <summary>Import LeRobot calibration</summary>
        <p className="muted robot-small">
          A calibration file from LeRobot (SO-100 or SO-101 follower, its JSON), saved here under a name.
        </p>
        <input
          type="file"
          accept=".json,application/json"
          onChange={(e) => void pick(e.target)}
          disabled={disabled}
          data-testid="robot-import-file"
        />
        {file && (
          <div className="row">
            <TextField
              label="Save as"
              value={importName}
              onChange={setImportName}
              testId="robot-import-name"
            />
            <button
              type="button"
              onClick={() => void runImport()}
              disabled={importing.running || !importName.trim()}
              data-testid="robot-import"
            >
              {importing.running ? 'Importing…' : 'Import'}
            </button>
          </div>
        )}
        {importing.result && !file && (
          <p className="ok" data-testid="robot-imported">
            Imported {importing.result.name}.
          </p>
        )}
        <ErrorBox error={importing.error} onDismiss={importing.clear} />
      </details>
    </>
  );
}
