#!/usr/bin/env python3
"""Times POST /admin/v1/replay on a running service, and what it does to /v1/recommend meanwhile.

Posts `--sessions` sessions of `--length` product views (items drawn from the demo catalog,
p-00001 …, with a seeded generator, a few seconds ahead of now so they are the newest), then:
  1. recommend latency while idle (sequential calls for `--probe-seconds`),
  2. one replay of a draft that changes two weights, polled to the end, with recommend latency
     measured the same way while it runs.
Prints one JSON line: replay elapsed, sessions and predictions evaluated, truncation, and the
recommend p50/p99 idle and during the replay. Standard library only; the target must be on
loopback. Use against a release build (docs/PERFORMANCE.md conventions).
"""
import argparse
import datetime
import http.client
import json
import random
import statistics
import threading
import time
import uuid


def call(host, port, method, path, body=None, token=None):
    connection = http.client.HTTPConnection(host, port, timeout=60)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = connection.getresponse()
    text = response.read()
    connection.close()
    return response.status, json.loads(text) if text else None


def post_sessions(host, port, count, length, items, seed):
    rng = random.Random(seed)
    start = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=60)
    batch = []
    for s in range(count):
        session = f"measure-{uuid.uuid4().hex[:10]}"
        # A walk that mostly stays near the last item, as browsing within a category does.
        item = rng.randrange(1, items + 1)
        for step in range(length):
            at = (start + datetime.timedelta(milliseconds=s * 10 + step)).isoformat().replace("+00:00", "Z")
            batch.append({"eventId": uuid.uuid4().hex, "type": "product_view", "sessionId": session,
                          "itemId": f"p-{item:05d}", "timestamp": at, "context": {"region": "DE"}})
            item = max(1, min(items, item + rng.randint(-3, 3))) if rng.random() < 0.8 else rng.randrange(1, items + 1)
        if len(batch) >= 450 or s == count - 1:
            status, answer = call(host, port, "POST", "/v1/events", batch)
            if status != 202:
                raise SystemExit(f"POST /v1/events: {status} {answer}")
            batch = []


def probe(host, port, seconds, stop=None):
    latencies = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not (stop and stop.is_set()):
        started = time.perf_counter()
        status, _ = call(host, port, "GET", f"/v1/recommend?sessionId=probe-{uuid.uuid4().hex[:8]}&itemId=p-00042&limit=10")
        latencies.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise SystemExit(f"recommend answered {status}")
    latencies.sort()
    return {"calls": len(latencies), "p50Ms": round(statistics.median(latencies), 2),
            "p99Ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 2)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--token", required=True, help="a viewer token of the service")
    parser.add_argument("--sessions", type=int, default=2000)
    parser.add_argument("--length", type=int, default=5)
    parser.add_argument("--items", type=int, default=2000, help="catalog ids p-00001 … to draw from")
    parser.add_argument("--probe-seconds", type=float, default=5)
    parser.add_argument("--draft", default="config/ranking.yaml")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    host = "127.0.0.1"

    post_sessions(host, args.port, args.sessions, args.length, args.items, args.seed)
    idle = probe(host, args.port, args.probe_seconds)
    draft = open(args.draft, encoding="utf-8").read().replace("recent: 1.36", "recent: 0.5").replace("knn: 1.0", "knn: 1.5")
    started = time.monotonic()
    status, report = call(host, args.port, "POST", "/admin/v1/replay", {"draft": draft, "sessions": args.sessions}, args.token)
    if status != 202:
        raise SystemExit(f"POST /admin/v1/replay: {status} {report}")
    stop = threading.Event()
    during = {}
    thread = threading.Thread(target=lambda: during.update(probe(host, args.port, 600, stop)))
    thread.start()
    while report["status"] == "running":
        time.sleep(0.2)
        _, report = call(host, args.port, "GET", "/admin/v1/replay/" + report["id"], token=args.token)
    elapsed = time.monotonic() - started
    stop.set()
    thread.join()
    result = report.get("result") or {}
    print(json.dumps({
        "replaySeconds": round(elapsed, 2), "status": report["status"], "budgetSeconds": report["budgetSeconds"],
        "sessionsRead": result.get("sessionsRead"), "sessionsEvaluated": result.get("sessionsEvaluated"),
        "predictions": result.get("predictions"), "truncated": result.get("truncated"), "truncatedBy": result.get("truncatedBy"),
        "mrr": result.get("mrr"), "recommendIdle": idle, "recommendDuringReplay": during,
    }))


if __name__ == "__main__":
    main()
