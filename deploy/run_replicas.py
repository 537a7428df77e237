"""Start K replicas of the playground behind nginx, with sticky sessions, on this machine.

    python deploy/run_replicas.py --replicas 3 --listen 127.0.0.1:8080 --first-port 8501

Each replica is ``streamlit run playground/app.py`` started in a site directory whose
``.streamlit/config.toml`` is ``deploy/config.production.toml``, with one shared
``STREAMLIT_SERVER_COOKIE_SECRET`` (taken from the environment, else a fresh random one)
and ``PLAYGROUND_REPLICA=r<i>`` so the app can tell which replica it is. nginx runs in the
foreground from a prefix directory of its own (config, logs, temp files): no root
configuration and no system service. Ctrl-C stops everything. ``deployment()`` does the
same for tests and benchmarks and yields the URLs and the access log.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "playground" / "app.py"
HERE = Path(__file__).resolve().parent
NGINX_TEMPLATE = HERE / "nginx.conf"
PRODUCTION_CONFIG = HERE / "config.production.toml"
ROUTE_COOKIE = "pg_route"
SECRET_ENV = "STREAMLIT_SERVER_COOKIE_SECRET"
REPLICA_ENV = "PLAYGROUND_REPLICA"
_LOG_LINE = re.compile(r'"(?P<method>\S+) (?P<path>\S+) [^"]*" (?P<status>\d{3}) '
                       r"route=(?P<route>\S*) upstream=(?P<upstream>\S*)")


def nginx_binary() -> str | None:
    """The nginx executable, or None when it is not installed."""
    found = shutil.which("nginx")
    if found:
        return found
    return "/usr/sbin/nginx" if Path("/usr/sbin/nginx").is_file() else None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Replica:
    name: str
    port: int
    proc: subprocess.Popen
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def upstream(self) -> str:
        """How nginx names this replica in ``$upstream_addr``."""
        return f"127.0.0.1:{self.port}"


@dataclass
class Deployment:
    url: str
    replicas: list[Replica]
    prefix: Path
    nginx: subprocess.Popen | None = None
    procs: list[subprocess.Popen] = field(default_factory=list)

    @property
    def access_log(self) -> Path:
        return self.prefix / "logs" / "access.log"

    def requests(self) -> list[dict]:
        """The proxy's access log so far: method, path, status, route, upstream per line."""
        if not self.access_log.exists():
            return []
        return parse_access_log(self.access_log.read_text(errors="replace"))

    def upstream_of(self, route: str, timeout: float = 10.0) -> str:
        """The replica (``host:port``) a browser with routing cookie ``route`` reaches."""
        req = urllib.request.Request(f"{self.url}/_stcore/health",
                                     headers={"Cookie": f"{ROUTE_COOKIE}={route}"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            resp.read()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            hits = [r for r in self.requests() if r["route"] == route]
            if hits:
                return hits[-1]["upstream"]
            time.sleep(0.05)
        raise RuntimeError(f"no access-log line for route {route!r} in {self.access_log}")


def parse_access_log(text: str) -> list[dict]:
    return [m.groupdict() for m in map(_LOG_LINE.search, text.splitlines()) if m]


def make_site(prefix: Path, config: Path = PRODUCTION_CONFIG) -> Path:
    """A directory to start replicas in: its .streamlit/config.toml is ``config``."""
    site = prefix / "site"
    (site / ".streamlit").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(config, site / ".streamlit" / "config.toml")
    return site


def start_replica(name: str, port: int, *, site: Path, secret: str, log_dir: Path,
                  extra_args: Sequence[str] = (), env: dict[str, str] | None = None,
                  app: Path = APP) -> Replica:
    """``streamlit run playground/app.py`` on ``port``, from ``site`` (not waited for)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / f"replica-{name}.log"
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port),
           "--server.address", "127.0.0.1", *extra_args]
    # Two malloc arenas instead of 8 per core: the session threads' small NumPy arrays
    # fragment fewer heaps (idle sessions measured ~40 % smaller); overridable.
    full_env = {"MALLOC_ARENA_MAX": "2", **os.environ, "PYTHONUNBUFFERED": "1",
                SECRET_ENV: secret, REPLICA_ENV: name, **(env or {})}
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=site, stdout=out, stderr=subprocess.STDOUT,
                                env=full_env)
    return Replica(name, port, proc, log)


def wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 60.0) -> None:
    """Poll ``url``/_stcore/health until it answers 200; fail if ``proc`` dies first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with code {proc.returncode}:\n"
                               f"{_tail(log)}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} not healthy after {timeout:.0f} s:\n{_tail(log)}")


def _tail(path: Path, chars: int = 3000) -> str:
    return path.read_text(errors="replace")[-chars:] if path.exists() else "(no log)"


def nginx_conf(listen: str, ports: Sequence[int], prefix: Path,
               template: Path = NGINX_TEMPLATE) -> str:
    """deploy/nginx.conf with its @PREFIX@, @LISTEN@ and @SERVERS@ placeholders filled."""
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;"
                        for p in ports)
    values = {"@SERVERS@": servers, "@LISTEN@": listen, "@PREFIX@": str(prefix)}
    lines = []
    for line in template.read_text().splitlines():
        if not line.lstrip().startswith("#"):  # the header comment names the placeholders
            for key, value in values.items():
                line = line.replace(key, value)
        lines.append(line)
    return "\n".join(lines) + "\n"


def start_nginx(prefix: Path, listen: str, ports: Sequence[int]) -> subprocess.Popen:
    """nginx in the foreground with its own prefix (config, logs, temp) under ``prefix``."""
    binary = nginx_binary()
    if binary is None:
        raise FileNotFoundError("nginx is not installed: apt-get install -y nginx")
    for sub in ("conf", "logs", "tmp"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    # nginx's workers run as an unprivileged user when started as root: they must be able
    # to reach the prefix (temp files for large request bodies live there).
    for d in (prefix, prefix / "tmp"):
        d.chmod(0o755 if d == prefix else 0o777)
    conf = prefix / "conf" / "nginx.conf"
    conf.write_text(nginx_conf(listen, ports, prefix))
    base = [binary, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "logs" / "error.log")]
    check = subprocess.run([*base, "-t", "-q"], capture_output=True, text=True)
    if check.returncode != 0:
        raise RuntimeError(f"nginx rejected {conf}:\n{check.stdout}{check.stderr}")
    log = prefix / "logs" / "nginx.out"
    with open(log, "wb") as out:
        return subprocess.Popen([*base, "-g", "daemon off;"], stdout=out,
                                stderr=subprocess.STDOUT)


def stop(procs: Sequence[subprocess.Popen], timeout: float = 10.0) -> None:
    """Terminate the given processes (each by its own id), then kill what is left."""
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=5)


@contextlib.contextmanager
def deployment(replicas: int = 2, *, listen: str | None = None,
               ports: Sequence[int] | None = None, secret: str | None = None,
               prefix: Path | None = None, extra_args: Sequence[str] = (),
               app: Path = APP, replica_env: Callable[[str], dict[str, str]] | None = None,
               timeout: float = 90.0) -> Iterator[Deployment]:
    """K replicas and nginx on loopback; yields a :class:`Deployment`; stops them all after.

    ``listen`` defaults to a free loopback port, ``ports`` to free ports, ``secret`` to
    ``$STREAMLIT_SERVER_COOKIE_SECRET`` or a fresh random one, ``prefix`` to a temp dir;
    ``app`` is the script each replica runs and ``replica_env(name)`` extra environment for
    replica ``name`` ("r0", "r1", ...).
    """
    if replicas < 1:
        raise ValueError(f"replicas must be at least 1, got {replicas}")
    ports = list(ports) if ports is not None else [free_port() for _ in range(replicas)]
    if len(ports) != replicas:
        raise ValueError(f"got {len(ports)} ports for {replicas} replicas; expected one each")
    listen = listen or f"127.0.0.1:{free_port()}"
    secret = secret or os.environ.get(SECRET_ENV) or secrets.token_hex(32)
    with contextlib.ExitStack() as stack:
        if prefix is None:
            prefix = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="pg-deploy-")))
        site = make_site(prefix)
        dep = Deployment(url=f"http://{listen}", replicas=[], prefix=prefix)
        stack.callback(lambda: stop(dep.procs))
        for i, port in enumerate(ports):
            name = f"r{i}"
            rep = start_replica(name, port, site=site, secret=secret, log_dir=prefix / "logs",
                                extra_args=extra_args, app=app,
                                env=replica_env(name) if replica_env else None)
            dep.replicas.append(rep)
            dep.procs.append(rep.proc)
        dep.nginx = start_nginx(prefix, listen, ports)
        dep.procs.append(dep.nginx)
        for rep in dep.replicas:
            wait_healthy(rep.url, rep.proc, rep.log, timeout)
        wait_healthy(dep.url, dep.nginx, prefix / "logs" / "error.log", timeout)
        yield dep


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=2, help="how many app processes")
    parser.add_argument("--listen", default="127.0.0.1:8080",
                        help="nginx's listen address (e.g. 80 or 0.0.0.0:8080)")
    parser.add_argument("--first-port", type=int, default=8501,
                        help="replica i listens on 127.0.0.1:<first-port + i>")
    parser.add_argument("--prefix", type=Path, default=None,
                        help="directory for nginx's config, logs and temp files, and the "
                             "replicas' site directory (default: a temp dir)")
    args, extra = parser.parse_known_args()
    ports = [args.first_port + i for i in range(args.replicas)]
    if SECRET_ENV not in os.environ:
        print(f"note: {SECRET_ENV} is not set; using a fresh random secret (set it to keep "
              "XSRF cookies valid across restarts)", file=sys.stderr)
    with deployment(args.replicas, listen=args.listen, ports=ports, prefix=args.prefix,
                    extra_args=extra) as dep:
        print(f"playground on {dep.url} -> " +
              ", ".join(f"{r.name}={r.upstream}" for r in dep.replicas))
        print(f"access log: {dep.access_log}  (Ctrl-C stops everything)")
        stopped = []
        signal.signal(signal.SIGTERM, lambda *_: stopped.append(True))
        try:
            while not stopped and all(p.poll() is None for p in dep.procs):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        dead = [p.args[0] for p in dep.procs if p.poll() is not None]
        if dead and not stopped:
            print(f"stopping: {dead} exited", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
