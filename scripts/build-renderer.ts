// Bundles the React + three.js renderer into static files (index.html, app.js, app.css) that the
// web server serves and Electron loads. esbuild does it in about a second, so shells build on start.
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../core/paths.ts';
import { CONTENT_SECURITY_POLICY, UI_DIR } from '../api/shell-files.ts';

export async function buildRenderer(outDir = UI_DIR): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: { app: join(projectRoot, 'renderer', 'main.tsx') },
    bundle: true,
    format: 'esm',
    target: 'chrome120',
    minify: true,
    sourcemap: 'linked',
    outdir: outDir,
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'error',
  });
  writeFileSync(
    join(outDir, 'index.html'),
    `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>BLAZER Lab</title>
    <link rel="icon" href="./icon.svg" type="image/svg+xml" />
    <link rel="stylesheet" href="./app.css" />
  </head>
  <body>
    <div id="root"></div>
    <script type="module" src="./app.js"></script>
  </body>
</html>
`,
  );
  writeFileSync(join(outDir, 'icon.svg'), ICON);
  return outDir;
}

// A gripper over a block, in the header's colours.
const ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#1d2430"/><path d="M9 6h14v4h-3v8h-2v-8h-4v8h-2v-8H9z" fill="#c9d1dd"/><rect x="11" y="20" width="10" height="7" rx="1" fill="#2c64d8"/></svg>
`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = await buildRenderer(process.argv[2]);
  process.stdout.write(`renderer built in ${out}\n`);
}
