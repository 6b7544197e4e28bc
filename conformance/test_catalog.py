"""The data catalogue with the clients and validators harvesters use.

- ckanapi (PyPI): RemoteCKAN(url).action.package_search / package_show,
  and its exceptions for CKAN's error types.
- A replay of the CKAN harvester's paging (ckanext-harvest): package_search
  with fq=metadata_modified:[<date> TO *], pages of `rows` until a short
  one, with the newest first and with its own `id asc` until an empty page.
- pyshacl: /catalog.ttl against the official DCAT-AP 3.0 shapes (mandatory
  and range: no violation; recommended: the warning count is printed).
- frictionless: a CSV distribution with its Table Schema.

Run: OBCINA_BIN=target/debug/obcina build/venv/bin/pytest -s conformance/test_catalog.py
"""

import datetime as dt
import json
import os
import subprocess
import sys
import time

import ckanapi
import pytest
import rdflib
import requests
from pyshacl import validate

from obcina_server import running

SHAPES = os.environ.get("OBCINA_DCAT_SHAPES", os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "dcat-ap"))


@pytest.fixture(scope="module")
def server():
    with running("catalog") as srv:
        seed_sensor_history(srv)
        yield srv["base"]


def seed_sensor_history(srv):
    """A day of readings of an air station, so that the sensor history's CSV has rows to validate."""
    binary = os.environ.get("OBCINA_BIN", "target/debug/obcina")
    data_dir = os.path.join(srv["tmp"], "data")
    token = subprocess.run([binary, "token", "issue", "--data-dir", data_dir, "--name", "Conformance", "--scope", "telemetry:write"],
                           capture_output=True, text=True, check=True).stdout.strip()
    start = (int(time.time()) // 3600 - 24) * 3600
    lines = "".join(f"ptuj-aq-1 NO2={10 + h % 7},PM10={20.5 + h % 5} {start + h * 3600 + 60}\n" for h in range(24))
    r = requests.post(f"{srv['base']}/api/v1/telemetry/readings?precision=s", data=lines,
                      headers={"Authorization": f"Bearer {token}", "Content-Type": "text/plain"}, timeout=30)
    assert r.status_code == 200 and r.json()["accepted"] == 48, r.text


def test_ckanapi_search_and_show(server):
    ckan = ckanapi.RemoteCKAN(server)
    everything = ckan.action.package_search(rows=1000)
    assert everything["count"] == len(everything["results"]) >= 8
    found = ckan.action.package_search(q="zrak", fq="groups:envi", rows=10)
    assert "air-quality" in [p["name"] for p in found["results"]]
    pkg = ckan.action.package_show(id="air-quality")
    assert pkg["organization"]["name"] and pkg["resources"] and pkg["tags"] and pkg["groups"]
    assert {"CSV", "JSON", "GeoJSON"} <= {r["format"] for r in pkg["resources"]}
    assert ckan.action.package_show(id=pkg["id"])["name"] == "air-quality"
    with pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(id="no-such-dataset")
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.package_show()
    with pytest.raises(ckanapi.SearchQueryError):
        ckan.action.package_search(fq="metadata_modified:[tomorrow-ish TO *]")
    orgs = ckan.action.organization_list(all_fields=True)
    assert sum(o["package_count"] for o in orgs) == everything["count"]
    # The same by GET, as the harvester calls.
    get_only = ckanapi.RemoteCKAN(server, get_only=True)
    assert get_only.action.package_search(rows=0)["count"] == everything["count"]
    csv = next(r for r in pkg["resources"] if r["format"] == "CSV")
    rows = ckan.action.datastore_search(resource_id=csv["id"], limit=5)
    assert rows["fields"][0]["id"] == "_id" and len(rows["records"]) <= 5


def search(server, **params):
    r = requests.get(f"{server}/api/3/action/package_search", params=params, timeout=30)
    assert r.status_code == 200, r.text
    return r.text, r.json()["result"]


def test_harvester_paging_replay(server):
    total = search(server, rows=0)[1]["count"]
    since = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=3650)).replace(tzinfo=None).isoformat() + "Z"
    fq = f"metadata_modified:[{since} TO *]"
    # As the brief for OPSI reads: newest first, pages until fewer than rows.
    names, start, rows = [], 0, 3
    while True:
        _, result = search(server, fq=fq, sort="metadata_modified desc", rows=rows, start=start)
        page = [p["name"] for p in result["results"]]
        names += page
        if len(page) < rows:
            break
        start += rows
    assert len(names) == len(set(names)) == total
    # ckanext-harvest's own loop: sort by id, until an empty page; a page
    # equal to the one before means broken paging.
    ids, start, previous = [], 0, None
    while True:
        content, result = search(server, fq=fq, sort="id asc", rows=2, start=start)
        assert content != previous, "the paging does not move"
        previous = content
        if not result["results"]:
            break
        ids += [p["id"] for p in result["results"]]
        start += 2
    assert len(ids) == len(set(ids)) == total
    assert ids == sorted(ids)
    # Nothing changed after now.
    future = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert search(server, fq=f"metadata_modified:[{future} TO *]")[1]["count"] == 0


def results_of(report):
    _, graph, _ = report
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    out = []
    for r in graph.subjects(rdflib.RDF.type, sh.ValidationResult):
        out.append((str(graph.value(r, sh.resultSeverity)).split("#")[-1], str(graph.value(r, sh.focusNode)),
                    str(graph.value(r, sh.resultPath)), str(graph.value(r, sh.resultMessage))))
    return out


@pytest.mark.parametrize("path,fmt", [("/catalog.ttl", "turtle"), ("/catalog.jsonld", "json-ld"), ("/catalog.rdf", "xml"), ("/dataset/air-quality.ttl", "turtle")])
def test_dcat_ap_shapes(server, path, fmt):
    r = requests.get(server + path, timeout=30)
    assert r.status_code == 200
    data = rdflib.Graph().parse(data=r.content, format=fmt)
    assert len(data) > 50
    for name in ["dcat-ap-3.0.0-shapes.ttl", "dcat-ap-3.0.0-range.ttl"]:
        shapes = rdflib.Graph().parse(os.path.join(SHAPES, name), format="turtle")
        results = results_of(validate(data, shacl_graph=shapes, inference="none", allow_warnings=True))
        violations = [x for x in results if x[0] == "Violation"]
        assert violations == [], f"{path} against {name}: {violations[:10]}"
        print(f"\n{path} {name}: {len(data)} triples, 0 violations")
    shapes = rdflib.Graph().parse(os.path.join(SHAPES, "dcat-ap-3.0.0-shapes-recommended.ttl"), format="turtle")
    warnings = results_of(validate(data, shacl_graph=shapes, inference="none", allow_warnings=True))
    print(f"{path} recommended shapes: {len(warnings)} warnings {sorted(set((w[2], w[3]) for w in warnings))[:5]}")
    assert len(warnings) <= 20


def test_dcat_ap_marks_high_value_datasets(server):
    g = rdflib.Graph().parse(data=requests.get(f"{server}/catalog.ttl", timeout=30).content, format="turtle")
    dcatap = rdflib.Namespace("http://data.europa.eu/r5r/")
    dcat = rdflib.Namespace("http://www.w3.org/ns/dcat#")
    air = rdflib.URIRef(f"{server}/dataset/air-quality")
    assert (air, dcatap.hvdCategory, rdflib.URIRef("http://data.europa.eu/bna/c_dd313021")) in g
    assert (air, dcatap.applicableLegislation, rdflib.URIRef("http://data.europa.eu/eli/reg_impl/2023/138/oj")) in g
    services = list(g.subjects(dcat.servesDataset, air))
    assert services and all((s, dcatap.applicableLegislation, None) in g for s in services)
    # Paging: a one-page catalogue says so.
    assert (None, rdflib.URIRef("http://www.w3.org/ns/hydra/core#totalItems"), None) in g


def test_frictionless_validates_csv_with_its_schema(server, tmp_path):
    for name in ["fault-reports", "participatory-budget-results", "sensor-devices", "proposals", "sensor-history"]:
        csv = requests.get(f"{server}/data/{name}.csv", timeout=30)
        assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
        (tmp_path / f"{name}.csv").write_bytes(csv.content)
        schema = requests.get(f"{server}/data/{name}.schema.json", timeout=30).json()
        (tmp_path / f"{name}.schema.json").write_text(json.dumps(schema))
        out = subprocess.run(
            [os.path.join(os.path.dirname(sys.executable), "frictionless"), "validate", "--json",
             "--schema", f"{name}.schema.json", f"{name}.csv"],
            capture_output=True, text=True, cwd=tmp_path,
        )
        report = json.loads(out.stdout)
        assert report["valid"], f"{name}: {json.dumps(report)[:3000]}"
        print(f"\nfrictionless: {name}.csv valid ({report['tasks'][0]['stats'].get('rows')} rows)")


def test_frictionless_validates_the_data_package(server, tmp_path):
    exe = os.path.join(os.path.dirname(sys.executable), "frictionless")
    for name in ["fault-reports", "air-quality"]:
        out = subprocess.run([exe, "validate", "--json", f"{server}/data/{name}/datapackage.json"], capture_output=True, text=True, cwd=tmp_path)
        report = json.loads(out.stdout)
        assert report["valid"], f"{name}: {json.dumps(report)[:3000]}"
        print(f"\nfrictionless: {name}/datapackage.json valid")
