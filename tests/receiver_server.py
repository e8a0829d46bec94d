"""The callback receiver app under uvicorn on a free loopback port, mounted at /bandwidth as the API server does."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn


@contextmanager
def serve_receiver() -> Iterator[str]:
    """Serve :data:`bandwidth_hosted_messaging.callbacks.receiver.app`; yield its callback URL."""
    from fastapi import FastAPI

    from bandwidth_hosted_messaging.callbacks.receiver import app

    api_server = FastAPI()
    api_server.mount("/bandwidth", app)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(api_server, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}/bandwidth/callbacks"
    finally:
        server.should_exit = True
        thread.join(5)
