# Runs inside the sandboxed Pyodide runner (python-runner.mjs). Gives robot programs the paper's
# primitives as plain Python functions that talk to the parent through the /dev/robot device, a
# read-only scene, guarded imports and restricted builtins. This is defence in depth: the wall is
# the runner process itself (Node's permission model, clean environment, parent-enforced limits).
import builtins as _builtins
import json as _json
import traceback as _traceback
from collections import namedtuple as _namedtuple
from types import MappingProxyType as _ReadOnly

ALLOWED_MODULES = frozenset({
    "math", "json", "itertools", "functools", "collections", "typing", "re", "copy",
    "statistics", "operator", "string", "dataclasses", "enum", "heapq", "bisect", "fractions",
    "decimal", "numbers", "cmath",
})
OUTPUT_LIMIT = 65536  # bytes of print() output per program


class RobotError(Exception):
    """A primitive call the robot refused."""


class _Stop(BaseException):
    """The parent ended the attempt (invalid number, too many calls): not catchable as Exception."""


class _Done(BaseException):
    """task_completed() was called."""


class _OutputLimit(BaseException):
    pass


_real_import = _builtins.__import__


def _guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
    root = name.split(".")[0]
    if level != 0 or root not in ALLOWED_MODULES:
        raise ImportError(f"import of '{name}' is not allowed in robot programs")
    return _real_import(name, globals, locals, fromlist, level)


_device = open("/dev/robot", "r+b", buffering=0)


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


def _request(name, args):
    _device.write((_json.dumps({"name": name, "args": args}) + "\n").encode())
    reply = _json.loads(_device.readline())
    if "stop" in reply:
        raise _Stop(reply["stop"])
    if "error" in reply:
        raise RobotError(reply["error"])
    return reply.get("result")


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


SceneObject = _namedtuple("SceneObject", "name position yaw size")
Gripper = _namedtuple("Gripper", "position yaw opening")

_REMOVED_BUILTINS = {"open", "input", "breakpoint", "help", "exit", "quit", "compile", "exec", "eval", "globals", "locals", "vars", "memoryview"}


def _safe_builtins(output):
    safe = {k: v for k, v in vars(_builtins).items() if k not in _REMOVED_BUILTINS}
    safe["__import__"] = _guarded_import

    def _print(*args, sep=" ", end="\n", file=None, flush=False):
        output.write(sep.join(str(a) for a in args) + end)

    safe["print"] = _print
    return _ReadOnly(safe)


def _program_line(error):
    line = None
    for frame in _traceback.extract_tb(error.__traceback__):
        if frame.filename == "<program>":
            line = frame.lineno
    return line


def run_program(source, state_json):
    state = _json.loads(state_json)
    objects = _ReadOnly({
        o["name"]: SceneObject(o["name"], tuple(o["position"]), o["yaw"], tuple(o["size"])) for o in state["objects"]
    })
    g = state.get("gripper")
    gripper = Gripper(tuple(g["position"]), g["yaw"], g["opening"]) if g else None
    output = _CappedOutput()
    namespace = {
        "__builtins__": dict(_safe_builtins(output)),
        "__name__": "__program__",
        "open_gripper": open_gripper,
        "close_gripper": close_gripper,
        "move_gripper": move_gripper,
        "execute_trajectory": execute_trajectory,
        "task_completed": task_completed,
        "RobotError": RobotError,
        "objects": objects,
        "gripper": gripper,
    }
    result = {"ok": True, "kind": "completed", "message": "the program ran to its end"}
    try:
        code = _builtins.compile(source, "<program>", "exec")
    except SyntaxError as e:
        return {"ok": False, "kind": "syntax", "message": f"syntax error: {e.msg}", "line": e.lineno, "output": ""}
    try:
        _builtins.exec(code, namespace)
    except _Done:
        result = {"ok": True, "kind": "completed", "message": "task_completed() was called"}
    except _Stop as e:
        result = {"ok": False, "kind": "stopped", "message": str(e), "line": _program_line(e)}
    except _OutputLimit as e:
        result = {"ok": False, "kind": "output", "message": f"the program printed more than {OUTPUT_LIMIT} bytes", "line": _program_line(e)}
    except RecursionError as e:
        result = {"ok": False, "kind": "recursion", "message": "recursion too deep", "line": _program_line(e)}
    except MemoryError as e:
        result = {"ok": False, "kind": "memory", "message": "the program ran out of memory", "line": _program_line(e)}
    except ImportError as e:
        result = {"ok": False, "kind": "forbidden", "message": str(e), "line": _program_line(e)}
    except BaseException as e:  # anything the program raised
        result = {"ok": False, "kind": "runtime", "message": f"{type(e).__name__}: {e}", "line": _program_line(e)}
    result["output"] = "".join(output.parts)[:OUTPUT_LIMIT]
    return result
