"""Gunicorn settings: an access log that can never carry scenario values."""

accesslog = "-"
# Path only (%(U)s, no query string) and never a body: scenarios travel in POST bodies, not URLs.
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)sB %(M)sms'
