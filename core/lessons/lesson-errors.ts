import { LabError } from '../errors.ts';

/** A lesson file the lab cannot use: its file, line and field name where to look. */
export class LessonFormatError extends LabError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly field: string | undefined,
    readonly problem: string,
  ) {
    super('lesson-format', `${file}:${line}: ${field ? `${field}: ` : ''}${problem}`);
  }
}

/** A request about lessons that cannot be met: no such lesson or step, a missing answer. */
export class LessonError extends LabError {}
