// The graphql-http server audit (GraphQL-over-HTTP spec conformance) against a live gateway.
//
//   GATEWAY_URL=http://127.0.0.1:PORT GATEWAY_TOKEN=<admin jwt> node conformance/audit.mjs
//
// Prints one line per audit (and, for any that is not "ok", the response it got), then a summary.
// Exits 1 if any audit is not "ok": MAY audits ("notice") count too, because the gateway meets them
// and a regression there is still a regression.

import { auditServer } from 'graphql-http';

const base = process.env.GATEWAY_URL;
const token = process.env.GATEWAY_TOKEN;
if (!base || !token) {
  console.error('GATEWAY_URL (e.g. http://127.0.0.1:8080) and GATEWAY_TOKEN (an admin JWT) are required');
  process.exit(2);
}
const url = `${base.replace(/\/+$/, '')}/graphql`;

// The gateway authenticates every operation, so each audit request carries the token. The audit's
// own headers are kept as they are (whatever form they come in): they are what is being tested.
function authorizedFetch(input, init = {}) {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
}

// Response details of a failed audit: status, headers and body. The audit may already have read the
// body (it clones the response first when it means to show it), so reading it can fail.
async function details(response) {
  if (!response) return '    (no response)';
  const lines = [`    status: ${response.status} ${response.statusText}`];
  for (const [name, value] of response.headers) lines.push(`    ${name}: ${value}`);
  try {
    const body = await response.text();
    lines.push(`    body: ${body.length > 2000 ? `${body.slice(0, 2000)}...` : body}`);
  } catch (e) {
    lines.push(`    body: (unreadable: ${e.message})`);
  }
  return lines.join('\n');
}

let results;
try {
  results = await auditServer({ url, fetchFn: authorizedFetch });
} catch (e) {
  // auditServer throws only on fatal problems, such as the gateway not answering at all.
  console.error(`audit could not run against ${url}: ${e.stack ?? e}`);
  process.exit(1);
}

const counts = {};
for (const result of results) {
  counts[result.status] = (counts[result.status] ?? 0) + 1;
  console.log(`${result.status.padEnd(6)} ${result.id} ${result.name}`);
  if (result.status !== 'ok') {
    console.log(`    reason: ${result.reason}`);
    console.log(await details(result.response));
  }
}

const summary = ['ok', 'notice', 'warn', 'error'].map((s) => `${counts[s] ?? 0} ${s}`).join(', ');
console.log(`\ngraphql-http ${results.length} audits against ${url}: ${summary}`);
process.exit(results.every((r) => r.status === 'ok') ? 0 : 1);
