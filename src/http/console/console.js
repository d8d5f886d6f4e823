// hostplane console: connection health and the live task feed, over GraphQL.
// Plain DOM, no dependencies; served with a strict CSP, so no inline anything and no innerHTML.
(() => {
  "use strict";

  const params = new URLSearchParams(location.search);
  // `?gateway=` is for working on the page from another origin. As the gateway serves it, its policy
  // lets it connect to the gateway alone, so a crafted link cannot send the token anywhere else.
  const base = (params.get("gateway") || location.origin).replace(/\/+$/, "");
  const forced = params.get("transport"); // "ws" | "sse" | null
  const TOKEN_KEY = "hostplane:console:token";
  const FIELDS = "taskId operation provider connection status progress message createdAt updatedAt finishedAt";
  const TASKS_QUERY = `query { tasks(first: 50) { nodes { ${FIELDS} } } }`;
  const FEED_QUERY = `subscription { tasks { ${FIELDS} } }`;
  const HEALTH_QUERY = "query { connectionHealth { connection reachable authenticated latencyMs code upstreamStatus } }";
  const DEMO_MUTATION = `mutation { hosterapiCreateServerBackup(connection: "hosterapi-demo", sid: 4001) { task { ${FIELDS} } } }`;
  const MAX_ROWS = 200;
  const POLL_MS = 15000;
  const ACK_TIMEOUT_MS = 5000;

  const $ = (id) => document.getElementById(id);
  const el = {
    form: $("token-form"), token: $("token"), forget: $("forget"), error: $("error"),
    transport: $("transport"), feed: $("feed-state"), gateway: $("gateway"),
    connections: $("connections").tBodies[0], summary: $("connections-summary"), checkNow: $("check-now"),
    demo: $("demo-task"), provider: $("filter-provider"), status: $("filter-status"),
    tasks: $("tasks"), empty: $("tasks-empty"),
  };

  let token = "";
  let session = 0; // bumped on connect/forget: answers to an older session's requests are dropped
  let errorSource = null;

  // ---------- small helpers ----------

  function make(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  class GqlError extends Error {
    constructor(message, code) { super(message); this.code = code || null; }
  }
  const fromGraphql = (e) => new GqlError(e.message || "unknown error", e.extensions && e.extensions.code);

  // The last error wins; `source` lets a later success from the same place clear it.
  function showError(err, source) {
    el.error.textContent = err.code ? `${err.code}: ${err.message}` : String(err.message || err);
    el.error.hidden = false;
    errorSource = source;
  }
  function clearError(source) {
    if (source && source !== errorSource) return;
    el.error.textContent = "";
    el.error.hidden = true;
    errorSource = null;
  }

  // POST /graphql. Resolves to { data, error } (error: the first of a partial answer's errors);
  // rejects when there is no data at all (a refused token, a failed mutation, no network).
  async function gql(query) {
    let res;
    try {
      res = await fetch(base + "/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer " + token },
        body: JSON.stringify({ query, variables: {} }),
      });
    } catch (e) {
      throw new GqlError(`could not reach ${base}/graphql`, "NETWORK");
    }
    const body = await res.json().catch(() => null);
    const error = body && body.errors && body.errors.length ? fromGraphql(body.errors[0]) : null;
    if (!body || body.data == null) throw error || new GqlError(`HTTP ${res.status} from ${base}/graphql`, "HTTP_" + res.status);
    return { data: body.data, error };
  }
  const report = (error, source) => (error ? showError(error, source) : clearError(source));

  const pad = (n) => String(n).padStart(2, "0");
  // The gateway sends nanoseconds; trim to milliseconds so every Date parser agrees.
  const timeOf = (iso) => Date.parse(String(iso).replace(/(\.\d{3})\d+/, "$1"));
  const clock = (iso) => {
    const d = new Date(timeOf(iso));
    return isNaN(d) ? "" : `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  };
  // Order of two timestamps: by time, then by the full string (sub-millisecond ties).
  const compareTimes = (a, b) => (timeOf(a) - timeOf(b)) || (a < b ? -1 : a > b ? 1 : 0);

  // ---------- connections ----------

  const connectionRows = new Map(); // name -> { row, badge, latency }
  let healthBusy = false;
  let pollTimer = null;

  async function loadConnections() {
    if (!token || healthBusy) return;
    const mine = session;
    healthBusy = true;
    el.checkNow.disabled = true;
    try {
      const { data, error } = await gql(HEALTH_QUERY);
      if (mine !== session) return;
      renderConnections(data.connectionHealth || []);
      report(error, "connections");
    } catch (err) {
      if (mine === session) showError(err, "connections");
    } finally {
      healthBusy = false;
      el.checkNow.disabled = !token;
    }
  }

  function describe(c) {
    if (!c.reachable) return "Unreachable";
    if (!c.authenticated) return "Refused credentials";
    return "Upstream error"; // answered and took the credentials, but the probe still failed
  }

  function renderConnections(list) {
    const seen = new Set();
    let healthy = 0;
    for (const c of list) {
      seen.add(c.connection);
      let r = connectionRows.get(c.connection);
      if (!r) {
        const row = make("tr");
        row.dataset.connection = c.connection;
        const badge = make("span", "badge");
        const latency = make("td", "num");
        const stateCell = make("td");
        stateCell.append(badge);
        row.append(make("th", "name", c.connection), stateCell, latency);
        row.firstChild.scope = "row";
        r = { row, badge, latency };
        connectionRows.set(c.connection, r);
      }
      el.connections.append(r.row); // (re)appending keeps the server's order
      const ok = c.reachable && c.authenticated && c.code == null;
      if (ok) healthy++;
      r.row.dataset.healthy = String(ok);
      const detail = [c.code, c.upstreamStatus != null ? `HTTP ${c.upstreamStatus}` : null].filter(Boolean);
      r.badge.textContent = ok ? "Healthy" : [describe(c), ...detail].join(" · ");
      r.badge.className = "badge " + (ok ? "good" : "bad");
      r.latency.textContent = c.latencyMs != null ? `${c.latencyMs} ms` : "";
    }
    for (const [name, r] of connectionRows) {
      if (!seen.has(name)) { r.row.remove(); connectionRows.delete(name); }
    }
    el.summary.textContent = list.length ? `${healthy} of ${list.length} healthy` : "no connections";
    el.demo.hidden = !seen.has("hosterapi-demo");
  }

  // ---------- tasks ----------

  const taskRows = new Map(); // taskId -> { row, task, cells... }

  function upsertTask(task) {
    if (!task || !task.taskId) return;
    let r = taskRows.get(task.taskId);
    if (r && compareTimes(task.updatedAt, r.task.updatedAt) < 0) return; // an older answer than what we show
    if (!r) {
      r = buildRow(task);
      taskRows.set(task.taskId, r);
      // Newest first by createdAt; a task's createdAt never changes, so rows never move later.
      let before = null;
      for (const other of el.tasks.rows) {
        const o = taskRows.get(other.dataset.taskId);
        if (o && compareTimes(task.createdAt, o.task.createdAt) > 0) { before = other; break; }
      }
      el.tasks.insertBefore(r.row, before);
      while (el.tasks.rows.length > MAX_ROWS) {
        const last = el.tasks.rows[el.tasks.rows.length - 1];
        taskRows.delete(last.dataset.taskId);
        last.remove();
      }
      if (!taskRows.has(task.taskId)) return updateEmpty(); // it was the oldest and fell off the end
    }
    r.task = task;
    fillRow(r);
    applyFilter(r.row);
    updateEmpty();
  }

  function buildRow(task) {
    const row = make("tr");
    row.dataset.taskId = task.taskId;
    const r = {
      row, task,
      operation: make("td", "operation"),
      provider: make("td", "provider"),
      connection: make("td", "connection"),
      status: make("span", "status badge"),
      progress: make("progress", "progress"),
      message: make("td", "message"),
      updated: make("td", "updated"),
    };
    r.progress.max = 1;
    const statusCell = make("td");
    statusCell.append(r.status);
    const progressCell = make("td", "progress-cell");
    progressCell.append(r.progress);
    row.append(r.operation, r.provider, r.connection, statusCell, progressCell, r.message, r.updated);
    return r;
  }

  // Writes only what changed, so a row updates in place without flicker.
  function fillRow(r) {
    const t = r.task;
    const set = (node, text) => { if (node.textContent !== text) node.textContent = text; };
    r.row.dataset.status = t.status;
    r.row.dataset.provider = t.provider;
    set(r.operation, t.operation);
    set(r.provider, t.provider);
    set(r.connection, t.connection);
    set(r.status, t.status);
    r.status.dataset.status = t.status;
    set(r.message, t.message || "");
    set(r.updated, clock(t.updatedAt));
    r.updated.title = t.updatedAt;

    let value = t.progress;
    if (t.status === "SUCCEEDED") value = 1;
    if (value == null && (t.status === "QUEUED" || t.status === "RUNNING")) {
      r.progress.removeAttribute("value"); // indeterminate
      r.progress.setAttribute("aria-label", "in progress");
    } else {
      r.progress.value = value || 0;
      r.progress.setAttribute("aria-label", `${Math.round((value || 0) * 100)}%`);
    }
  }

  function clearTasks() {
    taskRows.clear();
    el.tasks.replaceChildren();
    updateEmpty();
  }

  async function loadTasks() {
    if (!token) return;
    const mine = session;
    try {
      const { data, error } = await gql(TASKS_QUERY);
      if (mine !== session) return;
      // Oldest first, so the "newest first" insertion stays cheap and the cap drops the oldest.
      const nodes = (data.tasks && data.tasks.nodes) || [];
      for (const t of nodes.slice().reverse()) upsertTask(t);
      report(error, "tasks");
    } catch (err) {
      if (mine === session) showError(err, "tasks");
    }
  }

  async function startDemoTask() {
    el.demo.disabled = true;
    const mine = session;
    try {
      const { data, error } = await gql(DEMO_MUTATION);
      if (mine !== session) return;
      if (data.hosterapiCreateServerBackup) upsertTask(data.hosterapiCreateServerBackup.task);
      report(error, "demo");
    } catch (err) {
      if (mine === session) showError(err, "demo");
    } finally {
      el.demo.disabled = false;
    }
  }

  // ---------- filters (kept in the URL hash, never the token) ----------

  function applyFilter(row) {
    const p = el.provider.value, s = el.status.value;
    row.hidden = (p !== "" && row.dataset.provider !== p) || (s !== "" && row.dataset.status !== s);
  }

  function updateEmpty() {
    const visible = Array.prototype.some.call(el.tasks.rows, (row) => !row.hidden);
    el.empty.hidden = visible;
    if (!visible) {
      el.empty.textContent = !token ? "Connect with a token to see tasks."
        : el.tasks.rows.length ? "No tasks match the filters." : "No tasks yet.";
    }
  }

  function filtersChanged() {
    for (const row of el.tasks.rows) applyFilter(row);
    updateEmpty();
    const h = new URLSearchParams();
    if (el.provider.value) h.set("provider", el.provider.value);
    if (el.status.value) h.set("status", el.status.value);
    const hash = h.toString();
    history.replaceState(null, "", location.pathname + location.search + (hash ? "#" + hash : ""));
  }

  function restoreFilters() {
    const h = new URLSearchParams(location.hash.slice(1));
    const pick = (select, value) => {
      if (value && Array.prototype.some.call(select.options, (o) => o.value === value)) select.value = value;
    };
    pick(el.provider, h.get("provider"));
    pick(el.status, h.get("status"));
  }

  // ---------- live feed ----------

  // Each transport opener takes handlers and returns a stop function. Handlers:
  //   live(name)        the subscription is open
  //   next(result)      an ExecutionResult arrived
  //   fail(err, how)    the connection ended; how = { fatal } (no retry) or { fallback } (try SSE)

  function openWebSocket(h) {
    const ws = new WebSocket(base.replace(/^http/i, "ws") + "/graphql/ws", "graphql-transport-ws");
    let acked = false, done = false;
    const send = (msg) => ws.send(JSON.stringify(msg));
    const end = (err, how) => {
      if (done) return;
      done = true;
      clearTimeout(ackTimer);
      if (ws.readyState < WebSocket.CLOSING) ws.close(1000);
      h.fail(err, how);
    };
    // No ack in time: most likely a proxy that accepts but never forwards the upgrade.
    const ackTimer = setTimeout(() => end(new GqlError("no connection_ack within 5 s", "WEBSOCKET"), { fallback: true }), ACK_TIMEOUT_MS);

    ws.onopen = () => send({ type: "connection_init", payload: { Authorization: "Bearer " + token } });
    ws.onmessage = (ev) => {
      if (done) return;
      let msg;
      try { msg = JSON.parse(ev.data); } catch (e) { return end(new GqlError("unreadable message", "WEBSOCKET"), {}); }
      switch (msg.type) {
        case "connection_ack":
          acked = true;
          clearTimeout(ackTimer);
          send({ id: "1", type: "subscribe", payload: { query: FEED_QUERY, variables: {} } });
          h.live("WebSocket");
          break;
        case "ping": send({ type: "pong" }); break;
        case "next": h.next(msg.payload); break;
        // The subscription was refused (validation, permissions): retrying would not help.
        case "error": end(fromGraphql((msg.payload && msg.payload[0]) || {}), { fatal: true }); break;
        case "complete": end(null, {}); break; // a normal end: resubscribe, nothing to report
      }
    };
    ws.onclose = (ev) => {
      if (ev.code === 4401 || ev.code === 4403) {
        const why = (ev.reason || "the gateway refused the token").replace(/^(Forbidden|Unauthorized):?\s*/i, "") || "the gateway refused the token";
        return end(new GqlError(why, ev.code === 4401 ? "UNAUTHENTICATED" : "FORBIDDEN"), { fatal: true });
      }
      const why = `WebSocket closed (${ev.code}${ev.reason ? ": " + ev.reason : ""})`;
      end(new GqlError(why, "WEBSOCKET"), { fallback: !acked });
    };
    return () => { done = true; clearTimeout(ackTimer); ws.onclose = null; ws.close(1000); };
  }

  // GraphQL over Server-Sent Events, distinct connections mode: one POST per subscription.
  function openSse(h) {
    const abort = new AbortController();
    (async () => {
      const res = await fetch(base + "/graphql/stream", {
        method: "POST",
        headers: { accept: "text/event-stream", "content-type": "application/json", authorization: "Bearer " + token },
        body: JSON.stringify({ query: FEED_QUERY, variables: {} }),
        signal: abort.signal,
      });
      const type = res.headers.get("content-type") || "";
      if (!res.ok || !type.startsWith("text/event-stream")) {
        const body = await res.json().catch(() => null);
        const err = body && body.errors && body.errors.length ? fromGraphql(body.errors[0])
          : new GqlError(`HTTP ${res.status} from ${base}/graphql/stream`, "HTTP_" + res.status);
        // A 4xx (bad token, bad request) repeats if retried; 408/429/5xx may not.
        const fatal = res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429;
        return h.fail(err, { fatal });
      }
      h.live("SSE");
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let ended = false;
      const parser = sseParser((event, data) => {
        if (event === "next") {
          let result;
          try { result = JSON.parse(data); } catch (e) { return; }
          h.next(result);
        } else if (event === "complete") {
          ended = true;
        }
      });
      while (!ended) {
        const { done, value } = await reader.read();
        if (done) break;
        parser(decoder.decode(value, { stream: true }));
      }
      abort.abort(); // (an event cut off by the end is dropped, as the SSE spec says)
      // `complete` is a normal end; a stream cut without one is worth a word.
      h.fail(ended ? null : new GqlError("the event stream ended without `complete`", "SSE"), {});
    })().catch((err) => {
      if (abort.signal.aborted) return; // we stopped it ourselves
      h.fail(new GqlError(`could not stream from ${base}/graphql/stream (${err.message})`, "NETWORK"), {});
    });
    return () => abort.abort();
  }

  // An incremental text/event-stream parser (HTML spec §9.2.6): feed it text chunks, it calls
  // onEvent(type, data) per dispatched event. Handles \r\n, \r and \n, comments and multi-line data.
  function sseParser(onEvent) {
    let buffer = "", event = "", data = [];
    return (chunk) => {
      buffer += chunk;
      // A trailing \r may be the first half of \r\n: keep it for the next chunk.
      const lines = buffer.split(/\r\n|\r(?!$)|\n/);
      buffer = lines.pop();
      for (const line of lines) {
        if (line === "") {
          if (data.length) onEvent(event || "message", data.join("\n"));
          event = "";
          data = [];
          continue;
        }
        if (line[0] === ":") continue; // keep-alive comment
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? "" : line.slice(colon + 1);
        if (value[0] === " ") value = value.slice(1);
        if (field === "event") event = value;
        else if (field === "data") data.push(value);
        // "id" and "retry" mean nothing here: reconnection is ours.
      }
    };
  }

  const feed = {
    gen: 0,          // bumps on every start/stop, so callbacks of a replaced connection do nothing
    stop: null,      // stops the current connection
    retryTimer: null,
    attempt: 0,      // failed or short-lived connections in a row, for the backoff
    everLive: false, // the feed was live in this generation: a later open is a reconnect
    liveSince: 0,
    sseOnly: forced === "sse",
    wsWorked: false, // once a WebSocket was acked on this page, a failure is an outage, not a blocking proxy
  };

  function setFeedState(state, transport) {
    el.feed.textContent = state;
    el.feed.dataset.state = state;
    el.transport.textContent = transport;
  }

  function stopFeed() {
    feed.gen++;
    clearTimeout(feed.retryTimer);
    if (feed.stop) feed.stop();
    feed.stop = null;
    setFeedState("stopped", "offline");
  }

  function startFeed() {
    stopFeed();
    if (!token) return;
    feed.attempt = 0;
    feed.everLive = false;
    openFeed(feed.gen);
  }

  function openFeed(gen) {
    setFeedState(feed.everLive || feed.attempt ? "reconnecting" : "connecting", "connecting…");
    const mine = () => gen === feed.gen;
    const useSse = feed.sseOnly;
    const handlers = {
      live(name) {
        if (!mine()) return;
        if (name === "WebSocket") feed.wsWorked = true;
        const reconnect = feed.everLive;
        feed.everLive = true;
        feed.liveSince = Date.now();
        setFeedState("live", name);
        clearError("feed");
        if (reconnect) loadTasks(); // fill whatever changed while we were away
      },
      next(result) {
        if (!mine() || !result) return;
        if (result.errors && result.errors.length) showError(fromGraphql(result.errors[0]), "feed");
        if (result.data && result.data.tasks) upsertTask(result.data.tasks);
      },
      fail(err, how) {
        if (!mine()) return;
        feed.stop = null;
        if (how.fatal) {
          setFeedState("stopped", "offline");
          showError(err, "feed");
          return;
        }
        if (how.fallback && !useSse && !forced && !feed.wsWorked) {
          feed.sseOnly = true; // stays on SSE for the page's life
          return openFeed(gen);
        }
        if (err) showError(err, "feed");
        // Back off afresh only after a connection that lasted: one the server keeps ending at once
        // (or that never opens) is retried ever more slowly.
        if (feed.liveSince && Date.now() - feed.liveSince > 10000) feed.attempt = 0;
        feed.liveSince = 0;
        const delay = Math.min(1000 * 2 ** feed.attempt, 15000);
        feed.attempt++;
        setFeedState("reconnecting", "offline");
        feed.retryTimer = setTimeout(() => { if (mine()) openFeed(gen); }, delay);
      },
    };
    try {
      feed.stop = useSse ? openSse(handlers) : openWebSocket(handlers);
    } catch (err) { // e.g. an invalid WebSocket URL
      handlers.fail(new GqlError(err.message, "WEBSOCKET"), { fallback: true });
    }
  }

  // ---------- token & wiring ----------

  function connect() {
    session++;
    clearError();
    clearTasks();
    el.checkNow.disabled = false;
    clearInterval(pollTimer);
    pollTimer = setInterval(loadConnections, POLL_MS);
    healthBusy = false;
    loadConnections();
    loadTasks();
    startFeed();
  }

  function forget() {
    session++;
    token = "";
    try { sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* storage unavailable */ }
    el.token.value = "";
    clearInterval(pollTimer);
    stopFeed();
    clearError();
    clearTasks();
    for (const r of connectionRows.values()) r.row.remove();
    connectionRows.clear();
    el.summary.textContent = "not loaded";
    el.demo.hidden = true;
    el.checkNow.disabled = true;
  }

  el.form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    token = el.token.value.trim();
    if (!token) return forget();
    try { sessionStorage.setItem(TOKEN_KEY, token); } catch (e) { /* storage unavailable */ }
    connect();
  });
  el.forget.addEventListener("click", forget);
  el.checkNow.addEventListener("click", loadConnections);
  el.demo.addEventListener("click", startDemoTask);
  el.provider.addEventListener("change", filtersChanged);
  el.status.addEventListener("change", filtersChanged);

  el.gateway.textContent = base;
  restoreFilters();
  try { token = sessionStorage.getItem(TOKEN_KEY) || ""; } catch (e) { token = ""; }
  el.token.value = token;
  if (token) connect();
  else updateEmpty();
})();
