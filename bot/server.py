"""The HTTP side: Slack's requests on POST /slack/events and a health check, served by waitress."""

from __future__ import annotations

import json
import logging

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy.engine import Engine

from storage.db import ping

log = logging.getLogger("unmentor")


def make_wsgi_app(app: App, engine: Engine):
    slack = SlackRequestHandler(app, path="/slack/events")

    def wsgi(environ, start_response):
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            return _health(engine, start_response)
        return slack(environ, start_response)

    return wsgi


def _health(engine: Engine, start_response):
    try:
        ping(engine)
        status, body = "200 OK", {"ok": True}
    except Exception as error:  # a health check reports; it never raises
        log.warning("health check: database unreachable: %s", error)
        status, body = "503 Service Unavailable", {"ok": False, "error": "database unreachable"}
    payload = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
    return [payload]


def serve_http(app: App, engine: Engine, host: str, port: int, threads: int = 8) -> None:
    """Serve until stopped, several requests at once (Bolt's own server handles one at a time)."""
    from waitress import create_server

    # Bound before saying so: a port in use raises here, and nothing claims to be listening.
    server = create_server(make_wsgi_app(app, engine), host=host, port=port, threads=threads, ident="unmentor")
    log.info("unmentor listening on http://%s:%d/slack/events", host, port)
    # Returns on SIGTERM or Ctrl-C (waitress catches SystemExit and KeyboardInterrupt and closes).
    server.run()
