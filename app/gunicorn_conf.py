"""Gunicorn settings: an access log that can never carry scenario values."""

accesslog = "-"
# Path only (%(U)s, no query string) and never a body: scenarios travel in POST bodies, not URLs.
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)sB %(M)sms'
# No runtime control interface (gunicorn 27 otherwise opens $HOME/.gunicorn/gunicorn.ctl): the app
# needs none, and two instances on one host (behind a load balancer) would share that one path.
control_socket_disable = True
