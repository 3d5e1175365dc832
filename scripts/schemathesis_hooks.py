"""Narrow exceptions to schemathesis' positive_data_acceptance check (ST202, "schema-valid
request rejected"), for rules openapi.yaml states in words because JSON Schema cannot express
them. Each exception checks that the response names that rule and that the request breaks it;
anything else still fails the run."""

import datetime
import os
import re

import schemathesis

# The If-Match pattern of openapi.yaml.
ETAG = re.compile(r'(W/)?"[1-9][0-9]{0,17}"')

# events.maxAgeSeconds and events.maxFutureSkewSeconds (their defaults; the script keeps them).
MAX_AGE = datetime.timedelta(days=7)
MAX_FUTURE = datetime.timedelta(seconds=300)


def _timestamps(value):
    """Every `timestamp` string anywhere in a JSON body."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "timestamp" and isinstance(item, str):
                yield item
            else:
                yield from _timestamps(item)
    elif isinstance(value, list):
        for item in value:
            yield from _timestamps(item)


def _outside_window(text):
    try:
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return False
    if moment.tzinfo is None:
        return False
    now = datetime.datetime.now(datetime.timezone.utc)
    return moment < now - MAX_AGE or moment > now + MAX_FUTURE


def _error(response):
    try:
        return response.json().get("error") or {}
    except Exception:
        return {}


def _dropped(case, response, reason, detail=""):
    """Records each failure an exception drops (reason, tab, details on one line), so the run
    can say what it let through."""
    path = os.environ.get("SCHEMATHESIS_DROPPED_LOG")
    if path:
        line = f"{reason}\t{case.method} {case.path} -> {response.status_code} {detail}"
        with open(path, "a", encoding="utf-8") as log:
            log.write(line.replace("\n", " ").replace("\r", " ") + "\n")
    return False


@schemathesis.hook
def filter_failure(context, failure, case, response):
    if failure.code != "ST202" or response.status_code != 400:
        return True
    error = _error(response)
    # schemathesis sends an integer where a header wants a string (a negative case) as its
    # text, e.g. `If-Match: 0`, then judges the request by type alone; the value still breaks
    # the header's pattern, so a 400 is right.
    if error.get("field") == "If-Match":
        value = (case.headers or {}).get("If-Match")
        if value is not None and not ETAG.fullmatch(str(value)):
            return _dropped(case, response, "If-Match value breaks the documented pattern", repr(value))
    # Ranking configs are checked against docs/RANKING.md, which the document gives as text.
    if error.get("code") == "invalid_config":
        return _dropped(case, response, "ranking config breaks docs/RANKING.md", f"{error.get('field')} {error.get('message')}")
    # Event and feedback timestamps must lie within 7 days before and 300 s after now.
    if error.get("field") == "timestamp" and any(_outside_window(t) for t in _timestamps(case.body)):
        if error.get("code") != "no_valid_events":
            return _dropped(case, response, "timestamp outside the documented window")
        # Every event of the body must have been refused for its timestamp.
        reasons = error.get("message", "").split("; ")
        if reasons and all(": timestamp " in reason for reason in reasons):
            return _dropped(case, response, "timestamp outside the documented window", "every event of the body")
    return True
