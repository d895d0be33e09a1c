"""The route table of the local HTTP gateway: every Api / HttpApi route of the graph, and which
one a request reaches, with API Gateway's precedence. Pure: no sockets.

Precedence follows the API Gateway developer guide ("Set up Lambda proxy integrations",
"Working with routes for HTTP APIs"): a literal path segment beats a `{param}`, which beats
a greedy `{proxy+}` (which needs at least one segment); a route's own method beats `ANY`.
REST APIs pick the resource first and then its method (a resource without that method is a
miss); HTTP APIs pick among the routes that accept the method and fall back to `$default`.
Misses answer as each service does: REST 403 Missing Authentication Token, HTTP API 404.
All APIs share one port, as `sam local start-api` serves them: the first route of a clash wins.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from urllib.parse import unquote

from samlite.graph.model import Api, ApiKind, Graph, Route

DEFAULT_ROUTE = "$default"
ANY = "ANY"
_LITERAL, _PARAM, _GREEDY = 0, 1, 2
# Answers kept per table, by method and path as sent: a client asks for the same few paths
# again and again. Past this many distinct ones the memo starts over (paths are the client's
# to choose, so it must not grow without end).
_MEMO_SIZE = 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class Pattern:
    """A route path split into segments: ("pets", "{id}") or ("files", "{proxy+}")."""

    path: str
    segments: tuple[str, ...]

    @classmethod
    def of(cls, path: str) -> Pattern:
        return cls(path=path, segments=split_path(path))

    def match(self, parts: Sequence[str]) -> tuple[tuple[int, ...], dict[str, str]] | None:
        """(specificity, path parameters) when `parts` (decoded request segments) fit."""
        rank: list[int] = []
        params: dict[str, str] = {}
        for index, segment in enumerate(self.segments):
            if segment.startswith("{") and segment.endswith("+}"):
                rest = parts[index:]
                if not rest or index != len(self.segments) - 1:
                    return None
                params[segment[1:-2]] = "/".join(rest)
                rank.append(_GREEDY)
                return tuple(rank), params
            if index >= len(parts):
                return None
            if segment.startswith("{") and segment.endswith("}"):
                params[segment[1:-1]] = parts[index]
                rank.append(_PARAM)
            elif segment == parts[index]:
                rank.append(_LITERAL)
            else:
                return None
        if len(parts) != len(self.segments):
            return None
        return tuple(rank), params


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    route: Route
    api: Api
    pattern: Pattern
    order: int                      # position in the template: the first of a clash wins
    # HTTP API's routeKey: "GET /pets/{id}", or "$default"; made once, asked every request
    route_key: str = field(init=False, compare=False)

    def __post_init__(self) -> None:
        key = DEFAULT_ROUTE if self.is_default else f"{self.route.method} {self.route.path}"
        object.__setattr__(self, "route_key", key)

    @property
    def is_default(self) -> bool:
        return self.route.path == DEFAULT_ROUTE


@dataclass(frozen=True, slots=True, kw_only=True)
class Match:
    entry: Entry
    path_parameters: Mapping[str, str] = field(default_factory=dict)

    @property
    def route(self) -> Route:
        return self.entry.route

    @property
    def api(self) -> Api:
        return self.entry.api


@dataclass(frozen=True, slots=True, kw_only=True)
class Miss:
    """No route: the answer API Gateway gives, by the kind of API that owns the port."""

    status: int
    message: str
    error_type: str | None = None     # REST's x-amzn-ErrorType


REST_MISS = Miss(status=403, message="Missing Authentication Token",
                 error_type="MissingAuthenticationTokenException")
HTTP_MISS = Miss(status=404, message="Not Found")


class RouteTable:
    """Immutable; the gateway swaps a whole new table in on reload (and with it the memo of
    its answers)."""

    def __init__(self, entries: Sequence[Entry], *, clashes: Sequence[str] = ()) -> None:
        self._memo: dict[tuple[str, str], Match | Miss] = {}
        self.entries = tuple(entries)
        self.clashes = tuple(clashes)
        self._rest = tuple(e for e in self.entries if e.route.kind is ApiKind.REST)
        self._http = tuple(e for e in self.entries
                           if e.route.kind is ApiKind.HTTP and not e.is_default)
        self._defaults = tuple(e for e in self.entries
                               if e.route.kind is ApiKind.HTTP and e.is_default)

    @classmethod
    def from_graph(cls, graph: Graph) -> RouteTable:
        apis = {api.logical_id: api for api in graph.apis}
        entries: list[Entry] = []
        clashes: list[str] = []
        seen: dict[tuple[str, tuple[str, ...]], Entry] = {}
        for order, route in enumerate(graph.routes):
            api = apis.get(route.api) or Api(logical_id=route.api, kind=route.kind, at=route.at)
            pattern = Pattern.of(route.path)
            key = (route.method, _shape(pattern)) if route.path != DEFAULT_ROUTE else \
                (route.method, (DEFAULT_ROUTE,))
            first = seen.get(key)
            if first is not None:
                clashes.append(f"{route.method} {route.path} → {route.target} is not served: "
                               f"{first.route.target} ({first.route.api}) has that route "
                               "on the same port")
                continue
            entry = Entry(route=route, api=api, pattern=pattern, order=order)
            seen[key] = entry
            entries.append(entry)
        return cls(entries, clashes=clashes)

    @property
    def miss(self) -> Miss:
        return REST_MISS if self._rest or not (self._http or self._defaults) else HTTP_MISS

    def match(self, method: str, path: str) -> Match | Miss:
        """The route a request reaches; `path` is the request path, still percent-encoded.
        The same request gets the same answer (its path parameters read-only, as it is
        shared)."""
        key = (method, path)
        found = self._memo.get(key)
        if found is None:
            found = self._find(method, path)
            if isinstance(found, Match):
                found = Match(entry=found.entry,
                              path_parameters=MappingProxyType(dict(found.path_parameters)))
            if len(self._memo) >= _MEMO_SIZE:
                self._memo.clear()
            self._memo[key] = found
        return found

    def _find(self, method: str, path: str) -> Match | Miss:
        parts = [unquote(p) for p in split_path(path)]
        method = method.upper()
        found = [m for m in (_match_rest(self._rest, method, parts),
                             _match_http(self._http, method, parts)) if m is not None]
        if found:
            return min(found, key=lambda m: (m[0], m[1].entry.order))[1]
        for entry in self._defaults:
            if entry.route.method in (ANY, method):
                return Match(entry=entry)
        return self.miss

    def resource_at(self, path: str) -> tuple[Api, tuple[str, ...]] | None:
        """The API whose routes best fit `path` whatever the method, and the methods of that
        best-fitting resource (what a CORS preflight is answered from)."""
        parts = [unquote(p) for p in split_path(path)]
        best: tuple[tuple[int, ...], int, Entry] | None = None
        fits: list[tuple[tuple[int, ...], Entry]] = []
        for entry in self._rest + self._http:
            fit = entry.pattern.match(parts)
            if fit is None:
                continue
            fits.append((fit[0], entry))
            if best is None or (fit[0], entry.order) < best[:2]:
                best = (fit[0], entry.order, entry)
        if best is not None:
            rank, _, chosen = best
            methods = tuple(e.route.method for r, e in fits
                            if r == rank and e.api.logical_id == chosen.api.logical_id)
            return chosen.api, methods
        if self._defaults:
            return self._defaults[0].api, (ANY,)
        return None

    def apis(self) -> tuple[Api, ...]:
        unique = {e.api.logical_id: e.api for e in self.entries}
        return tuple(unique.values())


def split_path(path: str) -> tuple[str, ...]:
    return tuple(p for p in path.split("/") if p)


def _shape(pattern: Pattern) -> tuple[str, ...]:
    # /pets/{id} and /pets/{name} are the same resource to API Gateway.
    return tuple("{+}" if s.endswith("+}") else "{}" if s.startswith("{") else s
                 for s in pattern.segments)


_Found = tuple[tuple[tuple[int, ...], int], Match]


def _match_rest(entries: Sequence[Entry], method: str,
                parts: Sequence[str]) -> _Found | None:
    """REST: the most specific resource first, then its method (or ANY) on it."""
    best: tuple[tuple[int, ...], list[tuple[Entry, dict[str, str]]]] | None = None
    for entry in entries:
        fit = entry.pattern.match(parts)
        if fit is None:
            continue
        rank, params = fit
        if best is None or rank < best[0]:
            best = (rank, [(entry, params)])
        elif rank == best[0]:
            best[1].append((entry, params))
    if best is None:
        return None
    rank, candidates = best
    for wanted in (method, ANY):
        for entry, params in candidates:
            if entry.route.method == wanted:
                return ((rank, 0 if wanted == method else 1), Match(entry=entry,
                                                                    path_parameters=params))
    return None


def _match_http(entries: Sequence[Entry], method: str,
                parts: Sequence[str]) -> _Found | None:
    """HTTP API: the most specific route among those that take this method."""
    best: _Found | None = None
    for entry in entries:
        if entry.route.method not in (method, ANY):
            continue
        fit = entry.pattern.match(parts)
        if fit is None:
            continue
        key = (fit[0], 0 if entry.route.method == method else 1)
        if best is None or key < best[0]:
            best = (key, Match(entry=entry, path_parameters=fit[1]))
    return best
