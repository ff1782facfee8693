// Draw a training job's loss curve as an SVG (for the README and notes):
//   tsx scripts/loss-curve.ts --db lab.sqlite --job 1 --out docs/loss.svg [--title "..."]
// Training loss per step, validation loss where the trainer measured it, with axes and ticks.
import { writeFileSync } from 'node:fs';
import { openDataset } from '../core/dataset/open-dataset.ts';
import { showTrainJob } from '../core/train/train-job.ts';
import { textFlag } from '../bench/flags.ts';

const W = 640;
const H = 320;
const M = { left: 56, right: 16, top: 36, bottom: 44 };

export function lossCurveSvg(losses: [number, number, number | null][], title: string): string {
  const steps = losses.map(([s]) => s);
  const values = losses.flatMap(([, l, v]) => (v === null ? [l] : [l, v]));
  const xMax = Math.max(1, ...steps);
  const yMax = Math.max(0.1, ...values) * 1.05;
  const x = (s: number): number => M.left + ((W - M.left - M.right) * s) / xMax;
  const y = (v: number): number => H - M.bottom - ((H - M.top - M.bottom) * v) / yMax;
  const path = (points: [number, number][]): string =>
    points.map(([s, v], i) => `${i ? 'L' : 'M'}${x(s).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const train = path(losses.map(([s, l]) => [s, l]));
  const valid = losses.filter(([, , v]) => v !== null).map(([s, , v]): [number, number] => [s, v!]);
  const ticks = (max: number, n: number): number[] => Array.from({ length: n + 1 }, (_, i) => (max * i) / n);
  const xTicks = ticks(xMax, 5).map((s) => Math.round(s));
  const yTicks = ticks(yMax, 4);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${title.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</text>
${yTicks.map((v) => `<line x1="${M.left}" x2="${W - M.right}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/><text x="${M.left - 6}" y="${y(v) + 4}" text-anchor="end">${v.toFixed(1)}</text>`).join('\n')}
${xTicks.map((s) => `<text x="${x(s)}" y="${H - M.bottom + 16}" text-anchor="middle">${s}</text>`).join('\n')}
<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${H - M.bottom}" stroke="black"/>
<line x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}" stroke="black"/>
<text x="${(M.left + W - M.right) / 2}" y="${H - 8}" text-anchor="middle">optimizer step</text>
<text x="14" y="${(M.top + H - M.bottom) / 2}" text-anchor="middle" transform="rotate(-90 14 ${(M.top + H - M.bottom) / 2})">loss (cross-entropy per answer token)</text>
<path d="${train}" fill="none" stroke="#1f77b4" stroke-width="1.5"/>
${valid.map(([s, v]) => `<circle cx="${x(s).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3.5" fill="#ff7f0e"/>`).join('\n')}
<line x1="${W - 190}" x2="${W - 170}" y1="${M.top + 8}" y2="${M.top + 8}" stroke="#1f77b4" stroke-width="2"/><text x="${W - 164}" y="${M.top + 12}">training loss</text>
<circle cx="${W - 180}" cy="${M.top + 26}" r="3.5" fill="#ff7f0e"/><text x="${W - 164}" y="${M.top + 30}">validation loss (per epoch)</text>
</svg>
`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const db = openDataset(textFlag('db', 'lab.sqlite'), { readonly: true });
  const job = showTrainJob(db, Number(textFlag('job', '1')));
  db.close();
  const title = textFlag(
    'title',
    `job ${job.id}: ${job.trainer} trainer on ${job.baseModel}, set ${job.trainingSet}`,
  );
  writeFileSync(textFlag('out', 'loss.svg'), lossCurveSvg(job.losses, title));
}
