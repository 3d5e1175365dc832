"""Generation hooks for scripts/schemathesis.sh. They except no failure and change no expected
status: they make the requests schemathesis means to be valid (positive cases) valid in the
three ways openapi.yaml can state only in words, because they depend on the clock or on stored
state, and schemathesis then re-checks the edited request against the schema:

- an event or feedback `timestamp` outside the window (7 days ago to 300 s ahead) is moved to
  one minute ago, keeping its format;
- an `If-Match` for the ranking config is set to the live version's ETag (a stale one is a
  412 by design);
- a ranking config (`yaml`, `draft`, or a YAML body) becomes config/ranking.yaml, since a
  random string is not a config under docs/RANKING.md.

Negative cases are sent as generated: the service must refuse every one of them."""

import datetime
import os
import pathlib

import requests
import schemathesis
from schemathesis.generation.modes import GenerationMode

# events.maxAgeSeconds and events.maxFutureSkewSeconds (their defaults; the script keeps them).
MAX_AGE = datetime.timedelta(days=7)
MAX_FUTURE = datetime.timedelta(seconds=300)

RANKING = (pathlib.Path(__file__).resolve().parent.parent / "config" / "ranking.yaml").read_text(encoding="utf-8")
# A YAML body is generated as a mapping; this one is a small valid config (docs/RANKING.md).
RANKING_MAPPING = {"engine": {"candidates": {"perSource": 40}}, "rules": {"maxPerCategory": 6}}

CONFIG_OPERATIONS = {"PUT /admin/v1/config", "POST /admin/v1/config/validate"}
CONDITIONAL_OPERATIONS = {"PUT /admin/v1/config", "POST /admin/v1/config/rollback/{version}"}


def _positive(case):
    meta = case.meta
    return meta is not None and meta.generation.mode == GenerationMode.POSITIVE


def _in_window(text):
    """A timestamp string moved to one minute ago when it parses but lies outside the window;
    None when it is fine as it is (or does not parse, which the service must then refuse)."""
    try:
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    now = datetime.datetime.now(datetime.timezone.utc)
    if now - MAX_AGE < moment < now + MAX_FUTURE:
        return None
    return (now - datetime.timedelta(minutes=1)).astimezone(moment.tzinfo).isoformat()


def _fix_timestamps(value):
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "timestamp" and isinstance(item, str):
                moved = _in_window(item)
                if moved is not None:
                    value[key] = moved
            elif key != "context":
                _fix_timestamps(item)
    elif isinstance(value, list):
        for item in value:
            _fix_timestamps(item)


def _live_etag():
    response = requests.get(
        os.environ["SCHEMATHESIS_BASE_URL"] + "/admin/v1/config",
        headers={"Authorization": "Bearer " + os.environ["SCHEMATHESIS_ADMIN_TOKEN"]},
        timeout=10,
    )
    return response.headers.get("ETag") if response.status_code == 200 else None


@schemathesis.hook
def before_call(context, case, kwargs):
    if not _positive(case):
        return
    operation = f"{case.operation.method.upper()} {case.operation.path}"
    if operation in ("POST /v1/events", "POST /v1/feedback"):
        _fix_timestamps(case.body)
    if operation in CONDITIONAL_OPERATIONS and case.headers and "If-Match" in case.headers:
        etag = _live_etag()
        if etag is not None:
            case.headers["If-Match"] = etag
    if operation in CONFIG_OPERATIONS and isinstance(case.body, dict):
        if "yaml" in (case.media_type or ""):
            case.body = dict(RANKING_MAPPING)
        elif "yaml" in case.body:
            case.body["yaml"] = RANKING
    if operation in ("POST /admin/v1/preview", "POST /admin/v1/replay") and isinstance(case.body, dict) and "draft" in case.body:
        case.body["draft"] = RANKING
