// The one base of every error a user can act on: a kind for code to branch on (the UI, the shells,
// tests) and a message for people, naming the file, flag, line or part at fault. Anything thrown
// that is not a LabError is a bug, and is reported as one.

export class LabError extends Error {
  constructor(
    readonly kind: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}
