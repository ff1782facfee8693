// The renderer's Content Security Policy, one string for every place that sets it: the page's
// meta tag (built into index.html), the web server's header and the Electron session. Only the
// app's own scripts and styles run; connections go to the app's own origin (its WebSocket) only.
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
].join('; ');

/** The header form adds what a meta tag cannot carry (browsers ignore frame-ancestors there). */
export const CONTENT_SECURITY_POLICY_HEADER = `${CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`;
