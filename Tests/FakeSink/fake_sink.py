#!/usr/bin/env python3
"""Fake observability sink for the forwarder's tests: loopback HTTPS, records every request.

Any path outside /fake/ is a sink request: it is recorded (method, path, headers, body) and
answered from the programmed behaviours in order, else 202. Control endpoints (same port):
  POST /fake/respond  {"status": 500, "count": 2, "retryAfter": "1"}   next N requests get this
  POST /fake/hang     {"count": 1, "seconds": 30}                     next N requests stall
  GET  /fake/requests                                                  the recorded requests
  POST /fake/reset                                                     forget requests and behaviours
Prints "PORT <n>" on stdout once listening. Python standard library only.
"""
import argparse
import base64
import json
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
recorded = []
behaviours = []  # dicts: {"status", "retryAfter", "hang"} consumed one per request


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _reply(self, status, payload=b"{}", extra=None):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def _control(self, method, body):
        global recorded, behaviours
        if method == "GET" and self.path == "/fake/requests":
            with lock:
                payload = json.dumps(recorded).encode()
            return self._reply(200, payload)
        spec = json.loads(body or b"{}")
        if method == "POST" and self.path == "/fake/respond":
            with lock:
                for _ in range(int(spec.get("count", 1))):
                    behaviours.append({"status": int(spec["status"]), "retryAfter": spec.get("retryAfter")})
            return self._reply(200)
        if method == "POST" and self.path == "/fake/hang":
            with lock:
                for _ in range(int(spec.get("count", 1))):
                    behaviours.append({"hang": float(spec.get("seconds", 30))})
            return self._reply(200)
        if method == "POST" and self.path == "/fake/reset":
            with lock:
                recorded = []
                behaviours = []
            return self._reply(200)
        return self._reply(404, b'{"error": "unknown control endpoint"}')

    def _handle(self, method):
        body = self._body()
        if self.path.startswith("/fake/"):
            return self._control(method, body)
        with lock:
            behaviour = behaviours.pop(0) if behaviours else {"status": 202}
            recorded.append({
                "method": method,
                "path": self.path,
                "headers": {name.lower(): value for name, value in self.headers.items()},
                "body": body.decode("utf-8", "replace"),
                "bodyBase64": base64.b64encode(body).decode(),
                "answeredWith": behaviour.get("status", 0),
            })
        if "hang" in behaviour:
            time.sleep(behaviour["hang"])
            self.close_connection = True
            return
        extra = {}
        if behaviour.get("retryAfter") is not None:
            extra["Retry-After"] = str(behaviour["retryAfter"])
        self._reply(behaviour["status"], b"{}", extra)

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_PUT(self):
        self._handle("PUT")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print(f"PORT {server.server_address[1]}", flush=True)
    # Exit when the test process goes away (stdin closes), so no sink outlives its test.
    threading.Thread(target=lambda: (sys.stdin.read(), server.shutdown()), daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
