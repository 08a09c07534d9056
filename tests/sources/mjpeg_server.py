"""A real MJPEG-over-HTTP stream on 127.0.0.1 (what phone IP-camera apps serve), for the network camera
tests: JPEG frames in a multipart/x-mixed-replace response, paced at ``fps``.  ``stop()`` drops every
client mid-stream; ``start()`` serves again on the same port."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cv2
import numpy as np

BOUNDARY = "frame"


class MjpegServer:
    def __init__(self, fps: float = 25, size: tuple[int, int] = (160, 120)) -> None:
        self.fps, self.size, self.port = fps, size, 0
        self.frames_sent = 0
        self._server: ThreadingHTTPServer | None = None
        self._stopped = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/stream.mjpg"

    def _jpeg(self, n: int) -> bytes:
        width, height = self.size
        image = np.zeros((height, width, 3), np.uint8)
        image[:, :, 1] = 90
        x = (n * 4) % width
        image[:, x : x + 12] = (40, 200, 255)  # a moving bar: consecutive frames differ
        return cv2.imencode(".jpg", image)[1].tobytes()

    def start(self) -> MjpegServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", f"multipart/x-mixed-replace; boundary={BOUNDARY}")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                n = 0
                try:
                    while not owner._stopped.is_set():
                        data = owner._jpeg(n)
                        self.wfile.write(
                            f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(data)}\r\n\r\n".encode()
                            + data
                            + b"\r\n"
                        )
                        self.wfile.flush()
                        owner.frames_sent += 1
                        n += 1
                        owner._stopped.wait(1 / owner.fps)  # the stream's pace; wakes at once on stop
                except (BrokenPipeError, ConnectionResetError):
                    pass
                self.close_connection = True

        self._stopped.clear()
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
