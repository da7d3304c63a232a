"""Run the dashboard as a real server for the browser, load and soak tests (and benchmarks/).

    with AppServer() as srv:            # `streamlit run app.py --server.headless true` on a free
        srv.base                        # loopback port, up once /_stcore/health answers "ok"
        srv.training_runs()             # trainings the server process has run so far
        srv.rss()                       # resident memory of the server process, bytes
        run_page(srv.base, "train")     # one websocket-level session that runs one page

Counting trainings: the server is started through a small launcher that wraps
`diffusion_core.train_score_model` (and `diffusion_core.training.train_score_model`) before
Streamlit imports any page, and appends one line per call to the file named by
DIFFUSION_TRAIN_CALLS ("<time> start <thread> <training_key>", then "<time> end"; the server's
background warm-up thread is named "warm-up"). The server also gets DIFFUSION_TRAIN_LOG=<file>: an app that appends one
line per training run there is counted as well (`app_training_log()`).

Chromium: `launch_chromium(playwright)` uses Debian's /usr/bin/chromium (or $CHROMIUM_PATH) and
raises when it is missing: a missing browser fails the tests that need it.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"]

# Runs in the server process before Streamlit starts: count calls of the training entry point.
_LAUNCHER = r"""
import functools, os, sys, threading, time
log = os.environ.get("DIFFUSION_TRAIN_CALLS")
if log:
    import diffusion_core as dc
    import diffusion_core.training as training
    original = training.train_score_model
    lock = threading.Lock()

    sys.path.insert(0, os.environ["DIFFUSION_TESTS_DIR"])
    from server import training_key

    @functools.wraps(original)
    def counted(*args, **kwargs):
        try:
            key = training_key(*args[:2], args[2] if len(args) > 2 else kwargs.get("cfg"),
                               args[3] if len(args) > 3 else kwargs.get("device", "cpu"))
        except Exception:
            key = "?"
        with lock, open(log, "a") as f:
            f.write(f"{time.time():.3f} start {threading.current_thread().name} {key}\n")
        out = original(*args, **kwargs)
        with lock, open(log, "a") as f:
            f.write(f"{time.time():.3f} end\n")
        return out

    dc.train_score_model = training.train_score_model = counted
from streamlit.web.cli import main
sys.argv = ["streamlit", *sys.argv[1:]]
sys.exit(main())
"""


def _die_with_parent():
    """In the child before exec (Linux): SIGTERM when the process that started it dies, so a
    test run that is killed (a timeout, Ctrl-C) leaves no server behind."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)   # PR_SET_PDEATHSIG
    except Exception:
        pass


def training_key(gmm, sde, cfg, device="cpu") -> str:
    """What a training run is of (mixture, SDE, config, device), as the server's training log
    writes it after "start <thread>": the same inputs give the same key."""
    import hashlib
    return hashlib.sha1(f"{gmm.key()!r}|{sde!r}|{cfg!r}|{device}".encode()).hexdigest()[:12]


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def health_latency(base: str, timeout: float = 10.0) -> float:
    """Seconds for one GET /_stcore/health that answers "ok" (raises otherwise)."""
    t0 = time.perf_counter()
    body = urllib.request.urlopen(base + "/_stcore/health", timeout=timeout).read().strip()
    if body != b"ok":
        raise RuntimeError(f"health answered {body!r}")
    return time.perf_counter() - t0


class AppServer:
    """`streamlit run app.py` on a free loopback port, as a context manager."""

    def __init__(self, port: int | None = None, env: dict | None = None, startup_timeout: float = 120):
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.startup_timeout = startup_timeout
        self.dir = tempfile.mkdtemp(prefix="diffusion-server-")
        self.calls_file = os.path.join(self.dir, "train_calls.log")
        self.app_log_file = os.path.join(self.dir, "train_log.txt")
        self.output_file = os.path.join(self.dir, "server.out")
        self.extra_env = env or {}
        self.proc: subprocess.Popen | None = None

    def start(self) -> "AppServer":
        env = {**os.environ, "DIFFUSION_TRAIN_CALLS": self.calls_file,
               "DIFFUSION_TESTS_DIR": os.path.dirname(os.path.abspath(__file__)),
               "DIFFUSION_TRAIN_LOG": self.app_log_file, "PYTHONUNBUFFERED": "1", **self.extra_env}
        cmd = [sys.executable, "-c", _LAUNCHER, "run", "app.py", "--server.headless", "true",
               "--server.port", str(self.port), "--server.address", "127.0.0.1",
               "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
               "--server.runOnSave", "false"]
        self._out = open(self.output_file, "wb")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self._out, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True,
                                     preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
        deadline = time.monotonic() + self.startup_timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited early with code {self.proc.returncode}:\n"
                                   + self.output()[-3000:])
            try:
                health_latency(self.base, timeout=2)
                return self
            except Exception:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("server did not become healthy in "
                                       f"{self.startup_timeout:.0f} s:\n" + self.output()[-3000:])
                time.sleep(0.25)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=15)
        if getattr(self, "_out", None) is not None:
            self._out.close()
            self._out = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def output(self) -> str:
        """What the server printed so far (stdout and stderr)."""
        try:
            with open(self.output_file, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def training_calls(self) -> list[str]:
        try:
            with open(self.calls_file) as f:
                return [ln for ln in f.read().splitlines() if ln.strip()]
        except FileNotFoundError:
            return []

    def training_runs(self) -> int:
        """Calls of diffusion_core.train_score_model started in the server process so far."""
        return sum(1 for ln in self.training_calls() if " start " in ln)

    def training_keys(self) -> list[str]:
        """training_key() of each training started so far, in order ("?" where unknown)."""
        return [ln.split()[3] if len(ln.split()) > 3 else "?" for ln in self.training_calls()
                if " start " in ln]

    def app_training_log(self) -> list[str] | None:
        """Lines the app wrote to DIFFUSION_TRAIN_LOG (None when the app writes no such log)."""
        try:
            with open(self.app_log_file) as f:
                return [ln for ln in f.read().splitlines() if ln.strip()]
        except FileNotFoundError:
            return None

    def rss(self) -> int:
        """Resident set size of the server process in bytes."""
        return rss_of(self.pid)


def rss_of(pid: int) -> int:
    try:
        import psutil
        return psutil.Process(pid).memory_info().rss
    except ImportError:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        raise RuntimeError("no VmRSS")


class HealthProbe:
    """Polls /_stcore/health every `interval` s in a thread; latencies in seconds (None = failed)."""

    def __init__(self, base: str, interval: float = 0.2, timeout: float = 30.0):
        self.base, self.interval, self.timeout = base, interval, timeout
        self.latencies: list[float | None] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            try:
                self.latencies.append(health_latency(self.base, self.timeout))
            except Exception:
                self.latencies.append(None)
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=self.timeout + 5)

    def ok(self) -> list[float]:
        return [x for x in self.latencies if x is not None]

    def failures(self) -> int:
        return sum(1 for x in self.latencies if x is None)


def percentile(xs, q: float) -> float:
    """Nearest-rank percentile, q in [0, 100]."""
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = max(0, min(len(xs) - 1, int(round(q / 100 * len(xs) + 0.5)) - 1))
    return xs[k]


# ------------------------------------------------------------------ websocket-level sessions
@dataclass
class PageRun:
    """What one websocket session saw while the server ran one page for it."""
    ok: bool = False
    status: str = ""
    seconds: float = 0.0
    elements: list[str] = field(default_factory=list)   # element types in arrival order
    final: dict = field(default_factory=dict)           # delta path -> element type at the end
    exceptions: list[str] = field(default_factory=list)
    error: str = ""

    def signature(self) -> tuple[str, ...]:
        """The element types of the finished page in page order, empty placeholders left out:
        the same settings give the same signature, whatever the session waited for."""
        return tuple(t for _, t in sorted(self.final.items()) if t != "empty")


def run_page(base: str, page: str = "", timeout: float = 300.0, query_string: str = "") -> PageRun:
    """Open one session on the server's websocket (as the browser does), ask it to run `page`
    (its url path, "" for the home page) with default widget values, and collect what comes back
    until the script has finished. Returns a PageRun; raises nothing for server-side failures."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.sync.client import connect

    out = PageRun()
    t0 = time.perf_counter()
    url = base.replace("http://", "ws://") + "/_stcore/stream"
    try:
        with connect(url, subprotocols=["streamlit"], max_size=None, open_timeout=timeout,
                     close_timeout=2) as ws:
            back = BackMsg()
            back.rerun_script.query_string = query_string
            back.rerun_script.page_name = page
            ws.send(back.SerializeToString())
            deadline = time.monotonic() + timeout
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    out.error = f"no script_finished within {timeout:.0f} s"
                    break
                try:
                    data = ws.recv(timeout=left)
                except TimeoutError:
                    out.error = f"no script_finished within {timeout:.0f} s"
                    break
                if isinstance(data, str):
                    continue
                msg = ForwardMsg()
                msg.ParseFromString(data)
                kind = msg.WhichOneof("type")
                dtype = msg.delta.WhichOneof("type") if kind == "delta" else None
                if dtype in ("new_element", "add_block"):
                    path = tuple(msg.metadata.delta_path)
                    for old in [k for k in out.final if len(k) > len(path) and k[:len(path)] == path]:
                        del out.final[old]      # what was inside a replaced placeholder is gone
                    out.final.pop(path, None)
                if dtype == "new_element":
                    el = msg.delta.new_element
                    etype = el.WhichOneof("type")
                    out.elements.append(etype)
                    out.final[path] = etype
                    if etype == "exception":
                        out.exceptions.append(f"{el.exception.type}: {el.exception.message}"[:500])
                elif kind == "page_not_found":
                    out.error = f"page not found: {page!r}"
                elif kind == "script_finished":
                    status = ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)
                    if status == "FINISHED_EARLY_FOR_RERUN":   # the page reran itself: keep going
                        out.elements.clear()
                        out.final.clear()
                        out.exceptions.clear()
                        continue
                    out.status = status
                    break
    except Exception as e:  # connection refused, closed, timed out
        out.error = out.error or f"{type(e).__name__}: {e}"
    out.seconds = time.perf_counter() - t0
    out.ok = (out.status == "FINISHED_SUCCESSFULLY" and not out.exceptions and not out.error)
    return out


# ------------------------------------------------------------------ browser
def chromium_path() -> str:
    return os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def launch_chromium(playwright):
    """Headless Debian Chromium; raises FileNotFoundError (a test failure) when it is missing."""
    path = chromium_path()
    if not os.path.exists(path):
        raise FileNotFoundError(f"Chromium not found at {path}: install it (apt-get install -y "
                                "chromium) or set CHROMIUM_PATH; the browser tests need it")
    return playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)


def settle(page, timeout_ms: int = 120_000):
    """Wait until the app has rendered and its script has finished running."""
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout_ms)
    page.wait_for_timeout(300)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']",
                           timeout=timeout_ms)
    page.wait_for_timeout(300)
    # A rerun may have been queued while the first one finished: wait once more.
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']",
                           timeout=timeout_ms)


class ScriptRuns:
    """Counts the script runs the server reports finished to a browser page (ForwardMsg
    script_finished frames on its websocket), so a test can wait for exactly the rerun it caused."""

    def __init__(self, page):
        self.finished = 0
        self.statuses: list[str] = []
        self.finished_at: list[float] = []     # time.perf_counter() of each finished run
        page.on("websocket", self._attach)

    def _attach(self, ws):
        ws.on("framereceived", self._frame)

    def _frame(self, payload):
        if isinstance(payload, str):
            return
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        msg = ForwardMsg()
        try:
            msg.ParseFromString(payload)
        except Exception:
            return
        if msg.WhichOneof("type") == "script_finished":
            status = ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)
            self.statuses.append(status)
            if status != "FINISHED_EARLY_FOR_RERUN":
                self.finished += 1
                self.finished_at.append(time.perf_counter())

    def wait_after(self, page, count: int, timeout_ms: int = 120_000):
        """Wait until a run finished after the first `count`, then until the app is idle."""
        deadline = time.monotonic() + timeout_ms / 1000
        while self.finished <= count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no script run finished within {timeout_ms / 1000:.0f} s")
            page.wait_for_timeout(25)
        left = lambda: max(1000, int((deadline - time.monotonic()) * 1000))    # noqa: E731
        page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=left())
        # every run of this app draws the sidebar's settings: on a busy machine the frontend can
        # still be drawing them when the script has finished and the DOM is briefly quiet
        page.wait_for_selector(SIDEBAR_READY, state="attached", timeout=left())
        dom_quiet(page)


SIDEBAR_READY = "[data-testid='stSidebar'] [data-testid='stSelectbox']"
_QUIET_JS = """([quiet, most]) => new Promise(done => {
  let timer;
  const obs = new MutationObserver(() => { clearTimeout(timer); timer = setTimeout(end, quiet); });
  const end = () => { obs.disconnect(); clearTimeout(cap); done(true); };
  const cap = setTimeout(end, most);
  obs.observe(document.body, {subtree: true, childList: true});
  timer = setTimeout(end, quiet);
})"""


def dom_quiet(page, quiet_ms: int = 250, most_ms: int = 5000):
    """Return once no element was added or removed for quiet_ms (at most most_ms): the frontend
    has drawn what the server sent."""
    page.evaluate(_QUIET_JS, [quiet_ms, most_ms])


_H1 = "[data-testid='stMain'] h1"


def follow_nav_link(page, runs: "ScriptRuns", base: str, url_path: str, timeout_ms: int = 120_000):
    """Click the sidebar's navigation link to /url_path and return once the browser shows that
    page: its run finished, the main title is no longer the previous page's (the server can report
    the run finished while the frontend still draws the old page) and the DOM is quiet. Returns
    time.perf_counter() when the new title showed (before the DOM's quiet wait)."""
    from urllib.parse import urlsplit
    h1 = page.locator(_H1).first
    before = h1.inner_text() if h1.count() else None
    n = runs.finished
    page.locator(f"[data-testid='stSidebarNav'] a[href='{base}/{url_path}']").click()
    page.wait_for_url(lambda u: urlsplit(u).path.strip("/") == url_path, timeout=timeout_ms)
    runs.wait_after(page, n, timeout_ms)
    page.wait_for_function("([sel, old]) => { const h = document.querySelector(sel); "
                           "return h !== null && h.innerText !== old; }", arg=[_H1, before],
                           timeout=timeout_ms)
    shown = time.perf_counter()
    dom_quiet(page)
    return shown


def app_pages() -> list[tuple[str, str]]:
    """(url path, title) of every page app.py puts in the navigation; "" is the default page."""
    import re
    src = open(os.path.join(ROOT, "app.py"), encoding="utf-8").read()
    out = []
    for args in re.findall(r"st\.Page\((.*?)\)\s*,?\s*\n", src):
        title = re.search(r"title\s*=\s*\"([^\"]+)\"", args)
        url = re.search(r"url_path\s*=\s*\"([^\"]*)\"", args)
        default = re.search(r"default\s*=\s*True", args)
        out.append(("" if default else (url.group(1) if url else ""), title.group(1) if title else ""))
    return out


def slider_thumb(container):
    """A slider's focusable thumb: an <input type=range> (react-aria) or a role=slider element."""
    rng = container.locator("input[type='range']")
    return rng.first if rng.count() else container.locator("[role='slider']").first


def slider_state(thumb) -> tuple[float, float, float]:
    """(value, min, max) of a slider thumb."""
    if thumb.evaluate("e => e.tagName") == "INPUT":
        return tuple(float(thumb.get_attribute(a) if a != "value" else thumb.input_value())
                     for a in ("value", "min", "max"))
    return tuple(float(thumb.get_attribute(a)) for a in ("aria-valuenow", "aria-valuemin", "aria-valuemax"))
