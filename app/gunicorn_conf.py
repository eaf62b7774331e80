"""Gunicorn settings for `make run`: slow clients, one evidence version, an access log without scenarios."""

# Patch the standard library for gevent first, before gunicorn loads the app: the app is preloaded
# (below) and imports ssl (through Werkzeug's http.server, and requests when an EHR is configured:
# app/ehr), which the workers' own late patching would leave unpatched ("MonkeyPatchWarning:
# Monkey-patching ssl after ssl has already been imported"). Patched, the EHR client's outbound
# calls yield to other connections instead of blocking a worker.
from gevent import monkey

monkey.patch_all()

import resource  # noqa: E402
import sys  # noqa: E402

from app.cli import EXIT_CONFIG  # noqa: E402
from app.http.errors import SettingsError  # noqa: E402
from app.http.worker import request_deadline  # noqa: E402

# A bad ICAS_REQUEST_DEADLINE stops the server at start (the master reads this file), not a worker,
# with the exit code of any other bad setting (app:serve).
try:
    request_deadline()
except SettingsError as error:
    print(f"Settings refused: {error}", file=sys.stderr)
    sys.exit(EXIT_CONFIG)

# Two processes, each serving many connections as greenlets (app/http/worker.py says why): a slow
# or stalled client costs a greenlet, never a whole worker.
workers = 2
worker_class = "app.http.worker.Worker"
# Connections each process holds at once. A connection still sending its request is closed at the
# request deadline (ICAS_REQUEST_DEADLINE, 10 s: app/http/worker.py), so a client trickling bytes
# holds a slot for at most that long; 5,000 per process let 5,000 such connections and the
# legitimate requests beside them all be accepted at once (tests/perf/trickle.py). Each costs a
# greenlet (a few KB) and a file descriptor: the soft descriptor limit is raised to fit, as far as
# the hard limit allows (the workers inherit it), and the count lowered to what fits.
MAX_CONNECTIONS = 5000
_soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
_wanted = MAX_CONNECTIONS + 256
if _soft != resource.RLIM_INFINITY and _soft < _wanted:
    _soft = _wanted if _hard == resource.RLIM_INFINITY else min(_wanted, _hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (_soft, _hard))
worker_connections = min(MAX_CONNECTIONS, max(100, _soft - 256))
# The kernel caps it at net.core.somaxconn; connections past the slots wait here, not refused.
backlog = 4096
# A request's headers must arrive within this many seconds: the gevent worker bounds each header
# read by `keepalive`. Connections are not kept alive past their answer (app/http/worker.py).
keepalive = 5
# A worker silent this long is restarted; the worker (app/http/worker.py) also ends any connection
# whose write waits this long (an answer never read), or any read (past the request deadline too).
timeout = 30
graceful_timeout = 30
# Request line and headers: gunicorn answers 414 or 431 past these, before the app sees anything.
limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190
# Load the app, and so the evidence, once in the master before the workers fork: every worker serves
# the same evidence version, a restarted worker never reads the evidence folder again, and broken
# evidence stops the server at start (app:serve exits 78) instead of in a worker.
preload_app = True

accesslog = "-"
# Path only (%(U)s, no query string) and never a body: scenarios travel in POST bodies, not URLs.
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)sB %(M)sms'
# No runtime control interface (gunicorn 27 otherwise opens $HOME/.gunicorn/gunicorn.ctl): the app
# needs none, and two instances on one host (behind a load balancer) would share that one path.
control_socket_disable = True
