// Why a file could not be written, in words a user can act on, always naming the file.
import { dirname } from 'node:path';
import { LabError } from '../errors.ts';

export class FileWriteError extends LabError {
  declare readonly kind: 'not-a-regular-file' | 'write-failed';
  constructor(
    kind: FileWriteError['kind'],
    readonly path: string,
    message: string,
  ) {
    super(kind, message);
  }
}

export function describeWriteError(err: unknown, path: string): string {
  const { code, message } = err as NodeJS.ErrnoException;
  const folder = dirname(path);
  const cause = (() => {
    switch (code) {
      case 'ENOENT':
        return `the folder ${folder} does not exist`;
      case 'ENOTDIR':
        return `a part of ${folder} is not a folder`;
      case 'EACCES':
      case 'EPERM':
        return `no permission to write in ${folder}`;
      case 'EROFS':
        return `${folder} is on a read-only file system`;
      case 'ENOSPC':
        return `the disk holding ${folder} is full`;
      case 'EDQUOT':
        return `the disk quota for ${folder} is used up`;
      case 'EFBIG':
        return 'the file grew past the largest file this process may write (ulimit -f) or the file system allows';
      case 'EISDIR':
        return `${path} is a folder`;
      case 'EIO':
        return 'an input/output error on the disk';
      default:
        return message ?? String(err);
    }
  })();
  return `cannot write ${path}: ${cause}; the previous ${path}, if any, was left as it was`;
}
