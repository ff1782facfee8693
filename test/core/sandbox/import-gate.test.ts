// The gate between an interpreter and the runner's JavaScript: open while the runner sets up,
// a short allowlist while a program runs, nothing once it is shut.
import { describe, expect, it } from 'vitest';
import { GateClosed, createGate } from '../../../core/sandbox/import-gate.mjs';

type Imports = Record<string, ((...args: unknown[]) => unknown) | object>;

function gatedImports() {
  const called: string[] = [];
  const fn = (name: string) =>
    Object.assign((...args: unknown[]) => called.push(`${name}(${args.join(',')})`), { sig: 'ii' });
  const imports: Imports = {
    fd_write: fn('fd_write'),
    fd_read: fn('fd_read'),
    emscripten_resize_heap: fn('emscripten_resize_heap'),
    JsProxy_GetAttr_js: fn('JsProxy_GetAttr_js'),
    __syscall_openat: fn('__syscall_openat'),
    suspending: { sig: 'eee' }, // what a JSPI WebAssembly.Suspending looks like to the gate
    table: new WebAssembly.Table({ initial: 1, element: 'anyfunc' }),
  };
  const gate = createGate();
  gate.wrapImports(imports);
  const call = (name: string, ...args: unknown[]) => (imports[name] as (...a: unknown[]) => unknown)(...args);
  return { gate, imports, called, call };
}

describe('import gate', () => {
  it('lets everything through during set-up, keeping what the dynamic linker reads', () => {
    const { imports, called, call } = gatedImports();
    call('JsProxy_GetAttr_js', 1);
    call('__syscall_openat', 2);
    expect(called).toEqual(['JsProxy_GetAttr_js(1)', '__syscall_openat(2)']);
    expect((imports.fd_write as { sig: string }).sig).toBe('ii');
    expect(imports.table).toBeInstanceOf(WebAssembly.Table);
  });

  it('lets a running program use only its allowlist, the device for reading, and stdout/stderr for writing', () => {
    const { gate, called, call } = gatedImports();
    gate.allowDevice(7);
    gate.beginProgram();
    call('emscripten_resize_heap', 100);
    call('fd_read', 7);
    call('fd_write', 7);
    call('fd_write', 1);
    call('fd_write', 2);
    expect(called).toEqual([
      'emscripten_resize_heap(100)',
      'fd_read(7)',
      'fd_write(7)',
      'fd_write(1)',
      'fd_write(2)',
    ]);
    expect(gate.violation).toBeUndefined();
  });

  it.each([
    ['JsProxy_GetAttr_js', 1],
    ['__syscall_openat', 3],
    ['fd_read', 0],
    ['fd_write', 9],
    ['suspending', 0],
  ])('stops a running program that calls %s(%s) before it runs, and names it', (name, arg) => {
    const { gate, called, call } = gatedImports();
    gate.allowDevice(7);
    gate.beginProgram();
    expect(() => call(name, arg)).toThrow(GateClosed);
    expect(called).toEqual([]);
    expect(gate.violation).toBe(name);
  });

  it('keeps the first violation, and lets nothing through once shut without calling it one', () => {
    const { gate, called, call } = gatedImports();
    gate.allowDevice(7);
    gate.beginProgram();
    expect(() => call('__syscall_openat')).toThrow(GateClosed);
    expect(() => call('JsProxy_GetAttr_js')).toThrow(GateClosed);
    expect(gate.violation).toBe('__syscall_openat');
    const after = gatedImports();
    after.gate.beginProgram();
    after.gate.shut();
    expect(() => after.call('fd_write', 1)).toThrow(GateClosed);
    expect(after.gate.violation).toBeUndefined();
    expect([...called, ...after.called]).toEqual([]);
  });
});
