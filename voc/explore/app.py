"""The exploration page as an ASGI app (Starlette, Jinja2 templates with autoescaping).

Safety, as the page changes data (corrections) and runs on the analyst's machine:
* it is served on 127.0.0.1 only (``voc.explore.serve``), and every request whose Host header
  is not 127.0.0.1 or localhost is refused (Starlette's ``TrustedHostMiddleware``), which
  blocks DNS rebinding;
* a correction needs the per-process random token of the form (CSRF) and, when the browser
  sends one, an Origin on 127.0.0.1/localhost (an opaque Origin "null" relies on the token);
* a Content-Security-Policy allows nothing outside the page: no scripts, styles inline, forms
  and links to the page itself; every string shown comes from the store (already redacted)
  and is HTML-escaped by the templates.
"""
from __future__ import annotations

import getpass
import hmac
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from ..errors import ConfigError, VocError
from ..store import Store

TEMPLATES = Path(__file__).resolve().parent / "templates"
HOSTS = ("127.0.0.1", "localhost")
CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'")


def _imports():
    try:
        import jinja2
        from starlette.applications import Starlette
        from starlette.middleware import Middleware
        from starlette.middleware.trustedhost import TrustedHostMiddleware
    except ImportError:
        raise ConfigError("voc explore needs starlette, uvicorn and jinja2; install them with: "
                          "pip install 'voc-cx[explore]'") from None
    return jinja2, Starlette, Middleware, TrustedHostMiddleware


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in the environment or the password database
        return "analyst"


def templates():
    jinja2 = _imports()[0]
    from starlette.templating import Jinja2Templates

    from ..reports.common import fmt, name_of

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["fmt"] = fmt
    env.filters["name"] = lambda v, dim: name_of(dim, v)
    return Jinja2Templates(env=env)


def create_app(store: str | Path, *, token: str | None = None, who: str | None = None):
    """The ASGI app over the store at ``store`` (migrated once here, then opened per request).

    ``token``: the CSRF token of the correction form (default: random per process);
    ``who``: the default name on corrections (default: the OS user)."""
    jinja2, Starlette, Middleware, TrustedHostMiddleware = _imports()
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse, RedirectResponse
    from starlette.routing import Route

    from . import views
    from .filters import clean

    def _said(message: str, status: int):
        """A plain-text answer; it may quote what was typed or asked for, so it is scrubbed of
        personal data like every string voc writes (issue 16)."""
        from ..text.redact import Redactor

        return PlainTextResponse(Redactor().scrub(message), status_code=status)

    path = str(store)
    if not Path(path).is_file():
        from ..errors import InputError

        raise InputError(f"no results store at {path}; create one with `voc tag ... --store {path}`.")
    Store(path).close()  # applies pending migrations (the corrections table) once
    csrf = token or secrets.token_urlsafe(32)
    default_who = who or _user()
    tpl = templates()

    def page(request: Request, name: str, status: int = 200, **context: Any):
        return tpl.TemplateResponse(request, name, context, status_code=status)

    def common(st: Store, filters: dict[str, str]) -> dict[str, Any]:
        return {"filters": filters, "options": views.options(st), "dims": views.DIMS,
                "meta_titles": views.META_TITLES, "store_name": Path(path).name, "link": views.link}

    def overview(request: Request):
        with Store(path, readonly=True) as st:
            filters = clean(request.query_params)
            if "month" not in filters:
                months = st.months()
                filters["month"] = months[-1] if months else "all"
            return page(request, "overview.html", **common(st, filters), data=views.overview(st, filters))

    def contacts(request: Request):
        try:
            n = int(request.query_params.get("page", "1"))
        except ValueError:
            n = 1
        with Store(path, readonly=True) as st:
            filters = clean(request.query_params)
            return page(request, "contacts.html", **common(st, filters), data=views.contacts(st, filters, n),
                        back=str(request.url.path) + ("?" + request.url.query if request.url.query else ""))

    def contact(request: Request):
        cid = request.path_params["cid"]
        with Store(path, readonly=True) as st:
            data = views.contact(st, cid)
        if data is None:
            return _said(f"no contact {cid} in the store", 404)
        back = request.query_params.get("back", "")
        if not back.startswith(("/contacts", "/?")) and back != "/":
            back = "/contacts"
        return page(request, "contact.html", data=data, csrf=csrf, who=default_who, back=back,
                    store_name=Path(path).name, saved=request.query_params.get("saved"))

    async def correct(request: Request):
        origin = request.headers.get("origin")
        if origin and origin != "null" and urlsplit(origin).hostname not in HOSTS:
            return PlainTextResponse("corrections are accepted from this page only", status_code=403)
        form = await request.form()
        if not hmac.compare_digest(str(form.get("csrf", "")), csrf):
            return PlainTextResponse("the form has expired: reload the contact and correct again", status_code=403)
        cid = request.path_params["cid"]
        who_ = str(form.get("who") or default_who)[:100]
        changed = 0
        try:
            with Store(path) as st:
                record = st.get(cid)
                if record is None:
                    return _said(f"no contact {cid} in the store", 404)
                from ..store.corrections import FIELDS

                for field in FIELDS:
                    value = str(form.get(field) or "")
                    if value and value != record.get(field):
                        st.correct(cid, field, value, who_)
                        changed += 1
        except VocError as e:
            return _said(str(e), 400)
        back = str(form.get("back") or "")
        query = {"saved": str(changed), **({"back": back} if back else {})}
        return RedirectResponse(views.link(f"/contact/{quote(cid, safe='')}", query), status_code=303)

    async def headers(request, call_next):
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"  # (no-referrer makes the form's Origin "null")
        response.headers["Cache-Control"] = "no-store"
        return response

    from starlette.middleware.base import BaseHTTPMiddleware

    routes = [Route("/", overview), Route("/contacts", contacts), Route("/contact/{cid:path}", contact),
              Route("/correct/{cid:path}", correct, methods=["POST"])]
    app = Starlette(routes=routes, middleware=[
        Middleware(TrustedHostMiddleware, allowed_hosts=list(HOSTS)),
        Middleware(BaseHTTPMiddleware, dispatch=headers)])
    app.state.csrf = csrf
    return app
