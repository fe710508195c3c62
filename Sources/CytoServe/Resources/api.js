// Requests to this server's JSON API (docs/serve-api.md). Same origin only: the session
// cookie goes along, the browser adds the Origin header that state-changing requests need.
"use strict";

/** An error answer of the API: HTTP status, the `error` code and the server's message. */
export class APIError extends Error {
  constructor(status, body) {
    super((body && body.message) || ("HTTP " + status));
    this.status = status;
    this.code = body && body.error;
  }
}

async function answer(r) {
  let body = null;
  try { body = await r.json(); } catch (_) { body = null; }
  if (!r.ok) throw new APIError(r.status, body);
  return body;
}

export async function getJSON(url) {
  const r = await fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } });
  return answer(r);
}

export async function postJSON(url, body) {
  const r = await fetch(url, {
    method: "POST", credentials: "same-origin",
    headers: { "Accept": "application/json", "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  return answer(r);
}

/**
 * Runs `task(item)` for every item, at most `limit` at a time; `task` handles its own errors.
 */
export async function eachLimited(items, limit, task) {
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const item = items[next++];
      await task(item);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
