// better-sqlite3 decides once, when its native module loads, whether file names may be URIs
// (SQLITE_USE_URI). A URI with immutable=1 is the one way SQLite reads a WAL dataset in a folder
// where it cannot create the -shm file, so open-dataset.ts imports this module before better-sqlite3.
// A process that loaded better-sqlite3 earlier keeps its setting; such read-only folders then fail
// with a message instead. (open-dataset.ts passes absolute paths, so a file named 'file:...' is never
// taken for a URI.)
process.env.SQLITE_USE_URI ??= '1';
