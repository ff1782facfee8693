// The bridge process's line to the app that forked it. The app can vanish at any moment (killed,
// crashed): a message sent in the instant before the channel's close is noticed fails with EPIPE,
// and Node raises that failure as an 'error' event on `process`. Unheard, that event kills the
// bridge before its 'disconnect' handler can turn torque off, leaving the arm holding with nobody
// to stop it. So a failed send is dropped here: the 'disconnect' handler does the rescue.

/** Send to the app if it is still there; never throws, never raises an error event. */
export function sendToApp(message: unknown): void {
  if (!process.connected || !process.send) return;
  process.send(message as object, undefined, undefined, () => undefined);
}
