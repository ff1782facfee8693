// The teacher's table as CSV: one row per student, one column per lesson (checks met of the
// lesson's checks), then the last failure. (Student names start with a letter or digit, so no
// field reads as a spreadsheet formula.)
import { csvField } from '../files/csv.ts';
import type { LessonSummary, StudentRow } from '../../api/types.ts';

export function classroomCsv(lessons: LessonSummary[], students: StudentRow[]): string {
  const header = ['student', ...lessons.map((l) => l.id), 'lessons complete', 'last failure', 'last active'];
  const rows = students.map((s) => [
    s.student,
    ...lessons.map((l) => {
      const p = s.lessons[l.id];
      return p ? `${p.done}/${p.total}` : '';
    }),
    String(lessons.filter((l) => s.lessons[l.id]?.complete && l.checks > 0).length),
    s.problem ??
      (s.lastFailure
        ? `${s.lastFailure.lesson}/${s.lastFailure.step}: ${s.lastFailure.kind}: ${s.lastFailure.message}`
        : ''),
    s.lastActive ? new Date(s.lastActive).toISOString() : '',
  ]);
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}
