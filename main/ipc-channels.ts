// The IPC channel names main/ and preload/ agree on; nothing else crosses between them.
/** renderer -> main (invoke): (id, call name, input) -> {result} | {error} */
export const CALL_CHANNEL = 'lab:call';
/** renderer -> main (send): (id) stops that call; its AbortSignal fires. */
export const CANCEL_CHANNEL = 'lab:cancel';
/** main -> renderer (send): (id, event) an event of a running call. */
export const EVENT_CHANNEL = 'lab:event';
