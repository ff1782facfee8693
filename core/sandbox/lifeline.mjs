// A thread of the runner that watches the lifeline (fd 3), a pipe the parent holds open and never
// writes to. When the parent goes (it died, was killed, or the worker thread that started this
// runner was stopped), the pipe closes and this thread kills the runner, even while a program
// spins in Python and the runner's own thread cannot listen. It waits in its own event loop (not in
// a blocking read), so the runner can still exit normally at any time.
import { Socket } from 'node:net';

const LIFELINE_FD = 3;
const lifeline = new Socket({ fd: LIFELINE_FD, readable: true, writable: false });
const die = () => process.kill(process.pid, 'SIGKILL');
lifeline.on('end', die);
lifeline.on('close', die);
lifeline.on('error', die);
lifeline.resume();
