#!/usr/bin/env python3
"""The fleet's checks that need timing or bookkeeping (scripts/fleet-check.sh runs them).

  config         change the ranking config through one replica's admin API; time until every
                 replica serves it (configVersion of /v1/recommend, each replica asked directly)
  consent        withdraw a user's consent through one replica's privacy endpoint; time until
                 every replica answers that user non-personalised
  post-events    post single events with unique ids at a fixed rate through a target; write the
                 ids answered 202 and a tally of every other outcome
  verify-events  read topic `events` back with kcat; every id answered 202 must be there
  load-summary   the harness's summary.json: figures per endpoint; fails on any 5xx, transport
                 error, timeout or unfinished request, any other failed answer but
                 `events_degraded`, and any compliance violation

Each prints one JSON line with its figures and exits 1 when its check fails. Standard library
only; every target must be on loopback.
"""
import argparse
import http.client
import json
import subprocess
import sys
import threading
import time
import urllib.parse

LOOPBACK = ("127.", "localhost", "[::1]")


class Client:
    """One keep-alive HTTP/1.1 connection to 127.0.0.1:port."""

    def __init__(self, port, timeout=5.0):
        self.port, self.timeout, self.conn = port, timeout, None
        self.reconnects = 0

    def request(self, method, path, body=None, headers=None, idempotent=None):
        """A request that fails on a reused connection (the server or nginx closed it while idle)
        is sent again once on a new one, as HTTP/1.1 clients do: always for GET and PUT, for a
        POST only when the caller says it is idempotent (an event carries its eventId)."""
        headers = dict(headers or {})
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        retry_allowed = method != "POST" if idempotent is None else idempotent
        for attempt in (0, 1):
            reused = self.conn is not None
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                payload = response.read()
                return response.status, dict(response.getheaders()), payload
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                if attempt == 1 or not reused or not retry_allowed:
                    raise
                self.reconnects += 1
        raise AssertionError("unreachable")


def ports(text):
    return [int(p) for p in text.split(",") if p]


def emit(result, ok):
    result["passed"] = ok
    print(json.dumps(result, sort_keys=True))
    return 0 if ok else 1


def wait_until(replicas, probe, expected, within):
    """Asks every replica in turn until each answered `expected`; seconds per replica (None: not in time)."""
    started = time.monotonic()
    seconds = {port: None for port in replicas}
    clients = {port: Client(port, timeout=2.0) for port in replicas}
    while time.monotonic() - started < within and any(v is None for v in seconds.values()):
        for port in replicas:
            if seconds[port] is None:
                try:
                    if probe(clients[port]) == expected:
                        seconds[port] = round(time.monotonic() - started, 3)
                except (OSError, http.client.HTTPException, ValueError):
                    pass
        time.sleep(0.01)
    return seconds


def check_config(args):
    replicas = ports(args.replicas)
    auth = {"Authorization": f"Bearer {args.editor_token}"}
    admin = Client(replicas[0])
    status, headers, body = admin.request("GET", "/admin/v1/config", headers=auth)
    if status != 200:
        return emit({"check": "config", "error": f"GET /admin/v1/config: {status} {body[:200]!r}"}, False)
    live = json.loads(body)
    etag = headers.get("ETag") or headers.get("etag")
    # The version is a digest of the text: a comment line of its own makes a new version that ranks the same.
    lines = [line for line in live["yaml"].splitlines() if not line.startswith("# fleet check ")]
    draft = "\n".join(lines) + f"\n# fleet check {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}\n"
    status, _, body = admin.request(
        "PUT", "/admin/v1/config?comment=fleet%20check", body={"yaml": draft, "comment": "fleet check"},
        headers={**auth, "If-Match": etag})
    if status != 200:
        return emit({"check": "config", "error": f"PUT /admin/v1/config: {status} {body[:300]!r}"}, False)
    activated = json.loads(body)
    wanted = activated.get("configVersion")

    def served(client):
        status, _, payload = client.request("GET", "/v1/recommend?sessionId=fleet-config-probe&limit=1")
        return json.loads(payload).get("configVersion") if status == 200 else None

    seconds = wait_until(replicas, served, wanted, args.within)
    reached = [s for s in seconds.values() if s is not None]
    ok = len(reached) == len(replicas) and max(reached) <= args.reload_seconds + args.allowance
    return emit({
        "check": "config", "changedThrough": replicas[0], "from": live.get("configVersion"), "to": wanted,
        "secondsPerReplica": {str(p): s for p, s in seconds.items()},
        "maxSeconds": max(reached) if reached else None,
        "boundSeconds": args.reload_seconds + args.allowance,
    }, ok)


def check_consent(args):
    replicas = ports(args.replicas)
    user = f"fleet-consent-{int(time.time() * 1000)}"
    privacy = {"Authorization": f"Bearer {args.privacy_token}"}
    shop = {"Authorization": f"Bearer {args.storefront_key}"}
    path = f"/v1/users/{urllib.parse.quote(user)}/consent"
    first = Client(replicas[0])

    def personalized(client):
        status, _, payload = client.request(
            "GET", f"/v1/recommend?sessionId={user}-s&userId={urllib.parse.quote(user)}&limit=1", headers=shop)
        if status != 200:
            raise ValueError(f"recommend: {status}")
        return json.loads(payload)["personalized"]

    # Under load the privacy endpoint may answer 503 (Redis or PostgreSQL slower than its budget):
    # the client retries after Retry-After, as docs/API.md asks.
    def put_consent(value):
        refused = 0
        for _ in range(10):
            status, headers, body = first.request("PUT", path, body={"personalization": value}, headers=privacy)
            if status != 503:
                break
            refused += 1
            time.sleep(float(headers.get("Retry-After", "1")))
        return status, body, refused

    status, body, _ = put_consent(True)
    if status != 200:
        return emit({"check": "consent", "error": f"grant: {status} {body[:200]!r}"}, False)
    # Every replica first answers the user personalised, so each holds the profile in its cache.
    granted = wait_until(replicas, personalized, True, args.within)
    if any(s is None for s in granted.values()):
        return emit({"check": "consent", "error": "the grant did not reach every replica", "granted": granted}, False)
    status, body, refused = put_consent(False)  # the clock starts at its 200
    if status != 200:
        return emit({"check": "consent", "error": f"withdrawal: {status} {body[:200]!r}", "refused": refused}, False)
    seconds = wait_until(replicas, personalized, False, args.within)
    reached = [s for s in seconds.values() if s is not None]
    ok = len(reached) == len(replicas) and max(reached) <= args.bound
    return emit({
        "check": "consent", "withdrawnThrough": replicas[0], "withdrawalRefused503": refused,
        "secondsPerReplica": {str(p): s for p, s in seconds.items()},
        "maxSeconds": max(reached) if reached else None, "boundSeconds": args.bound,
    }, ok)


def post_events(args):
    """Open-loop enough for the purpose: each thread sends on schedule unless its previous call is slow."""
    target = urllib.parse.urlparse(args.target)
    if not target.hostname or not any(target.netloc.startswith(p) for p in LOOPBACK):
        sys.exit(f"post-events: {args.target} is not a loopback address")
    port = target.port or 80
    run = args.prefix
    tally, tally_lock, acknowledged = {}, threading.Lock(), []
    deadline = time.monotonic() + args.duration
    interval = args.threads / args.rate

    def count(kind):
        with tally_lock:
            tally[kind] = tally.get(kind, 0) + 1

    def worker(thread):
        client, sent, next_at = Client(port, timeout=10.0), 0, time.monotonic()
        mine = []
        while time.monotonic() < deadline:
            if args.stop_file and sent % 20 == 0:
                try:
                    open(args.stop_file).close()
                    break
                except OSError:
                    pass
            event_id = f"{run}-t{thread}-e{sent}"
            body = {"eventId": event_id, "type": "product_view", "sessionId": f"{run}-s{thread}-{sent % 40}",
                    "itemId": f"p-{1 + (sent * 7 + thread) % 2000:05d}"}
            try:
                status, _, payload = client.request("POST", "/v1/events", body=body, idempotent=True)
                answer = json.loads(payload) if payload.startswith(b"{") else {}
                code = (answer.get("error") or {}).get("code")
                count(f"http_{status}" + (f"_{code}" if code else ""))
                if status == 202 and answer.get("accepted") == 1:
                    mine.append(event_id)
            except (OSError, http.client.HTTPException) as error:
                count(f"transport_{type(error).__name__}")
            sent += 1
            next_at += interval
            pause = next_at - time.monotonic()
            if pause > 0:
                time.sleep(pause)
        with tally_lock:
            acknowledged.extend(mine)
            tally["resent_on_new_connection"] = tally.get("resent_on_new_connection", 0) + client.reconnects

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(args.threads)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    with open(args.ids, "w") as out:
        out.writelines(f"{event_id}\n" for event_id in acknowledged)
    sent = sum(v for k, v in tally.items() if k != "resent_on_new_connection")
    bad = {k: v for k, v in tally.items() if k not in ("http_202", "resent_on_new_connection") and v}
    return emit({"check": "post-events", "target": args.target, "sent": sent, "seconds": round(elapsed, 1),
                 "ratePerSecond": round(sent / elapsed, 1), "acknowledged": len(acknowledged), "outcomes": tally},
                not bad)


def verify_events(args):
    with open(args.ids) as f:
        wanted = [line.strip() for line in f if line.strip()]
    found = {}
    prefix = args.prefix
    # kcat reads every partition from the beginning and exits at the end of the log (-e).
    output = subprocess.run(
        ["kcat", "-b", args.bootstrap, "-C", "-t", args.topic, "-o", "beginning", "-e", "-q", "-f", "%s\\n"],
        check=True, capture_output=True, timeout=300).stdout
    for line in output.splitlines():
        if prefix.encode() not in line:
            continue
        try:
            event_id = json.loads(line).get("eventId")
        except ValueError:
            continue
        if event_id:
            found[event_id] = found.get(event_id, 0) + 1
    missing = [e for e in wanted if e not in found]
    duplicated = [e for e in wanted if found.get(e, 0) > 1]
    return emit({"check": "verify-events", "acknowledged": len(wanted), "inTopic": len(found),
                 "missing": len(missing), "missingExamples": missing[:10], "duplicated": len(duplicated)},
                len(wanted) > 0 and not missing)


# A 202 whose events were published but not stored in their session (Redis did not answer within
# the budget): the documented fallback, counted and reported, not an error in the sense checked here.
TOLERATED = {"events_degraded"}


def load_summary(args):
    with open(args.summary) as f:
        summary = json.load(f)
    endpoints = {}
    failures, tolerated = {}, {}
    allowed = TOLERATED | set(args.tolerate)
    for endpoint in summary["endpoints"] + [summary["overall"]]:
        latency = endpoint["latencyMs"]
        endpoints[endpoint["name"]] = {
            "scheduled": endpoint["scheduled"], "succeeded": endpoint["succeeded"],
            "ratePerSecond": round(endpoint["achievedRate"], 1), "p50Ms": round(latency["p50"], 2),
            "p99Ms": round(latency["p99"], 2), "maxMs": round(latency["max"], 1),
            "errors": endpoint["errors"], "timeouts": endpoint["timeouts"]}
        if endpoint["name"] != "overall":
            for kind, n in endpoint["errors"].items():
                target = tolerated if kind in allowed else failures
                target[f"{endpoint['name']}:{kind}"] = n
            if endpoint["timeouts"]:
                failures[f"{endpoint['name']}:timeouts"] = endpoint["timeouts"]
    correctness = summary.get("correctness") or {}
    violations = correctness.get("complianceViolations", 0)
    if violations:
        failures["compliance_violations"] = violations
    return emit({"check": "load", "summary": args.summary, "startedAt": summary.get("startedAt"),
                 "seconds": summary.get("durationSeconds"), "endpoints": endpoints, "failures": failures, "tolerated": tolerated,
                 "complianceChecked": correctness.get("complianceResponsesChecked"),
                 "complianceViolations": violations}, not failures)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("config")
    c.add_argument("--replicas", required=True, help="comma-separated ports; the first takes the change")
    c.add_argument("--editor-token", required=True)
    c.add_argument("--reload-seconds", type=float, default=5.0, help="admin.reloadSeconds")
    c.add_argument("--allowance", type=float, default=1.0, help="added to the bound: the reload's own query and the probes")
    c.add_argument("--within", type=float, default=30.0)
    c.set_defaults(func=check_config)
    k = sub.add_parser("consent")
    k.add_argument("--replicas", required=True)
    k.add_argument("--privacy-token", required=True)
    k.add_argument("--storefront-key", required=True)
    k.add_argument("--bound", type=float, default=5.0, help="seconds every replica must take at most")
    k.add_argument("--within", type=float, default=90.0)
    k.set_defaults(func=check_consent)
    p = sub.add_parser("post-events")
    p.add_argument("--target", required=True)
    p.add_argument("--rate", type=float, default=200.0)
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--duration", type=float, default=60.0, help="at most this long")
    p.add_argument("--stop-file", help="stop early once this file exists")
    p.add_argument("--prefix", required=True, help="event id prefix, unique per run")
    p.add_argument("--ids", required=True, help="file for the ids answered 202")
    p.set_defaults(func=post_events)
    v = sub.add_parser("verify-events")
    v.add_argument("--ids", required=True)
    v.add_argument("--prefix", required=True)
    v.add_argument("--bootstrap", required=True)
    v.add_argument("--topic", default="events")
    v.set_defaults(func=verify_events)
    s = sub.add_parser("load-summary")
    s.add_argument("--summary", required=True, help="the harness's summary.json")
    s.add_argument("--tolerate", action="append", default=[], help="another error kind to report but not fail on")
    s.set_defaults(func=load_summary)
    args = parser.parse_args()
    sys.exit(args.func(args))


if __name__ == "__main__":
    main()
