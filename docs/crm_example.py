"""A CRM-side script for Vetted's API (see docs/integration.md): open an application, follow it by webhook.

    python docs/crm_example.py receive --secret whsec_... --port 9000        # the webhook receiver
    python docs/crm_example.py apply --base http://127.0.0.1:8000 --token vtd_... \\
        --record account.json --document business_licence=licence.pdf ...

``apply`` posts a CRM account record through the client's CRM mapping (or a unified-form body
with ``--form``), uploads the documents, and submits. ``receive`` verifies each delivery's
signature and prints the event. Needs ``requests`` (the receiver only the standard library).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

TOLERANCE_SECONDS = 300


def verify_signature(secret: str, timestamp: str, signature: str, body: bytes) -> bool:
    """Vetted signs ``timestamp + "." + body`` with HMAC-SHA256; refuse old timestamps (replays)."""
    expected = "v1=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    fresh = abs(time.time() - int(timestamp)) <= TOLERANCE_SECONDS
    return fresh and hmac.compare_digest(expected, signature)


class Api:
    def __init__(self, base: str, token: str) -> None:
        import requests

        self.base = base.rstrip("/")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.session.headers["Accept-Language"] = "zh-hans"

    def _check(self, response):
        if response.status_code >= 400:
            raise RuntimeError(f"{response.status_code}: {response.text}")
        return response.json()

    def create_from_crm(self, record: dict, *, key: str | None = None) -> dict:
        """The CRM record as it is; the client's CRM mapping makes the draft. Safe to retry with the same key."""
        headers = {"Idempotency-Key": key or str(uuid.uuid4())}
        return self._check(self.session.post(f"{self.base}/api/v1/crm/applications/", json=record, headers=headers))

    def create(self, form: dict, *, key: str | None = None) -> dict:
        headers = {"Idempotency-Key": key or str(uuid.uuid4())}
        return self._check(self.session.post(f"{self.base}/api/v1/applications/", json=form, headers=headers))

    def upload(self, application_id: int, document_type: str, path: Path) -> dict:
        with path.open("rb") as file:
            return self._check(self.session.post(
                f"{self.base}/api/v1/applications/{application_id}/documents/",
                data={"document_type": document_type}, files={"file": (path.name, file)},
            ))

    def transition(self, application_id: int, transition: str, expected_state: str, reason: str = "") -> dict:
        body = {"transition": transition, "expected_state": expected_state, "reason": reason}
        return self._check(self.session.post(f"{self.base}/api/v1/applications/{application_id}/transition/",
                                             json=body, headers={"Idempotency-Key": str(uuid.uuid4())}))


def apply(api: Api, *, record: dict | None = None, form: dict | None = None,
          documents: list[tuple[str, Path]] = ()) -> dict:
    """Create the draft, upload its documents and submit it; returns the submitted application."""
    application = api.create_from_crm(record) if record is not None else api.create(form or {})
    for document_type, path in documents:
        api.upload(application["id"], document_type, path)
    return api.transition(application["id"], "submit", expected_state="draft")["application"]


def receiver(secret: str, port: int, on_event=print) -> ThreadingHTTPServer:
    """An HTTP server that verifies each delivery and hands the event to ``on_event`` (answer 2xx fast)."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            ok = verify_signature(secret, self.headers.get("Vetted-Timestamp", "0"),
                                  self.headers.get("Vetted-Signature", ""), body)
            self.send_response(204 if ok else 401)
            self.end_headers()
            if ok:
                on_event(json.loads(body))

        def log_message(self, *args):
            pass

    return ThreadingHTTPServer(("127.0.0.1", port), Handler)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    receive = commands.add_parser("receive")
    receive.add_argument("--secret", required=True)
    receive.add_argument("--port", type=int, default=9000)
    send = commands.add_parser("apply")
    send.add_argument("--base", default="http://127.0.0.1:8000")
    send.add_argument("--token", required=True)
    send.add_argument("--record", type=Path, help="a CRM account record (JSON), mapped by the client's CRM mapping")
    send.add_argument("--form", type=Path, help="or a unified-form body (JSON)")
    send.add_argument("--document", action="append", default=[], help="TYPE=PATH, e.g. business_licence=licence.pdf")
    args = parser.parse_args()
    if args.command == "receive":
        server = receiver(args.secret, args.port,
                          on_event=lambda e: print(e["type"], json.dumps(e["data"], ensure_ascii=False)))
        print(f"Listening on http://127.0.0.1:{args.port}/")
        server.serve_forever()
    else:
        documents = [(spec.split("=", 1)[0], Path(spec.split("=", 1)[1])) for spec in args.document]
        record = json.loads(args.record.read_text(encoding="utf-8")) if args.record else None
        form = json.loads(args.form.read_text(encoding="utf-8")) if args.form else None
        application = apply(Api(args.base, args.token), record=record, form=form, documents=documents)
        print(f"{application['reference']} is now {application['state']}")


if __name__ == "__main__":
    main()
