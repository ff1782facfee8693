// Saved arm calibrations: one JSON file per arm, <lab home>/arms/<name>.json, written atomically
// (a crash leaves the previous file whole). A file that is not valid JSON, or that was edited into
// something that is not a calibration, is refused naming the file and the field.
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomically } from '../files/atomic-write.ts';
import { labHome } from '../paths.ts';
import {
  CalibrationError,
  parseArmCalibration,
  validateCalibrationName,
  type ArmCalibration,
} from './calibration.ts';

export function calibrationsDir(): string {
  return join(labHome(), 'arms');
}

/** The file a calibration of that name is kept in (the name is checked: no path separators). */
export function calibrationPath(name: string): string {
  return join(calibrationsDir(), `${validateCalibrationName(name)}.json`);
}

/** Saves (or replaces) the calibration under its name; returns the file's path. */
export async function saveCalibration(calibration: ArmCalibration): Promise<string> {
  let checked: ArmCalibration;
  try {
    checked = parseArmCalibration(calibration);
  } catch (err) {
    if (!(err instanceof CalibrationError)) throw err;
    throw new CalibrationError('invalid', `calibration not saved: ${err.message}`, err.ids, { cause: err });
  }
  const path = calibrationPath(checked.name);
  await mkdir(calibrationsDir(), { recursive: true });
  await writeFileAtomically(path, `${JSON.stringify(checked, null, 2)}\n`);
  return path;
}

export async function loadCalibration(name: string): Promise<ArmCalibration> {
  const path = calibrationPath(name);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new CalibrationError('corrupt', `cannot read ${path}: ${(err as Error).message}`, [], {
        cause: err,
      });
    }
    const saved = await listCalibrations();
    throw new CalibrationError(
      'not-found',
      `no calibration named "${name}" (looked for ${path}); ` +
        (saved.length > 0
          ? `saved calibrations: ${saved.join(', ')}`
          : 'none is saved yet: calibrate the arm first'),
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new CalibrationError(
      'corrupt',
      `${path} is not valid JSON (${(err as Error).message}): fix it, or delete it and calibrate again`,
      [],
      { cause: err },
    );
  }
  let calibration: ArmCalibration;
  try {
    calibration = parseArmCalibration(data);
  } catch (err) {
    if (!(err instanceof CalibrationError)) throw err;
    throw new CalibrationError(
      'corrupt',
      `${path}: ${err.message} (fix the file, or delete it and calibrate again)`,
      err.ids,
      { cause: err },
    );
  }
  if (calibration.name !== name) {
    throw new CalibrationError(
      'corrupt',
      `${path}: name: the file says "${calibration.name}" but is named ${name}.json (renamed by hand?): make them match`,
    );
  }
  return calibration;
}

export interface CalibrationFileEntry {
  name: string;
  file: string;
  calibration?: ArmCalibration;
  /** Why the file cannot be used (naming the file and the field), when it cannot. */
  problem?: string;
}

/** Every saved calibration, sorted by name, each loaded or with the reason it cannot be. */
export async function listCalibrationFiles(): Promise<CalibrationFileEntry[]> {
  return Promise.all(
    (await listCalibrations()).map(async (name) => {
      const file = calibrationPath(name);
      try {
        return { name, file, calibration: await loadCalibration(name) };
      } catch (err) {
        if (!(err instanceof CalibrationError)) throw err;
        return { name, file, problem: err.message };
      }
    }),
  );
}

/** The names of the saved calibrations, sorted. */
export async function listCalibrations(): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(calibrationsDir());
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return entries
    .filter((file) => file.endsWith('.json') && !file.startsWith('.'))
    .map((file) => file.slice(0, -'.json'.length))
    .filter((name) => {
      try {
        validateCalibrationName(name);
        return true;
      } catch {
        return false;
      }
    })
    .sort();
}
