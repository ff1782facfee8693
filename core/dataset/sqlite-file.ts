// Reading what a SQLite file is (its header and the names in its schema) straight from its bytes,
// following https://www.sqlite.org/fileformat.html. Opening a file with SQLite to ask can already
// change it (a WAL file gets -wal and -shm companions); reading the bytes never does.
import { closeSync, openSync, readSync, fstatSync } from 'node:fs';

export const SQLITE_MAGIC = 'SQLite format 3\0';

export interface SqliteFacts {
  /** Journal mode WAL per the header (bytes 18 and 19). */
  wal: boolean;
  userVersion: number;
  applicationId: number;
  /** Names of the tables in the schema (not indices, views or triggers). */
  tables: string[];
  /** Schema entries of any type. */
  schemaEntries: number;
}

export class MalformedFile extends Error {}

/** Facts about a SQLite file of at least 100 bytes whose header starts with the magic string. */
export function readSqliteFacts(path: string): SqliteFacts {
  const fd = openSync(path, 'r');
  try {
    return new Reader(fd, fstatSync(fd).size).facts();
  } finally {
    closeSync(fd);
  }
}

class Reader {
  private pageSize = 0;
  private usable = 0;
  private encoding = 'utf8' as 'utf8' | 'utf16le' | 'utf16be';
  private pagesRead = 0;

  constructor(
    private readonly fd: number,
    private readonly size: number,
  ) {}

  facts(): SqliteFacts {
    const header = this.bytes(0, 100);
    if (header.toString('latin1', 0, 16) !== SQLITE_MAGIC) throw new MalformedFile('no SQLite header');
    const raw = header.readUInt16BE(16);
    this.pageSize = raw === 1 ? 65536 : raw;
    if (this.pageSize < 512 || (this.pageSize & (this.pageSize - 1)) !== 0)
      throw new MalformedFile(`page size ${raw}`);
    this.usable = this.pageSize - header[20];
    if (this.usable < 480) throw new MalformedFile('reserved space too large');
    const encoding = header.readUInt32BE(56);
    this.encoding = encoding === 2 ? 'utf16le' : encoding === 3 ? 'utf16be' : 'utf8';
    const entries: { type: string; name: string }[] = [];
    this.walk(1, 0, entries);
    return {
      wal: header[18] === 2 && header[19] === 2,
      userVersion: header.readInt32BE(60),
      applicationId: header.readInt32BE(68),
      tables: entries.filter((e) => e.type === 'table').map((e) => e.name),
      schemaEntries: entries.length,
    };
  }

  /** Collect (type, name) of every row of the schema table's b-tree rooted at `page`. */
  private walk(page: number, depth: number, out: { type: string; name: string }[]): void {
    if (depth > 20 || ++this.pagesRead > 100_000) throw new MalformedFile('schema tree too deep');
    const data = this.page(page);
    const at = page === 1 ? 100 : 0;
    const type = data[at];
    const cells = data.readUInt16BE(at + 3);
    if (type === 0x05) {
      for (let i = 0; i < cells; i++)
        this.walk(data.readUInt32BE(this.cellOffset(data, at + 12, i)), depth + 1, out);
      this.walk(data.readUInt32BE(at + 8), depth + 1, out);
    } else if (type === 0x0d) {
      for (let i = 0; i < cells; i++) out.push(this.schemaRow(data, this.cellOffset(data, at + 8, i)));
    } else throw new MalformedFile(`schema page ${page} has type ${type}`);
  }

  private cellOffset(data: Buffer, pointers: number, i: number): number {
    const offset = data.readUInt16BE(pointers + 2 * i);
    if (offset >= data.length) throw new MalformedFile('cell outside its page');
    return offset;
  }

  private schemaRow(data: Buffer, offset: number): { type: string; name: string } {
    const [payloadSize, n1] = varint(data, offset);
    const [, n2] = varint(data, offset + n1);
    const record = this.payload(data, offset + n1 + n2, payloadSize);
    const [headerSize, h] = varint(record, 0);
    let at = h;
    const serials: number[] = [];
    while (at < headerSize && serials.length < 2) {
      const [serial, n] = varint(record, at);
      serials.push(serial);
      at += n;
    }
    let body = headerSize;
    const values: string[] = [];
    for (const serial of serials) {
      const length = serialLength(serial);
      values.push(serial >= 13 && serial % 2 === 1 ? this.text(record.subarray(body, body + length)) : '');
      body += length;
    }
    return { type: values[0] ?? '', name: values[1] ?? '' };
  }

  /** A cell's payload, following overflow pages when it does not fit on its page. */
  private payload(data: Buffer, start: number, size: number): Buffer {
    const max = this.usable - 35;
    if (size <= max) return data.subarray(start, start + size);
    const min = Math.floor(((this.usable - 12) * 32) / 255) - 23;
    const k = min + ((size - min) % (this.usable - 4));
    const local = k <= max ? k : min;
    const parts = [data.subarray(start, start + local)];
    let have = local;
    let next = data.readUInt32BE(start + local);
    while (have < size && next !== 0) {
      if (++this.pagesRead > 100_000) throw new MalformedFile('overflow chain too long');
      const page = this.page(next);
      const take = Math.min(size - have, this.usable - 4);
      parts.push(page.subarray(4, 4 + take));
      have += take;
      next = page.readUInt32BE(0);
    }
    return Buffer.concat(parts);
  }

  private text(bytes: Buffer): string {
    if (this.encoding === 'utf16be') return Buffer.from(bytes).swap16().toString('utf16le');
    return bytes.toString(this.encoding);
  }

  private page(n: number): Buffer {
    if (n < 1) throw new MalformedFile(`page number ${n}`);
    return this.bytes((n - 1) * this.pageSize, this.pageSize);
  }

  private bytes(position: number, length: number): Buffer {
    if (position + length > this.size) throw new MalformedFile('file shorter than its pages');
    const buffer = Buffer.alloc(length);
    if (readSync(this.fd, buffer, 0, length, position) !== length) throw new MalformedFile('short read');
    return buffer;
  }
}

function varint(data: Buffer, offset: number): [number, number] {
  let value = 0;
  for (let i = 0; i < 9; i++) {
    if (offset + i >= data.length) throw new MalformedFile('varint past the end');
    const byte = data[offset + i];
    if (i === 8) return [value * 256 + byte, 9];
    value = value * 128 + (byte & 0x7f);
    if (byte < 0x80) return [value, i + 1];
  }
  throw new MalformedFile('varint');
}

function serialLength(serial: number): number {
  if (serial >= 12) return Math.floor((serial - (serial % 2 ? 13 : 12)) / 2);
  return [0, 1, 2, 3, 4, 6, 8, 8, 0, 0, 0, 0][serial];
}
