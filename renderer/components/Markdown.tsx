// Lesson text as React elements, never as HTML: a small Markdown reader for what lessons use
// (headings, paragraphs, lists, block quotes, tables, fenced code, `code`, **bold**, *italic*,
// links, and figures from the lesson's data: URLs). Anything else, raw HTML included, shows as text.
import { Fragment, type ReactNode } from 'react';

type Block =
  | { type: 'heading'; level: number; text: string }
  | { type: 'paragraph'; text: string }
  | { type: 'list'; ordered: boolean; start: number; items: string[] }
  | { type: 'code'; lang: string; text: string }
  | { type: 'quote'; text: string }
  | { type: 'table'; head: string[]; rows: string[][] }
  | { type: 'rule' };

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$/;
const RULE = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/;
const LIST = /^(\s*)([-*+]|\d{1,9}[.)])(\s+)(.*)$/;
const QUOTE = /^ {0,3}>\s?(.*)$/;
const TABLE_RULE = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;

const indentOf = (line: string): number => line.length - line.trimStart().length;

function startsBlock(line: string): boolean {
  return FENCE.test(line) || HEADING.test(line) || RULE.test(line) || LIST.test(line) || QUOTE.test(line);
}

function tableCells(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((c) => c.trim());
}

/** The blocks of a Markdown text, in order. */
export function parseBlocks(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const [, indent, marks, lang] = fence;
      const body: string[] = [];
      i++;
      while (i < lines.length) {
        const closing = lines[i].trim();
        if (closing.startsWith(marks[0].repeat(marks.length)) && /^[`~]+$/.test(closing)) {
          i++;
          break;
        }
        const l = lines[i];
        body.push(l.slice(Math.min(indent.length, indentOf(l))));
        i++;
      }
      blocks.push({ type: 'code', lang, text: body.join('\n') });
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      blocks.push({ type: 'heading', level: heading[1].length, text: heading[2] });
      i++;
      continue;
    }
    if (RULE.test(line)) {
      blocks.push({ type: 'rule' });
      i++;
      continue;
    }
    if (QUOTE.test(line)) {
      const body: string[] = [];
      while (i < lines.length && lines[i].trim()) {
        const q = QUOTE.exec(lines[i]);
        body.push(q ? q[1] : lines[i]);
        i++;
      }
      blocks.push({ type: 'quote', text: body.join('\n') });
      continue;
    }
    const item = LIST.exec(line);
    if (item) {
      const base = item[1].length;
      const ordered = /\d/.test(item[2]);
      const items: string[] = [];
      while (i < lines.length) {
        const m = LIST.exec(lines[i]);
        if (!m || m[1].length !== base || /\d/.test(m[2]) !== ordered) break;
        const contentIndent = m[1].length + m[2].length + m[3].length;
        const body = [m[4]];
        i++;
        while (i < lines.length) {
          const l = lines[i];
          if (!l.trim()) {
            // A blank line ends the item unless the text goes on indented under it.
            let j = i;
            while (j < lines.length && !lines[j].trim()) j++;
            if (j < lines.length && indentOf(lines[j]) > base) {
              body.push(...lines.slice(i, j).map(() => ''));
              i = j;
              continue;
            }
            break;
          }
          const sub = LIST.exec(l);
          if (sub && sub[1].length <= base) break; // the next item, or an outer list's
          const indent = indentOf(l);
          if (indent > base) body.push(l.slice(Math.min(indent, contentIndent)));
          else if (startsBlock(l)) break;
          else body.push(l.trim()); // a lazy continuation of the item's paragraph
          i++;
        }
        items.push(body.join('\n'));
      }
      blocks.push({ type: 'list', ordered, start: ordered ? parseInt(item[2], 10) : 1, items });
      continue;
    }
    if (line.includes('|') && i + 1 < lines.length && TABLE_RULE.test(lines[i + 1])) {
      const head = tableCells(line);
      const rows: string[][] = [];
      i += 2;
      while (i < lines.length && lines[i].trim() && lines[i].includes('|')) rows.push(tableCells(lines[i++]));
      blocks.push({ type: 'table', head, rows });
      continue;
    }
    const body: string[] = [];
    while (i < lines.length && lines[i].trim() && !(body.length && startsBlock(lines[i]))) {
      body.push(lines[i].trim());
      i++;
    }
    blocks.push({ type: 'paragraph', text: body.join('\n') });
  }
  return blocks;
}

// `code` | ![alt](src) | [text](href) | **bold** | __bold__ | *italic* | _italic_
const INLINE =
  /`([^`]+)`|!\[([^\]]*)\]\(\s*([^)\s]+)(?:\s+"[^"]*")?\s*\)|\[([^\]]+)\]\(\s*([^)\s]+)(?:\s+"[^"]*")?\s*\)|\*\*(?=\S)([\s\S]+?)\*\*|__(?=\S)([\s\S]+?)__|\*(?=[^\s*])([\s\S]+?)\*|(?<![\p{L}\p{N}])_(?=[^\s_])([\s\S]+?)_(?![\p{L}\p{N}])/u;

interface Context {
  figures: Record<string, string>;
}

function Figure({ src, alt, context }: { src: string; alt: string; context: Context }) {
  const url = context.figures[src];
  if (!url)
    return (
      <span className="md-missing" title={src}>
        [figure: {alt || src}]
      </span>
    );
  return <img className="md-img" src={url} alt={alt} />;
}

function inline(text: string, context: Context, key = 'i'): ReactNode[] {
  const out: ReactNode[] = [];
  let rest = text;
  let n = 0;
  while (rest) {
    const m = INLINE.exec(rest);
    if (!m) {
      out.push(...withBreaks(rest, `${key}.${n}`));
      break;
    }
    if (m.index > 0) out.push(...withBreaks(rest.slice(0, m.index), `${key}.${n}t`));
    const k = `${key}.${n++}`;
    if (m[1] !== undefined) out.push(<code key={k}>{m[1]}</code>);
    else if (m[3] !== undefined) out.push(<Figure key={k} src={m[3]} alt={m[2]} context={context} />);
    else if (m[5] !== undefined)
      out.push(
        /^https?:\/\//.test(m[5]) ? (
          <a key={k} href={m[5]} target="_blank" rel="noreferrer noopener">
            {inline(m[4], context, k)}
          </a>
        ) : (
          <Fragment key={k}>{inline(m[4], context, k)}</Fragment>
        ),
      );
    else if (m[6] !== undefined || m[7] !== undefined)
      out.push(<strong key={k}>{inline(m[6] ?? m[7], context, k)}</strong>);
    else out.push(<em key={k}>{inline(m[8] ?? m[9], context, k)}</em>);
    rest = rest.slice(m.index + m[0].length);
  }
  return out;
}

/** A paragraph's soft line breaks read as spaces; a line ending in two spaces or a backslash breaks. */
function withBreaks(text: string, key: string): ReactNode[] {
  const parts = text.split(/(?: {2,}|\\)\n/);
  return parts.flatMap((part, i) => [
    ...(i > 0 ? [<br key={`${key}b${i}`} />] : []),
    part.replace(/\n/g, ' '),
  ]);
}

function renderBlocks(blocks: Block[], context: Context, key: string): ReactNode[] {
  return blocks.map((block, i) => {
    const k = `${key}.${i}`;
    switch (block.type) {
      case 'heading': {
        // The step's own title is an h2 on the page: headings inside a step start below it.
        const level = Math.min(6, block.level + 2);
        const Tag = `h${level}` as 'h3' | 'h4' | 'h5' | 'h6';
        return (
          <Tag key={k} className="md-heading">
            {inline(block.text, context, k)}
          </Tag>
        );
      }
      case 'paragraph': {
        const figure = /^!\[([^\]]*)\]\(\s*([^)\s]+)\s*\)$/.exec(block.text);
        if (figure)
          return (
            <figure key={k} className="md-figure">
              <Figure src={figure[2]} alt={figure[1]} context={context} />
              {figure[1] && <figcaption>{figure[1]}</figcaption>}
            </figure>
          );
        return <p key={k}>{inline(block.text, context, k)}</p>;
      }
      case 'list': {
        const items = block.items.map((item, j) => {
          const inner = parseBlocks(item);
          return (
            <li key={j}>
              {inner.length === 1 && inner[0].type === 'paragraph'
                ? inline(inner[0].text, context, `${k}.${j}`)
                : renderBlocks(inner, context, `${k}.${j}`)}
            </li>
          );
        });
        return block.ordered ? (
          <ol key={k} start={block.start}>
            {items}
          </ol>
        ) : (
          <ul key={k}>{items}</ul>
        );
      }
      case 'code':
        return (
          <pre key={k} className="code md-code" data-lang={block.lang || undefined}>
            {block.text}
          </pre>
        );
      case 'quote':
        return (
          <blockquote key={k} className="md-quote">
            {renderBlocks(parseBlocks(block.text), context, k)}
          </blockquote>
        );
      case 'table':
        return (
          <table key={k} className="md-table">
            <thead>
              <tr>
                {block.head.map((cell, j) => (
                  <th key={j}>{inline(cell, context, `${k}.h${j}`)}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {block.rows.map((row, r) => (
                <tr key={r}>
                  {block.head.map((_, j) => (
                    <td key={j}>{inline(row[j] ?? '', context, `${k}.${r}.${j}`)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        );
      case 'rule':
        return <hr key={k} />;
    }
  });
}

export function Markdown({
  text,
  figures = {},
  testId,
}: {
  text: string;
  figures?: Record<string, string>;
  testId?: string;
}) {
  return (
    <div className="markdown" data-testid={testId}>
      {renderBlocks(parseBlocks(text), { figures }, 'm')}
    </div>
  );
}
