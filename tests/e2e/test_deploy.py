"""Two replicas behind nginx (deploy/): browsers work through the proxy and stay on one replica.

Starts ``deploy/run_replicas.deployment(2)`` on free loopback ports (production config,
shared cookie secret), then drives browser contexts through nginx. Which replica served a
request is read from nginx's access log (``route=<cookie> upstream=<replica>``); a
browser's page load and its WebSocket must share one upstream. Two contexts get routing
cookies that hash to different replicas, so both replicas are exercised; a third starts
without a cookie and must be given one and keep it.
"""

from __future__ import annotations

import re
import time

import pytest

from benchmarks.load_sessions import PLOTLY_STUB
from deploy import run_replicas

from .helpers import wait_until

pytestmark = [pytest.mark.e2e]
COUNTER = ".pg-counter"


@pytest.fixture(scope="module")
def deployment():
    if run_replicas.nginx_binary() is None:
        pytest.skip("nginx is not installed (apt-get install -y nginx; .ci/run installs it)")
    with run_replicas.deployment(2) as dep:
        yield dep


def step(page) -> int:
    el = page.locator(COUNTER).first
    el.wait_for(state="attached")
    return int(el.get_attribute("data-step"))


def routes_to_different_replicas(dep) -> tuple[str, str]:
    """Two routing-cookie values that nginx sends to different replicas (probed once)."""
    seen: dict[str, str] = {}
    for i in range(64):
        route = f"student-{i}"
        upstream = dep.upstream_of(route)
        seen.setdefault(upstream, route)
        if len(seen) == 2:
            return tuple(seen.values())  # type: ignore[return-value]
    raise AssertionError(f"64 routing keys all went to {list(seen)}")


def open_through_proxy(browser, dep, st_e2e, route: str | None, query: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(PLOTLY_STUB)  # charts are not what this test is about: skip drawing
    if route is not None:
        context.add_cookies([{"name": run_replicas.ROUTE_COOKIE, "value": route,
                              "url": dep.url}])
    page = context.new_page()
    page.set_default_timeout(30_000)
    st_e2e.open_app(page, f"{dep.url}/?{query}")
    return context, page


def experiment_file(query: dict) -> bytes:
    """An experiment file as the Network page writes it."""
    import engine as eg
    from playground import builder, state

    exp, _ = state.from_query(query)
    trainer, _ = builder.build_trainer(exp)
    return eg.io.to_bytes(trainer.model, extra={"query": state.to_query(exp), "step": 0})


def upload_through_the_proxy(page) -> None:
    """An upload (an XSRF-checked PUT to the session's own replica) works through nginx; a
    file over server.maxUploadSize is refused with a message naming the cap."""
    page.get_by_text("Save and load").click()
    dropzone = page.locator("[data-testid=stFileUploaderDropzoneInput]").first
    too_big = {"name": "big.npz", "mimeType": "application/octet-stream",
               "buffer": b"PK" + b"\0" * (6 * 2**20)}
    dropzone.set_input_files(too_big)
    page.get_by_text("File must be 5.0MB or smaller").wait_for()
    dropzone = page.locator("[data-testid=stFileUploaderDropzoneInput]").first
    dropzone.set_input_files({"name": "moons.npz", "mimeType": "application/octet-stream",
                              "buffer": experiment_file({"ds": "two_moons", "lr": "0.003"})})
    wait_until(lambda: page.locator(COUNTER).first.get_attribute("data-dataset") == "two_moons",
               timeout=30)
    assert page.locator(COUNTER).first.get_attribute("data-lr") == "0.003"


def test_browsers_work_through_the_proxy_and_stay_on_their_replica(browser, deployment,
                                                                    st_e2e):
    dep = deployment
    route_a, route_b = routes_to_different_replicas(dep)
    sessions = [open_through_proxy(browser, dep, st_e2e, route_a, "ds=circle&lr=0.1"),
                open_through_proxy(browser, dep, st_e2e, route_b, "ds=xor&lr=0.01"),
                open_through_proxy(browser, dep, st_e2e, None, "ds=gauss&lr=0.3")]
    try:
        for _, page in sessions:  # each one's live counter moves
            first = step(page)
            wait_until(lambda p=page, f=first: step(p) > f + 3, timeout=45)
        expected = [("circle", "0.1"), ("xor", "0.01"), ("gauss", "0.3")]
        for (_, page), (ds, lr) in zip(sessions, expected, strict=True):
            el = page.locator(COUNTER).first
            assert (el.get_attribute("data-dataset"), el.get_attribute("data-lr")) == (ds, lr)
            assert page.locator("[data-testid=stException]").count() == 0
        upload_through_the_proxy(sessions[0][1])
        cookie = [c for c in sessions[2][0].cookies() if c["name"] == run_replicas.ROUTE_COOKIE]
        assert cookie and re.fullmatch(r"[0-9a-f]{32}", cookie[0]["value"]), cookie
        route_c = cookie[0]["value"]
    finally:
        for context, _ in sessions:
            context.close()  # closes the WebSockets: nginx logs them when they end

    def logged():
        lines = dep.requests()
        streams = {r["route"] for r in lines if r["path"].startswith("/_stcore/stream")}
        return lines if {route_a, route_b, route_c} <= streams else None

    lines = wait_until(logged, timeout=20)
    upstreams = {}
    for route in (route_a, route_b, route_c):
        mine = [r for r in lines if r["route"] == route]
        paths = {r["path"].split("?")[0] for r in mine}
        assert "/" in paths and "/_stcore/stream" in paths, paths
        assert {r["status"] for r in mine if r["path"].startswith("/_stcore/stream")} == {"101"}
        served_by = {r["upstream"] for r in mine}
        assert len(served_by) == 1, f"route {route} was served by {served_by}"
        upstreams[route] = served_by.pop()
    replicas = {r.upstream for r in dep.replicas}
    assert set(upstreams.values()) <= replicas
    assert upstreams[route_a] != upstreams[route_b], upstreams


def test_a_new_browser_is_given_a_routing_cookie_once(deployment):
    import urllib.request

    with urllib.request.urlopen(deployment.url + "/") as resp:
        set_cookie = resp.headers.get_all("Set-Cookie") or []
    assert any(c.startswith(f"{run_replicas.ROUTE_COOKIE}=") and "HttpOnly" in c
               for c in set_cookie), set_cookie
    req = urllib.request.Request(deployment.url + "/",
                                 headers={"Cookie": f"{run_replicas.ROUTE_COOKIE}=abc"})
    with urllib.request.urlopen(req) as resp:
        assert not resp.headers.get_all("Set-Cookie")
    time.sleep(0.1)
    assert deployment.upstream_of("abc") in {r.upstream for r in deployment.replicas}
