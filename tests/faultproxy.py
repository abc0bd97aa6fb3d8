"""A loopback TCP fault proxy for the two-district test (security.md Appendix C, written afresh with threads).

Modes: ``pass`` forwards everything; ``down`` refuses connections; ``lose_every=N`` forwards the request and
reads the upstream's reply, then drops the connection for every Nth request (the partner applied the message,
the sender never hears back). One request per connection (the sender uses ``Connection: close``).
"""

from __future__ import annotations

import socket
import struct
import threading


class FaultProxy:
    def __init__(self, upstream_port: int, host: str = "127.0.0.1") -> None:
        self.host, self.upstream_port = host, upstream_port
        self.lose_every = 0
        self.requests = self.lost = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server((host, 0))
        self.port = self._listener.getsockname()[1]
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self._closed = True
        self._listener.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    @staticmethod
    def _read_request(sock: socket.socket) -> bytes:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                return data
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(body) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
        return head + b"\r\n\r\n" + body

    def _handle(self, client: socket.socket) -> None:
        with client:
            with self._lock:
                self.requests += 1
                lose = bool(self.lose_every) and self.requests % self.lose_every == 0
            request = self._read_request(client)
            try:
                upstream = socket.create_connection((self.host, self.upstream_port), timeout=10)
            except OSError:
                return  # upstream down: the sender sees the connection closed without an answer
            with upstream:
                upstream.sendall(request)
                reply = b""
                while chunk := upstream.recv(65536):
                    reply += chunk
            if lose:
                with self._lock:
                    self.lost += 1
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return  # reset without a reply
            client.sendall(reply)
