#!/usr/bin/env python3
"""Real-browser checks of `hostplane demo` in headless Chromium (Selenium, Debian's chromium-driver).

  graphiql     GET /graphql in a browser is GraphiQL, self-contained: a query with the bearer token from
               the headers editor runs, every request stays on the gateway's origin, no CSP violation.
  cors         a page on an origin listed in [cors] can POST /graphql; one on another origin is refused.
  console-ws   the operations console (/console/) shows the connections' health and follows tasks started
               from its button and over plain HTTP to SUCCEEDED over WebSocket, without reloading;
               the status filter hides rows.
  console-sse  the same console with ?transport=sse follows a task over server-sent events.

Run it through `bash browser/run` (which makes the venv and finds the binary), or directly with
HOSTPLANE_BIN=path/to/hostplane BROWSER_ARTIFACTS=dir python3 browser/test_browser.py.
Prints `ok  name: detail` or `FAIL name: detail` per check, exits 1 if any failed. Screenshots go to
BROWSER_ARTIFACTS (default target/browser), with the demo's log.
"""
import functools
import http.server
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never reach the network

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import TimeoutException, WebDriverException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

BIN = os.environ.get("HOSTPLANE_BIN", "target/debug/hostplane")
ARTIFACTS = Path(os.environ.get("BROWSER_ARTIFACTS", "target/browser")).resolve()
HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only, never a proxy

CORS_PAGE = """<!doctype html>
<meta charset="utf-8"><title>hostplane CORS probe</title>
<style>body { font: 16px sans-serif; margin: 2em } pre { white-space: pre-wrap; word-break: break-all }</style>
<h1>CORS probe</h1><p>This page's origin: <code id="origin"></code></p><pre id="result">pending</pre>
<script>
  const params = new URLSearchParams(location.hash.slice(1));
  const show = (text) => { document.getElementById("result").textContent = text; };
  document.getElementById("origin").textContent = location.origin;
  fetch(params.get("gateway") + "/graphql", {
    method: "POST",
    headers: {"content-type": "application/json", authorization: "Bearer " + params.get("token")},
    body: JSON.stringify({query: "{ connectionHealth { connection } }"}),
  }).then((r) => r.json()).then((j) => show("data:" + JSON.stringify(j)), (e) => show("refused:" + e));
</script>
"""

QUERY = "{\n  connectionHealth {\n    connection\n    reachable\n    authenticated\n  }\n}"

# The task rows of the console, read in one go (no stale elements between reads).
TASK_ROWS_JS = """return Array.from(document.querySelectorAll('#tasks tr[data-task-id]')).map(r => {
  const s = r.querySelector('.status'), p = r.querySelector('progress.progress');
  return {id: r.dataset.taskId, status: r.dataset.status, text: s && s.textContent.trim(),
          progress: p && p.value, visible: r.getClientRects().length > 0};
});"""


class Ctx:
    """What the checks share: the gateway, its token and connections, the page servers."""

    def __init__(self):
        self.gateway = self.token = None
        self.connections = 0
        self.servers = []  # (origin, server): [0] is in the demo's [cors] list, [1] is not

    @staticmethod
    def shot(driver, name):
        driver.execute_script("document.activeElement?.blur(); scrollTo(0, 0);")
        time.sleep(0.6)  # let the last update's transitions end
        driver.save_screenshot(str(ARTIFACTS / name))

    def graphql(self, query):
        req = urllib.request.Request(
            self.gateway + "/graphql",
            data=json.dumps({"query": query}).encode(),
            headers={"content-type": "application/json", "authorization": "Bearer " + self.token},
        )
        with HTTP.open(req, timeout=20) as resp:
            body = json.load(resp)
        if body.get("errors") or not body.get("data"):
            raise AssertionError(f"GraphQL over HTTP failed: {body}")
        return body["data"]

    def task_ids(self):
        return {t["taskId"] for t in self.graphql("{ tasks(first: 200) { nodes { taskId } } }")["tasks"]["nodes"]}

    def start_task(self):
        data = self.graphql('mutation { hosterapiCreateServerBackup(connection: "hosterapi-demo", '
                            "sid: 4001) { task { taskId } } }")
        return data["hosterapiCreateServerBackup"]["task"]["taskId"]


def wait_for(driver, what, observe, pred, timeout=20):
    """Polls observe() until pred(value) holds; on timeout fails with the last value seen."""
    last = []

    def probe(_):
        last[:] = [observe()]
        return pred(last[0])

    try:
        WebDriverWait(driver, timeout, poll_frequency=0.2).until(probe)
    except TimeoutException:
        seen = repr(last[0])[:600] if last else "nothing"
        raise AssertionError(f"timed out after {timeout}s waiting for {what}; last seen: {seen}") from None
    return last[0]


def new_driver(perf=False):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=1280,900", "--force-prefers-reduced-motion"):  # still screenshots
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", **({"performance": "ALL"} if perf else {})})
    driver = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(15)
    return driver


def severe_logs(driver):
    entries = driver.get_log("browser")
    return [e["message"] for e in entries
            if (e["level"] == "SEVERE" or "Content Security Policy" in e["message"])
            and "favicon.ico" not in e["message"]]


# --- checks: each takes the context and a fresh browser, returns a detail line or raises ---

def check_graphiql(ctx, driver):
    driver.get(ctx.gateway + "/graphql")
    driver.execute_script("localStorage.clear();"  # one tab, with nothing kept from an earlier run
                          "localStorage.setItem('graphiql:headers', JSON.stringify(arguments[0]));",
                          {"Authorization": "Bearer " + ctx.token})
    driver.refresh()
    wait_for(driver, ".graphiql-container and its query editor",
             lambda: driver.execute_script(
                 "return !!document.querySelector('.graphiql-container .graphiql-query-editor .CodeMirror')"),
             bool)
    driver.execute_script("document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror"
                          ".setValue(arguments[0])", QUERY)
    driver.find_element(By.CSS_SELECTOR, ".graphiql-execute-button").click()
    wait_for(driver, "the result pane to show hosterapi-demo reachable",
             lambda: driver.execute_script(
                 "const w = document.querySelector('.result-window'); if (!w) return '';"
                 "const cm = w.querySelector('.CodeMirror');"
                 "return cm && cm.CodeMirror ? cm.CodeMirror.getValue() : w.innerText;"),
             lambda text: '"hosterapi-demo"' in text and '"reachable": true' in text)

    requests = []  # (method, url)
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg["method"] == "Network.requestWillBeSent":
            requests.append((msg["params"]["request"]["method"], msg["params"]["request"]["url"]))
        elif msg["method"] == "Network.webSocketCreated":
            requests.append(("WS", msg["params"]["url"]))
    host = ctx.gateway.split("://", 1)[1]
    own = (f"http://{host}/", f"ws://{host}/", "data:", "blob:")
    foreign = [url for _, url in requests if not url.startswith(own)]
    assert requests, "the performance log recorded no request"
    assert not foreign, f"requests off the gateway's origin: {foreign}"
    assert ("POST", ctx.gateway + "/graphql") in requests, f"no POST /graphql among {requests}"
    errors = severe_logs(driver)
    assert not errors, f"browser console errors: {errors}"
    ctx.shot(driver, "graphiql.png")
    return f"query ran; {len(requests)} requests, all on {host} (or data:/blob:); no console error"


def check_cors(ctx, driver):
    outcomes = {}
    for (origin, _), name in zip(ctx.servers, ("cors-allowed.png", "cors-refused.png")):
        driver.get(f"{origin}/cors.html#" + urllib.parse.urlencode({"gateway": ctx.gateway, "token": ctx.token}))
        outcomes[origin] = wait_for(driver, f"the fetch from {origin} to settle",
                                    lambda: driver.find_element(By.ID, "result").text,
                                    lambda text: text.startswith(("data:", "refused:")))
        ctx.shot(driver, name)
    (allowed, _), (other, _) = ctx.servers
    assert outcomes[allowed].startswith("data:") and '"hosterapi-demo"' in outcomes[allowed], \
        f"allowed origin {allowed} got {outcomes[allowed]!r}"
    assert outcomes[other].startswith("refused:") and "Failed to fetch" in outcomes[other], \
        f"unlisted origin {other} got {outcomes[other]!r}"
    log = [e["message"] for e in driver.get_log("browser")]
    assert any("CORS policy" in m and f"origin '{other}'" in m for m in log), \
        f"the refusal was not a CORS one (no 'blocked by CORS policy' for {other} in the browser log: {log})"
    return f"{allowed} got data; {other} refused ({outcomes[other][8:]}, blocked by CORS policy)"


def open_console(ctx, driver, query=""):
    driver.get(f"{ctx.gateway}/console/{query}")
    wait_for(driver, "the console's #token field", lambda: driver.find_elements(By.ID, "token"), bool, timeout=10)
    driver.find_element(By.ID, "token").send_keys(ctx.token)
    driver.find_element(By.CSS_SELECTOR, "#token-form [type=submit]").click()


def wait_live(driver, transport):
    wait_for(driver, f"#transport to say {transport} and #feed-state to be live",
             lambda: driver.execute_script(
                 "const t = document.querySelector('#transport'), f = document.querySelector('#feed-state');"
                 "return [t && t.textContent.trim(), f && f.dataset.state];"),
             lambda v: v == [transport, "live"])


def wait_task(driver, task_id, timeout=90):
    """Waits for the task's row, then for it to show SUCCEEDED; returns the statuses seen on the way."""
    seen = []

    def row():
        r = next((r for r in driver.execute_script(TASK_ROWS_JS) if r["id"] == task_id), None)
        if r and r["status"] not in seen:
            seen.append(r["status"])
        return r

    wait_for(driver, f"a row for task {task_id}", row, bool, timeout=30)
    wait_for(driver, f"task {task_id} to show SUCCEEDED", row,
             lambda r: r and r["status"] == r["text"] == "SUCCEEDED" and r["progress"] == 1, timeout=timeout)
    return seen


def check_console_ws(ctx, driver):
    open_console(ctx, driver)
    health = wait_for(driver, f"{ctx.connections} healthy rows in #connections",
                      lambda: driver.execute_script(
                          "return Array.from(document.querySelectorAll('#connections tr[data-connection]'))"
                          ".map(r => [r.dataset.connection, r.dataset.healthy]);"),
                      lambda rows: len(rows) == ctx.connections and all(h == "true" for _, h in rows))
    wait_live(driver, "WebSocket")
    driver.execute_script("window.__noReload = 1;")
    before = ctx.task_ids() | {r["id"] for r in driver.execute_script(TASK_ROWS_JS)}
    button = wait_for(driver, "#demo-task to be visible", lambda: driver.find_element(By.ID, "demo-task"),
                      lambda b: b.is_displayed() and b.is_enabled())
    button.click()
    new = wait_for(driver, "a new task row after clicking #demo-task",
                   lambda: [r["id"] for r in driver.execute_script(TASK_ROWS_JS) if r["id"] not in before],
                   bool, timeout=30)
    button_seen = wait_task(driver, new[0])
    http_task = ctx.start_task()
    http_seen = wait_task(driver, http_task)
    assert driver.execute_script("return window.__noReload") == 1, "the page reloaded"

    status = Select(driver.find_element(By.ID, "filter-status"))
    default = status.first_selected_option.get_attribute("value")
    status.select_by_value("FAILED")
    rows = wait_for(driver, "the FAILED filter to hide the succeeded tasks",
                    lambda: driver.execute_script(TASK_ROWS_JS),
                    lambda rows: all(r["status"] == "FAILED" for r in rows if r["visible"])
                    and not any(r["visible"] for r in rows if r["id"] in (new[0], http_task)))
    Select(driver.find_element(By.ID, "filter-status")).select_by_value(default)
    wait_for(driver, "the tasks to show again after resetting the filter",
             lambda: driver.execute_script(TASK_ROWS_JS),
             lambda rows: all(r["visible"] for r in rows if r["id"] in (new[0], http_task)))
    ctx.shot(driver, "console.png")
    return (f"{len(health)} healthy connections; button task seen as {' -> '.join(button_seen)}, "
            f"HTTP task as {' -> '.join(http_seen)}; no reload; FAILED filter left "
            f"{sum(r['visible'] for r in rows)} of {len(rows)} rows")


def check_console_sse(ctx, driver):
    open_console(ctx, driver, "?transport=sse")
    wait_live(driver, "SSE")
    task = ctx.start_task()
    seen = wait_task(driver, task)
    ctx.shot(driver, "console-sse.png")
    return f"live over SSE; HTTP task {task} seen as {' -> '.join(seen)}"


CHECKS = [("graphiql", check_graphiql), ("cors", check_cors),
          ("console-ws", check_console_ws), ("console-sse", check_console_sse)]


# --- the processes under test ---

def start_page_servers(ctx, root):
    (root / "cors.html").write_text(CORS_PAGE)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    for _ in range(2):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        ctx.servers.append((f"http://127.0.0.1:{server.server_address[1]}", server))


def launch_demo(ctx, root):
    config = root / "hostplane.toml"
    config.write_text(f'[cors]\nallowed_origins = ["{ctx.servers[0][0]}"]\n')
    # HOSTPLANE_* variables would override the configuration (HOSTPLANE_BIN included), so none go through.
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("HOSTPLANE_")}
    log = open(ARTIFACTS / "demo.log", "wb")
    proc = subprocess.Popen([BIN, "demo", "--listen", "127.0.0.1:0", "--config", str(config)],
                            stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL, env=env,
                            text=True, start_new_session=True)
    proc.log, proc.db, proc.lines = log, None, []

    def read():
        for line in proc.stdout:
            proc.lines.append(line)

    threading.Thread(target=read, daemon=True).start()
    return proc


def read_banner(ctx, proc):
    """Waits for the demo's banner and takes the gateway's URL, the dev token and the connections from it."""
    lines, deadline = proc.lines, time.monotonic() + 30
    while not any("Dev token" in line for line in lines[:-1]):  # the token is on the next line
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the demo did not print its banner (exit {proc.poll()}); stdout: {lines}; "
                               f"see {ARTIFACTS / 'demo.log'}")
        time.sleep(0.1)
    banner = "".join(lines)
    db = re.search(r"Database:\s+sqlite://(/\S*/hostplane-demo-[\w-]+\.db)", banner)
    proc.db = Path(db.group(1)) if db else None
    ctx.gateway = re.search(r"GraphQL:\s+(http://127\.0\.0\.1:\d+)/graphql", banner).group(1)
    ctx.token = lines[next(i for i, line in enumerate(lines) if "Dev token" in line) + 1].strip()
    ctx.connections = banner.count("REST (")


def main():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ctx, demo, failed = Ctx(), None, 0
    with tempfile.TemporaryDirectory(prefix="hostplane-browser-") as tmp:
        try:
            start_page_servers(ctx, Path(tmp))
            demo = launch_demo(ctx, Path(tmp))
            try:
                read_banner(ctx, demo)
            except Exception as e:  # noqa: BLE001 - no gateway, no checks
                print(f"FAIL setup: {type(e).__name__}: {e}")
                return 1
            print(f"demo at {ctx.gateway} with {ctx.connections} connections; page origins "
                  f"{ctx.servers[0][0]} (allowed), {ctx.servers[1][0]} (not)")
            for name, check in CHECKS:
                driver = None
                try:
                    driver = new_driver(perf=name == "graphiql")
                    print(f"ok  {name}: {check(ctx, driver)}", flush=True)
                except Exception as e:  # noqa: BLE001 - every failure is reported, then the next check runs
                    failed += 1
                    text = e.msg if isinstance(e, WebDriverException) else str(e)  # no driver stack trace
                    print(f"FAIL {name}: {type(e).__name__}: {(text or '').strip()[:1500]}", flush=True)
                    if driver:
                        report_page(ctx, driver, name)
                finally:
                    if driver:
                        driver.quit()
        finally:
            for _, server in ctx.servers:
                server.shutdown()
                server.server_close()
            if demo:
                stop(demo)
    print(f"{len(CHECKS) - failed} passed, {failed} failed")
    return 1 if failed else 0


def report_page(ctx, driver, name):
    """Prints what the page showed when a check failed, and keeps a screenshot of it."""
    try:
        error = driver.execute_script("const e = document.querySelector('#error'); return e && e.textContent;")
        print(f"     url: {driver.current_url}\n     #error: {(error or '').strip()!r}")
        for entry in driver.get_log("browser")[-15:]:
            print(f"     browser {entry['level']}: {entry['message'][:300]}")
        ctx.shot(driver, f"{name}-failed.png")
    except Exception as e:  # noqa: BLE001 - a dead browser must not hide the failure itself
        print(f"     (could not read the page: {type(e).__name__})")


def stop(proc):
    """Ends the demo's process group: SIGTERM, then SIGKILL if it lingers."""
    try:
        for sig, grace in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            try:
                os.killpg(proc.pid, sig)
                proc.wait(grace)
                break
            except ProcessLookupError:
                break
            except subprocess.TimeoutExpired:
                pass
    finally:
        proc.log.close()
        if proc.db:  # a demo that had to be killed leaves its SQLite file behind
            for suffix in ("", "-wal", "-shm"):
                Path(f"{proc.db}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
