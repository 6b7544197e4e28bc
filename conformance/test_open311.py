"""Open311 GeoReport v2 with an existing client, unchanged.

The `georeport` package (PyPI) reads services, service definitions and
requests in JSON and in XML; creating a request is a plain form POST with the
demo API key, as the specification describes (georeport has no call for it).
The XML documents are checked with lxml for their shape: root and element
names, one-element arrays, error documents.

Run: OBCINA_BIN=target/debug/obcina build/venv/bin/pytest conformance/test_open311.py
"""

import datetime as dt

import pytest
import requests
from georeport import GeoReport
from lxml import etree

from obcina_server import running

DEMO_KEY = "obc_demo_open311_ptuj"
JURISDICTION = "ptuj.si"


@pytest.fixture(scope="module")
def server():
    with running("open311") as srv:
        yield srv["base"] + "/open311/v2"


@pytest.fixture(params=["json", "xml"])
def client(server, request):
    return GeoReport(server, jurisdiction=JURISDICTION, output_format=request.param)


def create(base, fmt="json", **fields):
    data = {"api_key": DEMO_KEY, "jurisdiction_id": JURISDICTION}
    data.update(fields)
    return requests.post(f"{base}/requests.{fmt}", data=data)


def test_services_and_definitions(client):
    services = client.get_service_list()
    codes = {s["service_code"] for s in services}
    assert {"pothole", "street_light", "waste", "water", "green", "building"} <= codes
    light = next(s for s in services if s["service_code"] == "street_light")
    assert str(light["metadata"]).lower() == "true"
    assert light["type"] == "realtime"
    definition = client.get_service_definition("street_light")
    attrs = definition["attributes"]
    if client.output_format == "xml":
        attrs = attrs["attribute"]
        attrs = attrs if isinstance(attrs, list) else [attrs]
    state = next(a for a in attrs if a["code"] == "state")
    assert state["datatype"] == "singlevaluelist"
    assert str(state["required"]).lower() == "true"


def test_create_then_read_back(server, client):
    r = create(server, "json", service_code="street_light", lat="46.4199", long="15.8706",
               description="Svetilka ne sveti (georeport)", email="georeport@example.si", first_name="Ana",
               **{"attribute[state]": "off"})
    assert r.status_code == 201, r.text
    created = r.json()[0]
    sid = created["service_request_id"]
    one = client.get_service_request(sid)
    assert one["service_request_id"] == sid
    assert one["service_code"] == "street_light"
    assert one["status"] == "open"
    assert "georeport@example.si" not in str(one)
    listed = client.get_service_requests(service_request_id=sid)
    if isinstance(listed, dict):  # xmltodict: one element is not a list
        listed = [listed]
    assert [x["service_request_id"] for x in listed] == [sid]
    recent = client.get_service_requests(service_code="street_light", status="open")
    recent = recent if isinstance(recent, list) else [recent]
    assert sid in [x["service_request_id"] for x in recent]
    now = dt.datetime.now(dt.timezone.utc)
    window = client.get_service_requests(start_date=(now - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                                         end_date=(now + dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    window = window if isinstance(window, list) else [window]
    assert sid in [x["service_request_id"] for x in window]
    tok = requests.get(f"{server}/tokens/{created['token']}.json").json()
    assert tok[0]["service_request_id"] == sid


def test_xml_documents_have_the_specified_shape(server):
    r = create(server, "xml", service_code="pothole", address_string="Mestni trg 1", description="Luknja (XML)")
    assert r.status_code == 201, r.text
    doc = etree.fromstring(r.content)
    assert doc.tag == "service_requests"
    sid = doc.findtext("request/service_request_id")
    assert sid and doc.findtext("request/token")
    one = etree.fromstring(requests.get(f"{server}/requests/{sid}.xml").content)
    assert one.tag == "service_requests" and len(one.findall("request")) == 1
    req = one.find("request")
    for name in ["service_request_id", "status", "service_code", "description", "agency_responsible", "requested_datetime",
                 "updated_datetime", "address", "lat", "long"]:
        assert req.find(name) is not None, name
    assert float(req.findtext("lat")) > 46.4
    disc = etree.fromstring(requests.get(f"{server}/discovery.xml").content)
    assert disc.tag == "discovery"
    assert disc.findtext("endpoints/endpoint/specification") == "http://wiki.open311.org/GeoReport_v2"
    formats = [f.text for f in disc.findall("endpoints/endpoint/formats/format")]
    assert "text/xml" in formats and "application/json" in formats
    updates = etree.fromstring(requests.get(f"{server}/servicerequestupdates.xml").content)
    assert updates.tag == "service_requests_updates"
    assert updates.findall("request_update"), "the demo reports have updates"
    assert updates.findtext("request_update/status") in {"OPEN", "INVESTIGATING", "IN_PROGRESS", "ACTION_SCHEDULED", "FIXED", "CLOSED",
                                                        "NO_FURTHER_ACTION", "NOT_COUNCILS_RESPONSIBILITY", "DUPLICATE", "INTERNAL_REFERRAL"}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_errors_are_error_documents(server, fmt):
    cases = [
        (requests.post(f"{server}/requests.{fmt}", data={"service_code": "pothole", "lat": "46.42", "long": "15.87", "description": "Brez ključa"}), 403),
        (create(server, fmt, service_code="toaster", lat="46.42", long="15.87", description="Ni storitve"), 404),
        (create(server, fmt, service_code="pothole", lat="sever", long="15.87", description="Slaba širina"), 400),
        (requests.get(f"{server}/requests/999999.{fmt}"), 404),
        (requests.get(f"{server}/services.{fmt}", params={"jurisdiction_id": "maribor.si"}), 404),
        (requests.get(f"{server}/requests.{fmt}", params={"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-12-01T00:00:00Z"}), 400),
    ]
    for r, status in cases:
        assert r.status_code == status, (status, r.text)
        if fmt == "json":
            body = r.json()
            assert isinstance(body, list) and body[0]["code"] == status and body[0]["description"]
        else:
            doc = etree.fromstring(r.content)
            assert doc.tag == "errors"
            assert doc.findtext("error/code") == str(status)
            assert doc.findtext("error/description")


def test_the_client_raises_on_errors(server):
    gr = GeoReport(server, jurisdiction="elsewhere.example")
    with pytest.raises(requests.HTTPError):
        gr.get_service_list()
