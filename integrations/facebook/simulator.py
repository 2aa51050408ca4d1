"""Facebook Login simulator: the OAuth2 dialog and the Graph API calls django-allauth makes.

The dev stack points allauth's Facebook provider here (`python -m integrations.simulators`
starts it on 8102):

    FACEBOOK_AUTHORIZE_URL=http://127.0.0.1:8102/v19.0/dialog/oauth
    FACEBOOK_GRAPH_API_URL=http://127.0.0.1:8102/v19.0

Endpoints (any `/vNN.N` version prefix is accepted):

    GET  /v19.0/dialog/oauth?client_id&redirect_uri&scope&response_type=code&state
         An HTML page (Hungarian/English) listing the demo Facebook users with a
         "Folytatás mint … / Continue as …" button each and "Mégse / Cancel".
         A wrong client_id or a redirect_uri on a host not allowed gives an error page (400),
         as Facebook does — it never redirects to an unverified address.
    POST /v19.0/dialog/oauth   the buttons: redirect to redirect_uri?code=…&state=…,
         or ?error=access_denied&error_reason=user_denied&…&state=… on Cancel.
    GET  /v19.0/oauth/access_token?client_id&client_secret&code&redirect_uri
         (allauth's OAuth2Client sends GET for Facebook; POST works too)
         → {"access_token", "token_type": "bearer", "expires_in"}; a code works once, for
         the redirect_uri it was issued to. grant_type=client_credentials gives an app token,
         grant_type=fb_exchange_token a fresh user token.
    GET  /v19.0/me?fields=id,email,…&access_token&appsecret_proof
         appsecret_proof = HMAC-SHA256(key=app secret, msg=access token), hex; required.
         `email` is returned only when the `email` scope was granted and the user has one.
    GET  /v19.0/debug_token?input_token&access_token=<app token>   (allauth's token login)
    GET  /_sim/stats, POST /_sim/reset

Errors use Graph's shape: 400 {"error": {"message", "type": "OAuthException", "code", "fbtrace_id"}}.

Run alone: `python -m integrations.facebook.simulator --port 8102` (env FACEBOOK_SIM_HOST,
FACEBOOK_SIM_PORT, FACEBOOK_APP_ID, FACEBOOK_APP_SECRET, FACEBOOK_SIM_REDIRECT_HOSTS).
Defaults equal the settings defaults: app id `eportal-dev-app`, secret `eportal-dev-secret`.

Using a real Facebook app instead
---------------------------------
1. Create an app at developers.facebook.com with the "Facebook Login" product; under
   Facebook Login → Settings add the valid OAuth redirect URI
   `<PUBLIC_URL>/accounts/facebook/login/callback/` (also used by the headless flow).
2. Set FACEBOOK_APP_ID and FACEBOOK_APP_SECRET to the app's id and secret.
3. Unset FACEBOOK_AUTHORIZE_URL and FACEBOOK_GRAPH_API_URL: the settings then default to
   https://www.facebook.com/v19.0/dialog/oauth and https://graph.facebook.com/v19.0.
   (FACEBOOK_GRAPH_VERSION picks another Graph version.)
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import html
import os
import re
import secrets
import signal
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from integrations.simkit import SimHandler, SimServer, serve_in_thread

DEFAULT_APP_ID = "eportal-dev-app"
DEFAULT_APP_SECRET = "eportal-dev-secret"  # noqa: S105 - equals the settings default, dev only
DEFAULT_REDIRECT_HOSTS = ("127.0.0.1", "localhost", "testserver")
TOKEN_LIFETIME_S = 5_183_944  # what Facebook gives long-lived user tokens (~60 days)
CODE_LIFETIME_S = 600
KNOWN_FIELDS = ("id", "email", "name", "first_name", "last_name")


@dataclass(frozen=True)
class FacebookUser:
    id: str
    first_name: str
    last_name: str
    email: str | None

    @property
    def name(self) -> str:
        return f"{self.last_name} {self.first_name}"  # Hungarian locale: family name first


#: Same email as the demo resident Kovács Anna (integrations.registry.population.KOVACS_ANNA).
FB_KOVACS_ANNA = FacebookUser(
    id="100000000000101", first_name="Anna", last_name="Kovács", email="kovacs.anna@example.hu"
)
#: An email no resident has: signing in creates a new account.
FB_TOTH_BENCE = FacebookUser(id="100000000000102", first_name="Bence", last_name="Tóth", email="toth.bence@example.hu")
#: Declined to share an email address: the portal must ask for one.
FB_VARGA_JULIA = FacebookUser(id="100000000000103", first_name="Júlia", last_name="Varga", email=None)
FACEBOOK_DEMO_USERS: tuple[FacebookUser, ...] = (FB_TOTH_BENCE, FB_KOVACS_ANNA, FB_VARGA_JULIA)


def appsecret_proof(access_token: str, app_secret: str) -> str:
    return hmac.new(app_secret.encode(), access_token.encode(), hashlib.sha256).hexdigest()


@dataclass
class _Grant:
    user: FacebookUser
    client_id: str
    redirect_uri: str
    scopes: frozenset[str]
    expires_at: float


@dataclass
class FacebookState:
    app_id: str
    app_secret: str
    redirect_hosts: tuple[str, ...]
    users: dict[str, FacebookUser] = field(default_factory=lambda: {u.id: u for u in FACEBOOK_DEMO_USERS})
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.codes: dict[str, _Grant] = {}
            self.tokens: dict[str, _Grant] = {}
            self.app_tokens: set[str] = set()
            self.calls: dict[str, int] = {}

    def count(self, endpoint: str) -> None:
        with self.lock:
            self.calls[endpoint] = self.calls.get(endpoint, 0) + 1

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {"calls": dict(self.calls), "codes_issued": len(self.codes), "tokens_issued": len(self.tokens)}


def _graph_error(message: str, code: int, kind: str = "OAuthException", subcode: int | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"message": message, "type": kind, "code": code, "fbtrace_id": secrets.token_hex(8)}
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


def _with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


_VERSIONED = re.compile(r"^/v\d+\.\d+(/.*)$")

_PAGE = """<!doctype html>
<html lang="hu">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
  body {{ font-family: system-ui, sans-serif; background: #f0f2f5; color: #1c1e21; margin: 0; padding: 1rem; }}
  main {{ max-width: 32rem; margin: 2rem auto; background: #fff; border-radius: 8px; padding: 1.5rem;
          box-shadow: 0 1px 3px rgba(0,0,0,.2); }}
  h1 {{ font-size: 1.4rem; margin-top: 0; }}
  .sim {{ background: #fff3cd; border: 1px solid #856404; color: #533f03; padding: .5rem .75rem; border-radius: 4px; }}
  ul {{ list-style: none; padding: 0; }}
  li {{ border: 1px solid #ccd0d5; border-radius: 6px; padding: .75rem; margin: .75rem 0; }}
  button {{ font: inherit; padding: .6rem 1rem; border-radius: 6px; border: 2px solid transparent; cursor: pointer;
            margin-top: .5rem; }}
  button.continue {{ background: #0b5fcc; color: #fff; }}
  button.cancel {{ background: #e4e6eb; color: #1c1e21; }}
  button:focus-visible {{ outline: 3px solid #1c1e21; outline-offset: 2px; }}
  .en {{ color: #4b4f56; }}
</style>
</head>
<body>
<main>
{body}
</main>
</body>
</html>
"""


class FacebookHandler(SimHandler):
    server: FacebookServer

    @property
    def state(self) -> FacebookState:
        return self.server.state

    # -- routing ---------------------------------------------------------------------------------
    def do_GET(self) -> None:
        self.route("GET")

    def do_POST(self) -> None:
        self.route("POST")

    def route(self, method: str) -> None:
        path = self.path_only
        if path == "/_sim/stats" and method == "GET":
            self.send_json(200, self.state.stats())
            return
        if path == "/_sim/reset" and method == "POST":
            self.state.reset()
            self.send_json(200, {"status": "reset"})
            return
        match = _VERSIONED.match(path)
        endpoint = match.group(1) if match else path
        self.state.count(f"{method} {endpoint}")
        if endpoint == "/dialog/oauth":
            self.dialog(method)
        elif endpoint == "/oauth/access_token":
            params = self.query if method == "GET" else {**self.query, **self.read_form()}
            self.access_token(params)
        elif endpoint == "/me" and method == "GET":
            self.me(self.query)
        elif endpoint == "/debug_token" and method == "GET":
            self.debug_token(self.query)
        else:
            self.send_json(404, _graph_error(f"Unknown path components: {path}", 2500))

    # -- the login dialog -------------------------------------------------------------------------
    def dialog_problem(self, params: dict[str, str]) -> str:
        if params.get("client_id") != self.state.app_id:
            return "Érvénytelen alkalmazásazonosító. / Invalid App ID."
        redirect = urlsplit(params.get("redirect_uri", ""))
        if redirect.scheme not in ("http", "https") or redirect.hostname not in self.state.redirect_hosts:
            return (
                "Az átirányítási cím nincs engedélyezve az alkalmazás beállításaiban. / "
                "URL blocked: this redirect failed because the redirect URI is not whitelisted in the app's settings."
            )
        if params.get("response_type", "code") != "code":
            return "Nem támogatott response_type. / Unsupported response_type."
        return ""

    def dialog(self, method: str) -> None:
        params = self.query if method == "GET" else self.read_form()
        problem = self.dialog_problem(params)
        if problem:
            body = f'<h1>Hiba / Error</h1>\n<p role="alert">{html.escape(problem)}</p>'
            self.send_html(400, _PAGE.format(title="Hiba / Error", body=body))
            return
        if method == "GET":
            self.send_html(200, self.dialog_page(params))
            return
        redirect_uri, state = params["redirect_uri"], params.get("state", "")
        extra = {"state": state} if state else {}
        if params.get("cancel") or not params.get("user_id"):
            self.send_redirect(
                _with_query(
                    redirect_uri,
                    {
                        "error": "access_denied",
                        "error_code": "200",
                        "error_description": "Permissions error",
                        "error_reason": "user_denied",
                        **extra,
                    },
                )
            )
            return
        user = self.state.users.get(params["user_id"])
        if user is None:
            self.send_html(
                400,
                _PAGE.format(
                    title="Hiba / Error",
                    body='<h1>Hiba / Error</h1><p role="alert">Ismeretlen felhasználó. / Unknown user.</p>',
                ),
            )
            return
        code = secrets.token_urlsafe(24)
        scopes = frozenset(s for s in re.split(r"[,\s]+", params.get("scope", "")) if s) | {"public_profile"}
        with self.state.lock:
            self.state.codes[code] = _Grant(
                user, params["client_id"], redirect_uri, scopes, time.time() + CODE_LIFETIME_S
            )
        self.send_redirect(_with_query(redirect_uri, {"code": code, **extra}))

    def dialog_page(self, params: dict[str, str]) -> str:
        esc = html.escape
        hidden = "".join(
            f'<input type="hidden" name="{name}" value="{esc(params.get(name, ""))}">'
            for name in ("client_id", "redirect_uri", "state", "scope", "response_type")
        )
        wants_email = "email" in re.split(r"[,\s]+", params.get("scope", ""))
        items = []
        for user in self.state.users.values():
            email = esc(user.email) if user.email else "nincs megosztott e-mail cím / no email address shared"
            items.append(
                f"<li><p><strong>Facebook-felhasználó: {esc(user.name)}</strong><br>"
                f'<span class="en">Facebook user: {esc(user.first_name)} {esc(user.last_name)}</span><br>'
                f"{email}</p>"
                f'<button class="continue" type="submit" name="user_id" value="{esc(user.id)}">'
                f"Folytatás mint {esc(user.name)} / Continue as {esc(user.first_name)} {esc(user.last_name)}</button></li>"
            )
        asks = (
            "nyilvános profil és e-mail cím / public profile and email address"
            if wants_email
            else "nyilvános profil / public profile"
        )
        body = (
            '<h1>Bejelentkezés Facebookkal <span class="en">/ Log in with Facebook</span></h1>\n'
            '<p class="sim">Fejlesztői szimulátor, nem a valódi Facebook. / Development simulator, not the real Facebook.</p>\n'
            f"<p>A(z) <strong>{esc(params.get('client_id', ''))}</strong> alkalmazás hozzáférést kér: {asks}.<br>"
            f'<span class="en">The app requests access to: {asks.split(" / ")[-1]}.</span></p>\n'
            f'<form method="post" action="{esc(self.path_only)}">{hidden}\n'
            f"<h2>Válasszon fiókot / Choose an account</h2>\n<ul>{''.join(items)}</ul>\n"
            '<button class="cancel" type="submit" name="cancel" value="1">Mégse / Cancel</button>\n'
            "</form>"
        )
        return _PAGE.format(title="Bejelentkezés Facebookkal / Log in with Facebook", body=body)

    # -- Graph API -----------------------------------------------------------------------------------
    def access_token(self, params: dict[str, str]) -> None:
        state = self.state
        if params.get("client_id") != state.app_id:
            self.send_json(400, _graph_error("Error validating application. Invalid application ID.", 101))
            return
        if not hmac.compare_digest(params.get("client_secret", ""), state.app_secret):
            self.send_json(400, _graph_error("Error validating client secret.", 1))
            return
        grant_type = params.get("grant_type", "authorization_code")
        if grant_type == "client_credentials":
            token = f"{state.app_id}|{secrets.token_urlsafe(16)}"
            with state.lock:
                state.app_tokens.add(token)
            self.send_json(200, {"access_token": token, "token_type": "bearer"})
            return
        with state.lock:
            if grant_type == "fb_exchange_token":
                grant = state.tokens.get(params.get("fb_exchange_token", ""))
            else:
                grant = state.codes.pop(params.get("code", ""), None)  # a code works once
        if grant is None or grant.expires_at < time.time():
            self.send_json(400, _graph_error("This authorization code has expired or been used.", 100, subcode=36009))
            return
        if grant_type != "fb_exchange_token" and params.get("redirect_uri") != grant.redirect_uri:
            self.send_json(
                400,
                _graph_error(
                    "Error validating verification code. Please make sure your redirect_uri is identical "
                    "to the one you used in the OAuth dialog request",
                    100,
                    subcode=36008,
                ),
            )
            return
        token = secrets.token_urlsafe(32)
        with state.lock:
            state.tokens[token] = _Grant(
                grant.user, grant.client_id, grant.redirect_uri, grant.scopes, time.time() + TOKEN_LIFETIME_S
            )
        self.send_json(200, {"access_token": token, "token_type": "bearer", "expires_in": TOKEN_LIFETIME_S})

    def user_grant(self, token: str) -> _Grant | None:
        with self.state.lock:
            grant = self.state.tokens.get(token)
        return grant if grant and grant.expires_at > time.time() else None

    def me(self, params: dict[str, str]) -> None:
        token = params.get("access_token") or self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        grant = self.user_grant(token)
        if grant is None:
            self.send_json(400, _graph_error("Invalid OAuth access token - Cannot parse access token", 190))
            return
        proof = params.get("appsecret_proof", "")
        if not proof:
            self.send_json(
                400,
                _graph_error(
                    "API calls from the server require an appsecret_proof argument", 100, kind="GraphMethodException"
                ),
            )
            return
        if not hmac.compare_digest(proof, appsecret_proof(token, self.state.app_secret)):
            self.send_json(
                400,
                _graph_error("Invalid appsecret_proof provided in the API argument", 100, kind="GraphMethodException"),
            )
            return
        requested = [f for f in params.get("fields", "id,name").split(",") if f]
        user = grant.user
        values = {"id": user.id, "name": user.name, "first_name": user.first_name, "last_name": user.last_name}
        if user.email and "email" in grant.scopes:
            values["email"] = user.email
        self.send_json(200, {name: values[name] for name in requested if name in values})

    def debug_token(self, params: dict[str, str]) -> None:
        with self.state.lock:
            app_token_ok = params.get("access_token", "") in self.state.app_tokens
        if not app_token_ok:
            self.send_json(400, _graph_error("Invalid OAuth access token - Cannot parse access token", 190))
            return
        grant = self.user_grant(params.get("input_token", ""))
        if grant is None:
            self.send_json(200, {"data": {"is_valid": False, "app_id": self.state.app_id}})
            return
        self.send_json(
            200,
            {
                "data": {
                    "app_id": grant.client_id,
                    "type": "USER",
                    "application": grant.client_id,
                    "is_valid": True,
                    "expires_at": int(grant.expires_at),
                    "scopes": sorted(grant.scopes),
                    "user_id": grant.user.id,
                }
            },
        )


class FacebookServer(SimServer):
    def __init__(self, address: tuple[str, int], state: FacebookState, verbose: bool = False) -> None:
        self.state = state
        self.verbose = verbose
        super().__init__(address, FacebookHandler)


def make_server(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    app_id: str = DEFAULT_APP_ID,
    app_secret: str = DEFAULT_APP_SECRET,
    redirect_hosts: tuple[str, ...] = DEFAULT_REDIRECT_HOSTS,
    verbose: bool = False,
) -> FacebookServer:
    state = FacebookState(app_id=app_id, app_secret=app_secret, redirect_hosts=redirect_hosts)
    return FacebookServer((host, port), state, verbose=verbose)


def start_in_thread(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    app_id: str = DEFAULT_APP_ID,
    app_secret: str = DEFAULT_APP_SECRET,
    redirect_hosts: tuple[str, ...] = DEFAULT_REDIRECT_HOSTS,
) -> tuple[FacebookServer, str]:
    """Start on a daemon thread; returns (server, base_url). AUTHORIZE_URL = base_url + "/v19.0/dialog/oauth"."""
    return serve_in_thread(make_server(host, port, app_id=app_id, app_secret=app_secret, redirect_hosts=redirect_hosts))


def redirect_hosts_from_env() -> tuple[str, ...]:
    value = os.environ.get("FACEBOOK_SIM_REDIRECT_HOSTS", "")
    return tuple(h.strip() for h in value.split(",") if h.strip()) or DEFAULT_REDIRECT_HOSTS


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Facebook Login simulator")
    parser.add_argument("--host", default=os.environ.get("FACEBOOK_SIM_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("FACEBOOK_SIM_PORT", "8102")))
    parser.add_argument("--app-id", default=os.environ.get("FACEBOOK_APP_ID", DEFAULT_APP_ID))
    parser.add_argument("--app-secret", default=os.environ.get("FACEBOOK_APP_SECRET", DEFAULT_APP_SECRET))
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    server = make_server(
        args.host,
        args.port,
        app_id=args.app_id,
        app_secret=args.app_secret,
        redirect_hosts=redirect_hosts_from_env(),
        verbose=args.verbose,
    )
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print(f"facebook simulator: {server.base_url}/v19.0/dialog/oauth (Graph API {server.base_url}/v19.0)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
