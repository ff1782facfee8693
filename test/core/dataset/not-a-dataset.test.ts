// Another application's SQLite file is refused by every kind of open and left byte for byte as it
// was, with no -wal or -shm beside it; only a new or empty file becomes a dataset.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { openDataset, DatasetError } from '../../../core/dataset/open-dataset.ts';
import { EpisodeStore } from '../../../core/dataset/episode-store.ts';
import { SCHEMA_VERSION } from '../../../core/dataset/migrations.ts';
import Database from 'better-sqlite3';
import { tempDir } from '../../helpers.ts';
import { fingerprint } from './helpers.ts';

/** Files other applications could have made, each in its own folder. */
const FOREIGN: Record<string, (db: Database.Database) => void> = {
  'notes app (rollback journal)': (db) => db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)'),
  'contacts app (WAL)': (db) => {
    db.pragma('journal_mode = WAL');
    db.exec("CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('Ada')");
  },
  'lab-like tables, a user_version the lab never wrote': (db) => {
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE runs (id INTEGER PRIMARY KEY); CREATE TABLE episodes (id INTEGER PRIMARY KEY)');
    db.pragma('user_version = 42');
  },
  'lab-like tables under another application id': (db) => {
    db.exec('CREATE TABLE runs (id INTEGER PRIMARY KEY); CREATE TABLE episodes (id INTEGER PRIMARY KEY)');
    db.pragma('user_version = 2');
    db.pragma('application_id = 1234');
  },
  'a lab schema version over other tables': (db) => {
    db.exec('CREATE TABLE measurements (t REAL, value REAL)');
    db.pragma('user_version = 3');
  },
};

describe('SQLite files of other applications', () => {
  for (const [name, make] of Object.entries(FOREIGN))
    it(`refuses the ${name} for reading and writing and leaves its folder exactly as it was`, () => {
      const dir = tempDir();
      const path = join(dir, 'their.db');
      const db = new Database(path);
      make(db);
      db.close();
      const before = fingerprint(dir);
      expect(Object.keys(before)).toEqual(['their.db']);
      for (const options of [{}, { create: false }, { readonly: true }]) {
        let error: unknown;
        try {
          new EpisodeStore(openDataset(path, options)).stats();
        } catch (err) {
          error = err;
        }
        expect(error, JSON.stringify(options)).toBeInstanceOf(DatasetError);
        expect(error).toMatchObject({
          kind: 'not-a-dataset',
          message: expect.stringMatching(
            new RegExp(
              `^${path} is a SQLite database of another application \\(.+\\), not a BLAZER Lab dataset; it was left unchanged$`,
            ),
          ),
        });
        expect(fingerprint(dir)).toEqual(before);
      }
    });

  it('makes a dataset only of a new file, an empty file or a SQLite file with nothing in it', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'empty.sqlite'), '');
    const blank = new Database(join(dir, 'blank.sqlite'));
    blank.exec('VACUUM');
    blank.close();
    for (const name of ['new.sqlite', 'empty.sqlite', 'blank.sqlite']) {
      const db = openDataset(join(dir, name));
      expect(db.pragma('user_version', { simple: true }), name).toBe(SCHEMA_VERSION);
      db.close();
    }
    // and the lab knows its own files afterwards
    expect(() => openDataset(join(dir, 'new.sqlite'), { readonly: true }).close()).not.toThrow();
    const foreign = join(dir, 'foreign.sqlite');
    const other = new Database(foreign);
    FOREIGN['contacts app (WAL)'](other);
    other.close();
    expect(() => openDataset(foreign)).toThrow(/another application \(tables contacts\)/);
  });
});
