"""Gunicorn's logs as JSON lines on stdout (gunicorn.conf.py sets ``logger_class``).

The access line carries what an operator filters on: method, path (without the query
string, which may hold personal data such as a searched name), status, bytes, duration,
the client chain (X-Forwarded-For) and the request id the application returned.
"""

from gunicorn.glogging import Logger

from .logs import JsonFormatter


class JsonLogger(Logger):
    def setup(self, cfg) -> None:
        super().setup(cfg)
        formatter = JsonFormatter()
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(formatter)

    def access(self, resp, req, environ, request_time) -> None:
        if not self.cfg.accesslog:
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        headers = dict((name.lower(), value) for name, value in (resp.headers or []))
        method = environ.get("REQUEST_METHOD", "-")
        path = environ.get("PATH_INFO", "-")
        fields = {
            "method": method,
            "path": path,
            "status": int(status) if str(status).isdigit() else status,
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "remote_addr": environ.get("REMOTE_ADDR"),
            "forwarded_for": environ.get("HTTP_X_FORWARDED_FOR"),
            "user_agent": environ.get("HTTP_USER_AGENT"),
            "request_id": headers.get("x-request-id") or environ.get("HTTP_X_REQUEST_ID"),
        }
        try:
            self.access_log.info("%s %s %s", method, path, status, extra=fields)
        except Exception:  # never let a log line break a response
            self.exception("access log failed")
