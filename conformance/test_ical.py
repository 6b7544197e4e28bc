"""The iCalendar feeds of events, read by two independent libraries.

`vobject` parses each feed and validates it strictly (`validate=True`), then
serialises it back; `icalendar` parses it (`Calendar.from_ical`). Every feed
must carry the Europe/Ljubljana VTIMEZONE with its CET/CEST rules, and every
VEVENT a UID, a UTC DTSTAMP, a start in that zone and a URL back to its page.
The feeds: all events, each genre's, and a personal feed at its secret
address, fetched without a session as a calendar app does.

Run: OBCINA_BIN=target/debug/obcina build/venv/bin/pytest conformance/test_ical.py
"""

import datetime as dt
import re
import time

import icalendar
import pytest
import requests
import vobject

from obcina_server import running

PASSWORD = "Kurentovanje-na-Ptuju-2026!"
GENRES = ["music", "theatre", "exhibition", "festival", "literature", "film", "sport", "workshop", "tradition", "other"]


@pytest.fixture(scope="module")
def server():
    with running("ical") as srv:
        yield srv


def fetch(url):
    r = requests.get(url)
    assert r.status_code == 200, (url, r.status_code, r.text[:300])
    assert r.headers["content-type"] == "text/calendar; charset=utf-8"
    raw = r.content
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b""), "CRLF line endings only"
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75, f"line of {len(line)} octets: {line!r}"
        line.decode("utf-8")  # folding never splits a character
    return raw.decode("utf-8")


def check(text, base):
    """Both libraries accept the feed; returns the VEVENTs icalendar read."""
    cal = vobject.readOne(text, validate=True)
    again = cal.serialize()
    assert "BEGIN:VCALENDAR" in again and again.count("BEGIN:VEVENT") == text.count("BEGIN:VEVENT")
    assert cal.version.value == "2.0" and cal.prodid.value

    parsed = icalendar.Calendar.from_ical(text)
    zones = parsed.walk("VTIMEZONE")
    assert [str(z["TZID"]) for z in zones] == ["Europe/Ljubljana"]
    rules = {c.name: c for c in zones[0].subcomponents}
    assert rules["STANDARD"]["TZOFFSETTO"].td == dt.timedelta(hours=1)
    assert rules["DAYLIGHT"]["TZOFFSETTO"].td == dt.timedelta(hours=2)
    assert rules["DAYLIGHT"]["RRULE"] == {"FREQ": ["YEARLY"], "BYMONTH": [3], "BYDAY": ["-1SU"]}
    assert rules["STANDARD"]["RRULE"] == {"FREQ": ["YEARLY"], "BYMONTH": [10], "BYDAY": ["-1SU"]}

    events = parsed.walk("VEVENT")
    uids = [str(e["UID"]) for e in events]
    assert len(uids) == len(set(uids)), "UIDs are unique"
    for e in events:
        assert str(e["UID"]).startswith("event-")
        assert e["DTSTAMP"].dt.utcoffset() == dt.timedelta(0), "DTSTAMP is UTC"
        start, end = e["DTSTART"], e["DTEND"]
        assert start.params["TZID"] == "Europe/Ljubljana"
        assert start.dt < end.dt
        assert str(e["URL"]).startswith(base + "/events/")
        assert str(e["SUMMARY"]).strip()
        assert e["STATUS"] in ("CONFIRMED", "TENTATIVE", "CANCELLED")
        # The offset follows summer time: +02:00 from April to September, +01:00 from November to February.
        month = start.dt.month
        if 4 <= month <= 9:
            assert start.dt.utcoffset() == dt.timedelta(hours=2), start.dt
        if month in (11, 12, 1, 2):
            assert start.dt.utcoffset() == dt.timedelta(hours=1), start.dt
    # vobject reads the same events with the same UIDs.
    assert sorted(v.uid.value for v in getattr(cal, "vevent_list", [])) == sorted(uids)
    return events


def test_the_feed_of_all_events(server):
    base = server["base"]
    events = check(fetch(base + "/events.ics"), base)
    assert len(events) >= 5, "the demo events of Ptuj"
    summaries = [str(e["SUMMARY"]) for e in events]
    # The demo's festivals of the strategy (seed §5.3 a) among them.
    assert {"Kurentovanje", "Festival Arsana", "Art Stays – festival sodobne umetnosti", "Dnevi poezije in vina"} <= set(summaries), summaries
    english = [str(e["SUMMARY"]) for e in check(fetch(base + "/events.ics?lang=en"), base)]
    assert "Days of Poetry and Wine" in english
    # The page each URL names exists.
    for e in events[:3]:
        assert requests.get(str(e["URL"])).status_code == 200


def test_every_genre_feed(server):
    base = server["base"]
    total = 0
    for genre in GENRES:
        events = check(fetch(f"{base}/events/genre/{genre}.ics"), base)
        total += len(events)
    assert total == len(check(fetch(base + "/events.ics"), base)), "each event is in its one genre's feed"
    assert requests.get(base + "/events/genre/opera.ics").status_code == 404


def signed_in_citizen(server, s, email):
    base = server["base"]
    assert s.post(base + "/api/v1/accounts", json={"email": email, "password": PASSWORD}).status_code == 202
    link = None
    for _ in range(100):
        found = re.findall(re.escape(base) + r"/confirm\?token=[A-Za-z0-9_-]+", open(server["log"]).read())
        if found:
            link = found[-1]
            break
        time.sleep(0.1)
    assert link, "the confirmation link is in the log (no SMTP configured)"
    assert requests.get(link).status_code == 200
    assert s.post(base + "/api/v1/session", json={"email": email, "password": PASSWORD}).status_code == 201


def test_the_personal_feed_at_its_secret_address(server):
    base = server["base"]
    s = requests.Session()
    signed_in_citizen(server, s, "koledar@example.si")
    for genre in ("tradition", "literature"):
        assert s.put(f"{base}/api/v1/events/follows/genre/{genre}", headers={"Origin": base}).status_code == 204
    personal = s.get(base + "/api/v1/events/personal").json()
    assert personal["items"], personal
    # A calendar app has no session: the address alone opens it.
    events = check(fetch(personal["feed_url"]), base)
    summaries = {str(e["SUMMARY"]) for e in events}
    assert {"Kurentovanje", "Dnevi poezije in vina"} <= summaries, summaries
    assert all(str(e["CATEGORIES"].cats[0]) in ("Običaji in izročilo", "Literatura") for e in events)
    assert requests.get(personal["feed_url"].replace(".ics", "0.ics")).status_code == 404
