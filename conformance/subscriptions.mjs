// Subscriptions against a live gateway, with the clients integrators use and with raw sockets.
//
//   GATEWAY_URL=http://127.0.0.1:PORT GATEWAY_TOKEN=<admin jwt> node conformance/subscriptions.mjs
//
// 1. The graphql-ws client (graphql-transport-ws) follows a HosterAPI backup task to SUCCEEDED.
// 2. The subscriptions-transport-ws client (the legacy graphql-ws subprotocol) does the same.
// 3. The graphql-sse client (Server-Sent Events, distinct connections mode) does the same.
// 4. Raw sockets check the protocol's close codes (4400, 4401, 4403, 4408, 4409, 4429), ping/pong,
//    the server's keep-alives in both subprotocols and the per-socket limit on running operations.
//
// Prints one line per check and exits 1 if any fails. Every wait is bounded, so it never hangs. The
// server's keep-alive and init timeout are the gateway's configuration (15 s and 10 s by default),
// so those two checks run alongside the others, bounded by WS_SLOW_TIMEOUT_MS (default 40 s).
// HOSTERAPI_CONNECTION names the HosterAPI connection (default `hosterapi-demo`, the demo's).

import { createClient as createSseClient } from 'graphql-sse';
import { createClient } from 'graphql-ws';
import transportWs from 'subscriptions-transport-ws';
import WebSocket from 'ws';

const { SubscriptionClient } = transportWs;

const base = process.env.GATEWAY_URL?.replace(/\/+$/, '');
const token = process.env.GATEWAY_TOKEN;
if (!base || !token) {
  console.error('GATEWAY_URL (e.g. http://127.0.0.1:8080) and GATEWAY_TOKEN (an admin JWT) are required');
  process.exit(2);
}
const connection = process.env.HOSTERAPI_CONNECTION ?? 'hosterapi-demo';
const wsUrl = `${base.replace(/^http/, 'ws')}/graphql/ws`;
/** The longest one step may take: a message, an HTTP call, a close. */
const WAIT = 10_000;
/** The longest a task may take to finish. */
const TASK_WAIT = 60_000;
/** The longest to wait for what the server's configured timings decide (keep-alive, init timeout). */
const SLOW_WAIT = Number(process.env.WS_SLOW_TIMEOUT_MS ?? 40_000);

const TASK_UPDATED = 'subscription($id: ID!) { taskUpdated(id: $id) { status progress } }';
/** A subscription that stays open until completed (the `tasks` feed). */
const FEED = 'subscription { tasks { taskId } }';

let failures = 0;

function report(ok, name, detail) {
  if (!ok) failures += 1;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? `: ${detail}` : ''}`);
}

/** `promise`, or a rejection saying what did not happen within `ms`. */
function within(ms, what, promise) {
  let timer;
  const expiry = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  return Promise.race([promise, expiry]).finally(() => clearTimeout(timer));
}

/** Runs one check: it passes when `body` resolves (with the detail to print) and fails when it throws. */
async function check(name, body, ms = WAIT * 3) {
  try {
    report(true, name, await within(ms, name, body()));
  } catch (e) {
    report(false, name, e?.message ?? String(e));
  }
}

function fail(message) {
  throw new Error(message);
}

// ---------------------------------------------------------------------------------------------
// GraphQL over HTTP

async function graphql(query, variables = {}) {
  const response = await within(
    WAIT,
    'POST /graphql',
    fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    }),
  );
  const body = await response.json();
  if (response.status !== 200 || body.errors) {
    fail(`HTTP ${response.status}: ${JSON.stringify(body)}`);
  }
  return body.data;
}

/** Starts a backup of VM 4001 and returns its task's ID and status now. */
async function startTask() {
  const data = await graphql(
    'mutation($c: String!) { hosterapiCreateServerBackup(connection: $c, sid: 4001) { task { id } } }',
    { c: connection },
  );
  const id = data.hosterapiCreateServerBackup?.task?.id ?? fail(`no task: ${JSON.stringify(data)}`);
  const now = await graphql('query($id: ID!) { task(id: $id) { status } }', { id });
  return { id, status: now.task.status };
}

const RANK = { QUEUED: 0, RUNNING: 1, SUCCEEDED: 2 };

/**
 * What a subscriber saw of a task must make sense: its status when the subscription started (or a
 * later one) first, statuses and progress never going back, SUCCEEDED last, and then the end of the
 * stream with nothing after it.
 */
function assertFollowed(before, updates, completed) {
  const statuses = updates.map((u) => u.status);
  if (updates.length === 0) fail('no update at all');
  for (const s of statuses) if (!(s in RANK)) fail(`unexpected status ${s} in ${statuses}`);
  if (RANK[statuses[0]] < RANK[before]) {
    fail(`the first status ${statuses[0]} is older than the task's ${before} when subscribing`);
  }
  for (let i = 1; i < updates.length; i += 1) {
    if (RANK[statuses[i]] < RANK[statuses[i - 1]]) fail(`the status went back: ${statuses}`);
    if ((updates[i].progress ?? 0) < (updates[i - 1].progress ?? 0)) {
      fail(`the progress went back: ${updates.map((u) => u.progress)}`);
    }
  }
  if (statuses.at(-1) !== 'SUCCEEDED') fail(`ended ${statuses.at(-1)}: ${statuses}`);
  if (statuses.indexOf('SUCCEEDED') !== statuses.length - 1) fail(`updates after SUCCEEDED: ${statuses}`);
  if (!completed) fail('the stream did not complete');
  // Consecutive duplicates collapsed, for a readable line.
  return statuses.filter((s, i) => s !== statuses[i - 1]).join(' -> ') + ` (${updates.length} updates), complete`;
}

/**
 * Starts a task and follows it with `subscribe(payload, sink)`, a client's own way of subscribing
 * (every client here takes a `next`/`error`/`complete` sink); returns what `assertFollowed` says.
 */
async function follow(name, subscribe) {
  const task = await startTask();
  const updates = [];
  let completed = false;
  await within(
    TASK_WAIT,
    `taskUpdated over ${name}`,
    new Promise((resolve, reject) => {
      subscribe(
        { query: TASK_UPDATED, variables: { id: task.id } },
        {
          next: (result) => {
            if (result.errors) reject(new Error(JSON.stringify(result.errors)));
            else updates.push(result.data.taskUpdated);
          },
          error: (e) => {
            if (e instanceof Error) reject(e);
            else if (e?.code) reject(new Error(`closed ${e.code} ${e.reason ?? ''}`));
            else reject(new Error(JSON.stringify(e)));
          },
          complete: () => {
            completed = true;
            resolve();
          },
        },
      );
    }),
  );
  return assertFollowed(task.status, updates, completed);
}

// ---------------------------------------------------------------------------------------------
// 1. graphql-ws (graphql-transport-ws)

async function followWithGraphqlWs() {
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: true,
  });
  try {
    return await follow('graphql-ws', (payload, sink) => client.subscribe(payload, sink));
  } finally {
    await client.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// 2. subscriptions-transport-ws (legacy graphql-ws)

async function followWithSubscriptionsTransportWs() {
  const client = new SubscriptionClient(
    wsUrl,
    { connectionParams: { Authorization: `Bearer ${token}` }, reconnect: false, timeout: SLOW_WAIT },
    WebSocket,
  );
  try {
    return await follow('subscriptions-transport-ws', (payload, sink) => {
      client.onDisconnected(() => sink.error(new Error('disconnected')));
      client.request(payload).subscribe(sink);
    });
  } finally {
    client.close();
  }
}

// ---------------------------------------------------------------------------------------------
// 3. graphql-sse (Server-Sent Events, distinct connections mode)

async function followWithGraphqlSse() {
  const client = createSseClient({
    url: `${base}/graphql/stream`,
    headers: { Authorization: `Bearer ${token}` },
    singleConnection: false,
    retryAttempts: 0,
  });
  try {
    return await follow('graphql-sse', (payload, sink) => client.subscribe(payload, sink));
  } finally {
    client.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// 4. Raw sockets

/** A socket offering one subprotocol, with its messages in a queue and its close as a promise. */
class Raw {
  static async open(protocol = 'graphql-transport-ws') {
    const raw = new Raw(new WebSocket(wsUrl, protocol));
    await within(
      WAIT,
      `opening a ${protocol} socket`,
      new Promise((resolve, reject) => {
        raw.ws.once('open', resolve);
        raw.ws.once('error', reject);
        raw.ws.once('unexpected-response', (_, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
      }),
    );
    if (raw.ws.protocol !== protocol) fail(`the server chose subprotocol "${raw.ws.protocol}"`);
    return raw;
  }

  constructor(ws) {
    this.ws = ws;
    this.queue = [];
    this.waiting = [];
    this.ws.on('message', (data) => {
      let message;
      try {
        message = JSON.parse(String(data));
      } catch {
        message = { unparsable: String(data) };
      }
      const waiter = this.waiting.shift();
      if (waiter) waiter(message);
      else this.queue.push(message);
    });
    this.closed = new Promise((resolve) => {
      this.ws.on('close', (code, reason) => resolve({ code, reason: String(reason) }));
    });
    // A failing socket also ends in `close`; the error itself needs no handler's crash.
    this.ws.on('error', () => {});
  }

  send(message) {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The next message; the close, or nothing within `ms`, is an error. */
  next(ms = WAIT, what = 'a message') {
    if (this.queue.length > 0) return Promise.resolve(this.queue.shift());
    const message = new Promise((resolve) => this.waiting.push(resolve));
    const closed = this.closed.then(({ code, reason }) => fail(`closed ${code} "${reason}" instead of ${what}`));
    return within(ms, what, Promise.race([message, closed]));
  }

  /** The next message that is not a server keep-alive. */
  async nextIgnoringKeepalive(ms = WAIT, what = 'a message') {
    for (;;) {
      const m = await this.next(ms, what);
      if (m.type !== 'ping' && m.type !== 'ka') return m;
    }
  }

  async init(payload = { Authorization: `Bearer ${token}` }) {
    this.send({ type: 'connection_init', payload });
    const ack = await this.nextIgnoringKeepalive(WAIT, 'connection_ack');
    if (ack.type !== 'connection_ack') fail(`expected connection_ack, got ${JSON.stringify(ack)}`);
  }

  /** The close code and reason the server ends the socket with; messages before it are skipped. */
  async close(ms = WAIT) {
    const result = await within(ms, 'the server closing the socket', this.closed);
    return result;
  }

  end() {
    this.ws.terminate();
  }
}

/** Opens a socket, runs `steps` on it and expects the server to close it with `code`. */
async function expectClose(code, steps, { protocol, ms } = {}) {
  const raw = await Raw.open(protocol);
  try {
    await steps(raw);
    const closed = await raw.close(ms);
    if (closed.code !== code) fail(`closed ${closed.code} "${closed.reason}", expected ${code}`);
    return `closed ${closed.code} "${closed.reason}"`;
  } finally {
    raw.end();
  }
}

async function withSocket(body, protocol) {
  const raw = await Raw.open(protocol);
  try {
    return await body(raw);
  } finally {
    raw.end();
  }
}

const rawChecks = [
  ['4400 on a message that is not JSON', () => expectClose(4400, async (ws) => {
    await ws.init();
    ws.send('this is not JSON');
  })],
  ['4400 on a message of an unknown type', () => expectClose(4400, async (ws) => {
    await ws.init();
    ws.send({ type: 'shout', payload: {} });
  })],
  ['4401 on subscribe before connection_ack', () => expectClose(4401, async (ws) => {
    ws.send({ id: '1', type: 'subscribe', payload: { query: '{ viewer { subject } }' } });
  })],
  ['4403 on a bad token in connection_init', () => expectClose(4403, async (ws) => {
    ws.send({ type: 'connection_init', payload: { Authorization: 'Bearer not.a.valid-token' } });
  })],
  ['4409 on two subscribes with the same id', () => expectClose(4409, async (ws) => {
    await ws.init();
    ws.send({ id: 'dup', type: 'subscribe', payload: { query: FEED } });
    ws.send({ id: 'dup', type: 'subscribe', payload: { query: FEED } });
  })],
  ['4429 on a second connection_init', () => expectClose(4429, async (ws) => {
    await ws.init();
    ws.send({ type: 'connection_init', payload: {} });
  })],
  ['ping answered with pong', () => withSocket(async (ws) => {
    await ws.init();
    ws.send({ type: 'ping', payload: { probe: 1 } });
    const pong = await ws.nextIgnoringKeepalive(WAIT, 'pong');
    if (pong.type !== 'pong' || pong.payload?.probe !== 1) fail(`expected the pong, got ${JSON.stringify(pong)}`);
    return JSON.stringify(pong);
  })],
  ['legacy graphql-ws: ka after connection_ack', () => withSocket(async (ws) => {
    await ws.init();
    const ka = await ws.next(SLOW_WAIT, 'ka');
    if (ka.type !== 'ka') fail(`expected ka, got ${JSON.stringify(ka)}`);
    return JSON.stringify(ka);
  }, 'graphql-ws')],
  ['per-socket limit on running subscriptions', () => withSocket(async (ws) => {
    await ws.init();
    // The limit is the gateway's configuration: subscribe until one is refused, up to a bound.
    const bound = 1000;
    for (let i = 1; i <= bound; i += 1) ws.send({ id: `s${i}`, type: 'subscribe', payload: { query: FEED } });
    const refused = await ws.nextIgnoringKeepalive(WAIT, 'a refusal');
    if (refused.type !== 'error' || refused.payload?.[0]?.extensions?.code !== 'LIMIT_EXCEEDED') {
      fail(`expected an error with LIMIT_EXCEEDED, got ${JSON.stringify(refused)}`);
    }
    // The socket stays open: a ping still gets its pong after the other refusals.
    ws.send({ type: 'ping', payload: { after: 'limit' } });
    for (;;) {
      const m = await ws.nextIgnoringKeepalive(WAIT, 'pong after the limit');
      if (m.type === 'pong') break;
      if (m.type !== 'error') fail(`unexpected ${JSON.stringify(m)}`);
    }
    return `${refused.id} refused (LIMIT_EXCEEDED: ${refused.payload[0].message}); the socket stays open`;
  })],
];

// The checks whose wait is the gateway's own timing start first and run alongside the rest.
const slowChecks = [
  check('server pings an idle connection, and the socket stays open after the pong', () => withSocket(async (ws) => {
    await ws.init();
    const ping = await ws.next(SLOW_WAIT, 'a server ping');
    if (ping.type !== 'ping') fail(`expected a ping, got ${JSON.stringify(ping)}`);
    ws.send({ type: 'pong' });
    ws.send({ type: 'ping' });
    const pong = await ws.nextIgnoringKeepalive(WAIT, 'pong');
    if (pong.type !== 'pong') fail(`expected a pong, got ${JSON.stringify(pong)}`);
    return JSON.stringify(ping);
  }), SLOW_WAIT + WAIT * 2),
  check('4408 without connection_init in time', () => expectClose(4408, async () => {}, { ms: SLOW_WAIT }), SLOW_WAIT + WAIT * 2),
];

await check('graphql-ws client follows a task to SUCCEEDED', followWithGraphqlWs, TASK_WAIT + WAIT * 3);
await check('subscriptions-transport-ws client follows a task to SUCCEEDED', followWithSubscriptionsTransportWs, TASK_WAIT + WAIT * 3);
await check('graphql-sse client follows a task to SUCCEEDED', followWithGraphqlSse, TASK_WAIT + WAIT * 3);
for (const [name, body] of rawChecks) await check(name, body);
await Promise.all(slowChecks);

console.log(failures === 0 ? '\nall subscription checks passed' : `\n${failures} subscription check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
