# Runs inside the sandboxed Pyodide runner (python-runner.mjs). Loaded once into the interpreter
# the runner snapshots; every program then gets its own interpreter restored from that snapshot,
# so nothing a program changes here outlives it. Gives programs the paper's primitives as plain
# Python functions that talk to the parent through the /dev/robot device, a read-only scene,
# guarded imports and restricted builtins. The guard and builtins are defence in depth only: the
# walls are the runner's import gate (no JavaScript while a program runs), a fresh interpreter per
# program and the runner process itself (Node's permission model, empty environment, parent limits).
import builtins as _builtins
import json as _json
import sys as _sys
import warnings as _warnings
from collections import namedtuple as _namedtuple
from types import FunctionType as _FunctionType, MappingProxyType as _ReadOnly

ALLOWED_MODULES = frozenset({
    "math", "json", "itertools", "functools", "collections", "typing", "re", "copy",
    "statistics", "operator", "string", "dataclasses", "enum", "heapq", "bisect", "fractions",
    "decimal", "numbers", "cmath",
})
OUTPUT_LIMIT = 65536  # characters of print() output per program
MESSAGE_LIMIT = 1000  # characters of an outcome's message

# Imported now, into the snapshot: a running program may not touch the file system, so an import
# during a program could not read the standard library.
for _name in sorted(ALLOWED_MODULES):
    __import__(_name)
import collections.abc  # noqa: E402,F401  (submodules programs import by name)
import json.decoder  # noqa: E402,F401
import json.encoder  # noqa: E402,F401

# A program's warnings would go to stderr; nobody reads it.
_warnings.simplefilter("ignore")


class RobotError(Exception):
    """A primitive call the robot refused."""


class _Stop(BaseException):
    """The parent ended the attempt (invalid number, too many calls): not catchable as Exception."""


class _Done(BaseException):
    """task_completed() was called."""


class _OutputLimit(BaseException):
    pass


_device = None  # /dev/robot, opened by _connect() in each restored interpreter
_send = _receive = _primitives = None  # set by _connect()


def _write_line(message):
    _device.write((_dumps(message) + "\n").encode())


def _read_line():
    data = b""
    while not data.endswith(b"\n"):
        chunk = _device.read(1 << 16)
        if not chunk:
            raise _Stop("the robot device closed")
        data += chunk
    return _loads(data)


def _request(name, args):
    _send({"op": "call", "name": name, "args": args})
    reply = _receive()
    if "stop" in reply:
        raise _Stop(reply["stop"])
    if "error" in reply:
        raise RobotError(reply["error"])
    return reply.get("result")


def _encode(value):
    # Numbers travel as their repr so NaN and infinities reach the parent's validator intact.
    if isinstance(value, bool):
        return {"type": "bool"}
    if isinstance(value, (int, float)):
        return repr(float(value))
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if value is None:
        return None
    if isinstance(value, str):
        return {"str": value[:200]}
    return {"type": type(value).__name__}


def open_gripper():
    """Open the gripper."""
    return _request("open_gripper", [])


def close_gripper(object_name=None):
    """Close the gripper (the paper's prompt names the object to grasp; it is only recorded)."""
    return _request("close_gripper", [] if object_name is None else [_encode(str(object_name))])


def move_gripper(position, yaw=0.0):
    """Move the gripper, pointing down, to position [x, y, z] (metres) turned by yaw (radians)."""
    return _request("move_gripper", [_encode(position), _encode(yaw)])


def execute_trajectory(position, orientation=0.0):
    """The paper's released prompt's name for move_gripper."""
    return move_gripper(position, orientation)


def task_completed():
    """End the program here: the task is done."""
    raise _Done()


def _guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
    if level != 0 or name.split(".")[0] not in _ALLOWED:
        raise ImportError(f"import of '{name}' is not allowed in robot programs")
    module = _MODULES.get(name if fromlist else name.split(".")[0])
    if module is None:
        raise ImportError(f"import of '{name}' is not available in robot programs")
    return module


_SMALL_BUILTINS = {
    k: getattr(_builtins, k)
    for k in ("isinstance", "bool", "int", "float", "list", "tuple", "repr", "str", "type", "len", "ImportError")
}


def _bind(function, **names):
    """A copy of function whose globals hold only `names`: a program reading __globals__ finds nothing else."""
    scope = {"__builtins__": dict(_SMALL_BUILTINS), "__name__": "robot", **names}
    copy = _FunctionType(function.__code__, scope, function.__name__, function.__defaults__)
    copy.__kwdefaults__ = function.__kwdefaults__
    copy.__doc__ = function.__doc__
    scope[function.__name__] = copy
    return copy


class _CappedOutput:
    def __init__(self):
        self.parts = []
        self.size = 0

    def write(self, text):
        self.size += len(text)
        if self.size > OUTPUT_LIMIT:
            raise _OutputLimit()
        self.parts.append(text)
        return len(text)

    def flush(self):
        pass


Slide = _namedtuple("Slide", "direction moved travel")
Inside = _namedtuple("Inside", "centre size floor rim")
Handle = _namedtuple("Handle", "centre size")


class SceneObject(_namedtuple("SceneObject", "name position yaw size")):
    """A (name, position, yaw, size) tuple, as in scene state v1; scene state v2 adds .colour,
    .slide, .inside and .handle (None when the object has none), outside the tuple so v1 programs
    that unpack it run as they did."""

    colour = slide = inside = handle = None


class Gripper(_namedtuple("Gripper", "position yaw opening")):
    """A (position, yaw, opening) tuple; scene state v2 adds .widest and .fingertips_below."""

    widest = fingertips_below = None

_REMOVED_BUILTINS = {
    "open", "input", "breakpoint", "help", "exit", "quit", "compile", "exec", "eval", "globals",
    "locals", "vars", "memoryview", "__loader__", "__spec__", "__import__",
}


def _print(*args, sep=" ", end="\n", file=None, flush=False):
    _output.write(sep.join(str(a) for a in args) + end)


def _safe_builtins(output):
    safe = {k: v for k, v in _builtins.__dict__.items() if k not in _REMOVED_BUILTINS}
    safe["__import__"] = _primitives["__import__"]
    safe["print"] = _bind(_print, _output=output)
    return safe


def _program_line(error):
    line = None
    tb = error.__traceback__
    while tb is not None:  # no linecache: a running program may not read files
        if tb.tb_frame.f_code.co_filename == "<program>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _short(text):
    return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 1] + "…"


def _scene_object(o):
    obj = SceneObject(o["name"], tuple(o["position"]), o["yaw"], tuple(o["size"]))
    if "colour" in o:
        obj.colour = o["colour"]
    if "slide" in o:
        s = o["slide"]
        obj.slide = Slide(s["direction"], s["moved"], s["travel"])
    if "inside" in o:
        i = o["inside"]
        obj.inside = Inside(tuple(i["centre"]), tuple(i["size"]), i["floor"], i["rim"])
    if "handle" in o:
        obj.handle = Handle(tuple(o["handle"]["centre"]), tuple(o["handle"]["size"]))
    return obj


def _scene(state):
    objects = _ReadOnly({o["name"]: _scene_object(o) for o in state["objects"]})
    g = state.get("gripper")
    gripper = None
    if g:
        gripper = Gripper(tuple(g["position"]), g["yaw"], g["opening"])
        if "maxOpening" in g:
            gripper.widest = g["maxOpening"]
        if "fingertipsBelow" in g:
            gripper.fingertips_below = g["fingertipsBelow"]
    return objects, gripper


def _compile(source):
    """The program's code, or how it failed to compile."""
    try:
        return _builtins.compile(source, "<program>", "exec"), None
    except SyntaxError as e:
        return None, {"ok": False, "kind": "syntax", "message": _short(f"syntax error: {e.msg}"), "line": e.lineno, "output": ""}
    except RecursionError:
        return None, {"ok": False, "kind": "recursion", "message": "the program is nested too deeply to compile", "output": ""}
    except MemoryError:
        return None, {"ok": False, "kind": "memory", "message": "the program is too large to compile", "output": ""}
    except BaseException as e:
        return None, {"ok": False, "kind": "syntax", "message": _short(f"{type(e).__name__}: {e}"), "output": ""}


def _execute(code, state):
    objects, gripper = _scene(state)
    output = _CappedOutput()
    namespace = {
        "__builtins__": _safe_builtins(output),
        "__name__": "__program__",
        **{k: v for k, v in _primitives.items() if k != "__import__"},
        "RobotError": RobotError,
        "objects": objects,
        "gripper": gripper,
    }
    result = {"ok": True, "kind": "completed", "message": "the program ran to its end"}
    try:
        _builtins.exec(code, namespace)
    except _Done:
        result = {"ok": True, "kind": "completed", "message": "task_completed() was called"}
    except _Stop as e:
        result = {"ok": False, "kind": "stopped", "message": _short(str(e)), "line": _program_line(e)}
    except _OutputLimit as e:
        result = {"ok": False, "kind": "output", "message": f"the program printed more than {OUTPUT_LIMIT} characters", "line": _program_line(e)}
    except RecursionError as e:
        result = {"ok": False, "kind": "recursion", "message": "recursion too deep", "line": _program_line(e)}
    except MemoryError as e:
        result = {"ok": False, "kind": "memory", "message": "the program ran out of memory", "line": _program_line(e)}
    except ImportError as e:
        result = {"ok": False, "kind": "forbidden", "message": _short(str(e)), "line": _program_line(e)}
    except BaseException as e:  # anything the program raised
        result = {"ok": False, "kind": "runtime", "message": _short(f"{type(e).__name__}: {e}"), "line": _program_line(e)}
    result["output"] = "".join(output.parts)[:OUTPUT_LIMIT]
    return result


def run_program():
    """The runner's entry point, once per interpreter: take the program, run it, report how it ended."""
    _send({"op": "task"})
    task = _receive()
    # Compiled before the gate shuts: compiling runs none of the program, but a syntax error's
    # report looks for a source file, which a running program may not do.
    code, failure = _compile(task["program"])
    if failure:
        _send({"op": "end", "result": failure})
        return
    _send({"op": "begin"})  # from here on the runner's gate lets no JavaScript through
    _send({"op": "end", "result": _execute(code, task["state"])})


def _connect(path):
    """Per restored interpreter: open the robot device, build the primitives, drop the ways to JavaScript."""
    global _device, _send, _receive, _primitives
    _device = open(path, "r+b", buffering=0)
    _send = _bind(_write_line, _device=_device, _dumps=_json.dumps)
    _receive = _bind(_read_line, _device=_device, _loads=_json.loads, _Stop=_Stop)
    request = _bind(_request, _send=_send, _receive=_receive, _Stop=_Stop, RobotError=RobotError)
    encode = _bind(_encode)
    move = _bind(move_gripper, _request=request, _encode=encode)
    modules = {name: m for name, m in _sys.modules.items() if name.split(".")[0] in ALLOWED_MODULES}
    _primitives = {
        "open_gripper": _bind(open_gripper, _request=request),
        "close_gripper": _bind(close_gripper, _request=request, _encode=encode),
        "move_gripper": move,
        "execute_trajectory": _bind(execute_trajectory, move_gripper=move),
        "task_completed": _bind(task_completed, _Done=_Done),
        "__import__": _bind(_guarded_import, _ALLOWED=ALLOWED_MODULES, _MODULES=modules),
    }
    for finder in list(_sys.meta_path):
        if type(finder).__name__ == "JsFinder":
            getattr(finder, "jsproxies", {}).clear()
            _sys.meta_path.remove(finder)
    for name in list(_sys.modules):
        if name.split(".")[0] in ("js", "pyodide_js", "pyodide", "_pyodide", "_pyodide_core", "micropip"):
            del _sys.modules[name]
