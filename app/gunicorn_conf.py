"""Gunicorn settings for `make run`: slow clients, one evidence version, an access log without scenarios."""

# Patch the standard library for gevent first, before gunicorn loads the app: the app is preloaded
# (below) and imports ssl (through Werkzeug's http.server, and requests when an EHR is configured:
# app/ehr), which the workers' own late patching would leave unpatched ("MonkeyPatchWarning:
# Monkey-patching ssl after ssl has already been imported"). Patched, the EHR client's outbound
# calls yield to other connections instead of blocking a worker.
from gevent import monkey

monkey.patch_all()

# Two processes, each serving many connections as greenlets (app/http/worker.py says why): a slow
# or stalled client costs a greenlet, never a whole worker.
workers = 2
worker_class = "app.http.worker.Worker"
worker_connections = 1000
# A request's headers must arrive within this many seconds: the gevent worker bounds each header
# read by `keepalive`. Connections are not kept alive past their answer (app/http/worker.py).
keepalive = 5
# A worker silent this long is restarted; the worker (app/http/worker.py) also ends any connection
# whose read or write waits this long (a body trickled in, an answer never read).
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
