// An api call over HTTP from a chosen local address (127.0.0.x): to `lab serve`, each address is
// another client. Used by the hostile-load test and bench/server.
import { request } from 'node:http';

export function postFrom(
  server: { url: string; token: string },
  from: string,
  call: string,
  input: unknown,
): Promise<{ status: number; text: string }> {
  const url = new URL(`${server.url}/api/${call}`);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        localAddress: from,
        headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(input));
  });
}
