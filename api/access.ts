// What a caller may name. The lab's own operator (the CLI, the desktop app) names host files as
// paths and any model; a client of `lab serve` (a student with the classroom token) names files
// relative to the lab's data folder only, and models only as the operator registered them, so a
// token cannot reach another file on the host, nor send the host's API key to a URL of its own.
import { lstatSync, mkdirSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ModelRegistry } from '../core/llm/model-registry.ts';
import { ApiError } from './errors.ts';
import type { CallContext, Shell } from './dispatch.ts';
import { labHome } from '../core/paths.ts';
import { joinStudent, studentFolder, studentKey } from '../core/lessons/students.ts';

/** How a shell's callers name files. */
export interface FileAccess {
  /** The host path of a file a caller named; `field` names the input in an error. */
  resolve(name: string, field: string): string;
  /** A host path as this caller names it. */
  show(path: string): string;
}

/** The operator's own files: paths as the operator typed them (relative to the working folder), so messages name them that way. */
export const hostFiles: FileAccess = { resolve: (name) => name, show: (path) => path };

/** Files inside one folder, named relative to it; nothing outside it, not even through a link. */
export function dataFolderFiles(root: string): FileAccess {
  const base = resolve(root);
  const within = (folder: string, path: string): boolean => path === folder || path.startsWith(folder + sep);
  return {
    resolve(name, field) {
      const refuse = (why: string): never => {
        throw new ApiError(
          'forbidden',
          `${field}: '${name.slice(0, 200)}' ${why}; name a file inside the lab's data folder, relative to it`,
        );
      };
      if (name.includes('\0')) refuse('is not a file name');
      if (isAbsolute(name) || /^[a-zA-Z]:/.test(name)) refuse('is a host path');
      const path = resolve(base, name);
      if (!within(base, path)) refuse('leaves the data folder');
      // The file, or the nearest of its folders that exists, must really be inside: links followed.
      let existing = path;
      while (existing !== base && !exists(existing)) existing = dirname(existing);
      let real: string;
      try {
        real = realpathSync(existing);
      } catch {
        return refuse('is a link that leads nowhere');
      }
      if (!within(realpathSync(base), real)) refuse('leads out of the data folder through a link');
      return path;
    },
    show: (path) => (within(base, path) ? relative(base, path) : path),
  };
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The shell of `lab serve`'s clients: remote, naming files in the lab's data folder. The operator's
 * --db, when given, must be inside it, so clients can name it too.
 */
export function remoteShell(options: { defaultDb?: string } = {}): Shell {
  const home = labHome();
  mkdirSync(home, { recursive: true });
  const files = dataFolderFiles(home);
  if (
    options.defaultDb !== undefined &&
    files.show(resolve(options.defaultDb)) === resolve(options.defaultDb)
  )
    throw new ApiError(
      'bad-request',
      `--db ${options.defaultDb} is outside the lab's data folder (${home}, set by BLAZER_LAB_HOME): the server's clients could not name it`,
    );
  return { local: false, files, ...(options.defaultDb ? { defaultDb: resolve(options.defaultDb) } : {}) };
}

/**
 * A student of `lab serve`'s class link: their files (datasets, programs, recordings) are named in
 * their own folder, <lab home>/students/<name>/, and their default dataset lives there; nothing of
 * another student's can be named.
 */
export function studentShell(student: string): Shell {
  const folder = studentFolder(labHome(), student);
  joinStudent(labHome(), student);
  return {
    local: false,
    files: dataFolderFiles(folder),
    defaultDb: join(folder, 'dataset.sqlite'),
    student: student.trim(),
  };
}

/** A student's shell once per student however they type their name ("Ada", "ada "): a server's cache. */
export function studentShells(extra: Partial<Shell> = {}): (student: string) => Shell {
  const made = new Map<string, Shell>();
  return (student) => {
    const key = studentKey(student);
    let shell = made.get(key);
    if (!shell) made.set(key, (shell = { ...studentShell(student), ...extra }));
    return shell;
  };
}

export function filesOf(context: Pick<CallContext, 'shell'>): FileAccess {
  return context.shell.files ?? hostFiles;
}

/** A file a caller named, as a host path this caller may use. */
export function filePath(context: Pick<CallContext, 'shell'>, name: string, field: string): string {
  return filesOf(context).resolve(name, field);
}

/**
 * A model spec as this caller may use it: the operator any; a remote client a registered name, or
 * a GGUF file inside the data folder, never an endpoint URL of its own.
 */
export function modelSpec(context: Pick<CallContext, 'shell'>, spec: string, field: string): string {
  if (context.shell.local) return spec;
  const ref = new ModelRegistry().lookup(spec);
  if (ref.registered) return ref.registered;
  if (ref.kind === 'endpoint')
    throw new ApiError(
      'forbidden',
      `${field}: a client of the lab server may use only the endpoints its operator registered (lab models add-endpoint), by name`,
    );
  return filePath(context, spec, field);
}

/** An adapter as this caller may name it: a registered name, or a GGUF file (inside the data folder for a server's client). */
export function adapterSpec(context: Pick<CallContext, 'shell'>, adapter: string): string {
  return /[/\\]|\.gguf$/i.test(adapter) ? filePath(context, adapter, 'adapter') : adapter;
}
