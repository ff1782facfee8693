// The IPC channel names main/ and preload/ agree on; nothing else crosses between them. Both carry
// the call framing's messages (api/framing.ts), one message per IPC message.
/** renderer -> main (send): a CallMessage, {id, call, input} or {cancel: id}. */
export const CALL_CHANNEL = 'lab:call';
/** main -> renderer (send): a ReplyMessage, {id, event} | {id, result} | {id, error}. */
export const REPLY_CHANNEL = 'lab:reply';
