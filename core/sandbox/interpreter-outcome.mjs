// How a program in a fresh interpreter ended, from what the runner saw: a call past the import
// gate, a broken device protocol, an error that unwound the interpreter, or the program's own
// report through the robot device.

/** What a blocked import tells about where the program reached. */
const REACHED = [
  [/system/, 'a shell'],
  [
    /socket|connect|bind|listen|accept|sendto|sendmsg|recv|sockopt|peername|sockname|addrinfo|nameinfo/,
    'the network',
  ],
  [/exit/, 'the process exit'],
  [/dlopen|dlsym|ffi_/, 'native code'],
  [/^__syscall_|^fd_|mmap|msync/, 'the file system'],
];

export function describeOutcome({ gateViolation, device, thrown }) {
  if (gateViolation) {
    const what = REACHED.find(([pattern]) => pattern.test(gateViolation))?.[1] ?? 'JavaScript';
    return violation(
      `the program reached outside its interpreter for ${what} (${gateViolation}) and was stopped before anything ran there`,
    );
  }
  if (device.violation) return violation(device.violation);
  if (thrown instanceof RangeError && /call stack/i.test(thrown.message))
    return { ok: false, kind: 'recursion', message: 'recursion too deep', output: '' };
  if (thrown)
    return {
      ok: false,
      kind: 'crash',
      message: `the interpreter stopped: ${String(thrown.message ?? thrown).slice(0, 300)}`,
      output: '',
    };
  return (
    device.result ?? violation("the program ended without reporting how: it broke the runner's Python code")
  );
}

function violation(message) {
  return { ok: false, kind: 'sandbox-violation', message, output: '' };
}
