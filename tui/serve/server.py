"""The server: the page, the session socket and downloads behind the token, the class's capacity, and a
shutdown that ends every session's process."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web
from textual_serve.server import Server, to_int

from tui.cli.output import flush, say
from tui.core.texts.messages import translate
from tui.serve.session import GRACE, Session

TEMPLATES = Path(__file__).parent / "templates"
HEARTBEAT = 60.0  # seconds between pings to a tab, which has half as long to answer: a laptop gone is noticed, a class starting at once on a busy server is not cut off
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})  # listening only for this machine: no token needed
WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})


def needs_token(host: str) -> bool:
    """Whether listening on `host` reaches beyond this machine, so a token must guard it."""
    return host not in LOCAL_HOSTS


@dataclass(frozen=True)
class ServeSettings:
    """What `serve` was asked: where to listen, who may come in, how many at once, what each session runs."""

    argv: tuple[str, ...]  # a session's command (session.session_argv)
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str | None = None
    max_sessions: int = 1
    token: str | None = None
    files: str = ""  # the --files folder, absolute, or ""
    lang: str = "en"

    @property
    def cookie(self) -> str:
        """The cookie the page sets to the token, which the socket and downloads carry (textual.js adds no query
        of ours); named by the port, since a browser sends a host's cookies to all its ports (two classes on one
        machine keep their tokens apart)."""
        return f"embedding_explorer_token_{self.port}"

    def address(self, host: str | None = None) -> str:
        """The address to open (at `host`, else the one listened on; the machine's name for all of them), with the
        token when there is one (as Jupyter prints it)."""
        host = host or (socket.gethostname() if self.host in WILDCARD_HOSTS else self.host)
        host = f"[{host}]" if ":" in host else host
        base = (self.public_url or f"http://{host}:{self.port}").rstrip("/") + "/"
        return f"{base}?token={self.token}" if self.token else base

    def other_addresses(self) -> list[str]:
        """Listening on every interface, the same address at each of the machine's own IPv4 addresses: a
        classroom's laptops may not know the machine's name."""
        if self.public_url or self.host not in WILDCARD_HOSTS:
            return []
        return [self.address(ip) for ip in sorted(machine_ipv4())]


def machine_ipv4() -> set[str]:
    """This machine's IPv4 addresses other than loopback: its name's, and the one its traffic leaves by."""
    found: set[str] = set()
    with contextlib.suppress(OSError):
        found |= {str(info[4][0]) for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("10.254.254.254", 1))  # a datagram socket sends nothing on connect: the kernel only picks the way out
        found.add(probe.getsockname()[0])
    return {ip for ip in found if not ip.startswith("127.")}


def token_for(host: str, given: str | None) -> str | None:
    """The token a server on `host` asks for: the one given, else one made now when the network can reach it."""
    return given if given else secrets.token_urlsafe(24) if needs_token(host) else None


class ClassServer(Server):
    """textual-serve's Server (its downloads and socket messages) with our page, the token, the capacity
    and sessions that are processes of their own."""

    def __init__(self, settings: ServeSettings) -> None:
        super().__init__(" ".join(settings.argv), host=settings.host, port=settings.port, public_url=settings.public_url, templates_path=TEMPLATES)
        self.settings = settings
        self.sessions: set[Session] = set()
        self.sockets: set[web.WebSocketResponse] = set()
        self.starting = asyncio.Semaphore(os.cpu_count() or 1)  # sessions starting now: Python, Textual and torch take a core each

    def t(self, key: str, **params: object) -> str:
        return translate(self.settings.lang, key, **params)

    async def _make_app(self) -> web.Application:
        app = web.Application()
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path), autoescape=True)
        app.add_routes(
            [
                web.get("/", self.handle_index, name="index"),
                web.get("/ws", self.handle_websocket, name="websocket"),
                web.get("/download/{key}", self.handle_download, name="download"),
                web.static("/static", self.statics_path, name="static"),
            ]
        )
        app.on_shutdown.append(self.on_shutdown)
        return app

    def admitted(self, request: web.Request) -> bool:
        """The request carries the token (in the address or the page's cookie), or none is needed."""
        token = self.settings.token
        if token is None:
            return True
        given = [request.query.get("token", ""), request.cookies.get(self.settings.cookie, "")]
        return any(secrets.compare_digest(value.encode(), token.encode()) for value in given)

    def full(self) -> bool:
        return len(self.sessions) >= self.settings.max_sessions

    def notice(self, request: web.Request, status: int, heading: str, text: str) -> web.Response:
        """A plain page that says why no session starts."""
        context = {"lang": self.settings.lang, "title": self.t("app.title"), "heading": heading, "text": text}
        return aiohttp_jinja2.render_template("notice.html", request, context, status=status)

    def refused(self, request: web.Request) -> web.Response:
        return self.notice(request, 403, self.t("serve.refused_title"), self.t("serve.refused"))

    def turned_away(self, request: web.Request) -> web.Response:
        return self.notice(request, 503, self.t("serve.full_title"), self.t("serve.full", sessions=len(self.sessions)))

    async def handle_index(self, request: web.Request) -> web.Response:  # type: ignore[override]
        """The app's page, once the token is known and the class has room; else the page that says why."""
        if not self.admitted(request):
            return self.refused(request)
        if self.full():
            return self.turned_away(request)
        origin = (self.settings.public_url or str(request.url.origin())).rstrip("/")
        scheme = "wss" if origin.startswith("https") else "ws"
        context: dict[str, Any] = {
            "lang": self.settings.lang,
            "title": self.t("app.title"),
            "ended": self.t("serve.ended"),
            "restart": self.t("serve.restart"),
            "static": f"{origin}/static/",
            "websocket_url": f"{scheme}:{origin.split(':', 1)[1]}/ws",
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
        }
        response = aiohttp_jinja2.render_template("app.html", request, context)
        if self.settings.token is not None:
            response.set_cookie(self.settings.cookie, self.settings.token, httponly=True, samesite="Strict")
        return response

    async def handle_download(self, request: web.Request) -> web.StreamResponse:
        if not self.admitted(request):
            return self.refused(request)
        return await super().handle_download(request)

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:  # type: ignore[override]
        """A tab's session: its own process for as long as the socket is open. Refused (no process) without
        the token or when the class is full."""
        if not self.admitted(request):
            return self.refused(request)
        if self.full():
            return self.turned_away(request)
        websocket = web.WebSocketResponse(heartbeat=HEARTBEAT)
        session = Session(
            self.settings.argv,
            self.settings.files,
            self.settings.lang,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.download_manager,
        )
        self.sessions.add(session)  # counted before the first await: two tabs at once cannot both take the last place
        try:
            await websocket.prepare(request)
            self.sockets.add(websocket)
            await websocket.send_bytes(self.t("serve.starting").encode())
            async with self.starting:  # a session per core starts at once: a class arriving together sees its screens in turn
                if request.transport is None or request.transport.is_closing():
                    return websocket  # the tab closed while it waited its turn: nothing to start
                await session.start(to_int(request.query.get("width", "80"), 80), to_int(request.query.get("height", "24"), 24))
                await session.started()
            await self._process_messages(websocket, session)
        except (asyncio.CancelledError, ConnectionResetError):
            pass
        except (ValueError, LookupError, TypeError, AttributeError, AssertionError):
            pass  # a message textual.js never sends (not JSON, not a list, a resize without a width): that tab's session ends
        finally:
            await session.stop()
            self.sessions.discard(session)
            self.sockets.discard(websocket)
            with contextlib.suppress(Exception):
                await websocket.close()
        return websocket

    async def on_shutdown(self, app: web.Application) -> None:
        """Every session's process ended, all at once (each with its kill fallback), and every socket closed."""
        await asyncio.gather(*(session.stop() for session in list(self.sessions)), return_exceptions=True)
        await asyncio.gather(*(websocket.close() for websocket in list(self.sockets)), return_exceptions=True)

    async def run(self) -> None:
        """Listen, say the address, and serve until SIGINT or SIGTERM; then end every session."""
        runner = web.AppRunner(await self._make_app(), handle_signals=False, shutdown_timeout=3 * GRACE, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.settings.host, self.settings.port).start()
            say(self.t("serve.open", url=self.settings.address(), sessions=self.settings.max_sessions))
            say(self.t("serve.stop"))
            if others := self.settings.other_addresses():
                say(self.t("serve.also", urls=", ".join(others)))
            flush()
            stopped = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sent in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sent, stopped.set)
            await stopped.wait()
        finally:
            await runner.cleanup()


def serve(settings: ServeSettings) -> None:
    """Run the server until Ctrl+C or SIGTERM (an address that cannot be listened on raises OSError)."""
    asyncio.run(ClassServer(settings).run())
