"""National eID sign-in against a small SAML 2.0 identity provider.

The IdP here is independent of obcina's own XML code: it builds responses
with lxml and signs them with signxml (exclusive c14n, RSA-SHA256), checks
obcina's signed AuthnRequest (HTTP-Redirect binding) with the key from
obcina's metadata, and posts the Response as a browser would (HTTP-POST
binding). Then it tries the refusals: unsigned, altered, signed by another
key, wrong audience, expired, InResponseTo mismatch, replay.

Run: OBCINA_BIN=target/debug/obcina build/venv/bin/pytest conformance/test_saml.py
"""

import base64
import datetime as dt
import os
import re
import secrets
import tempfile
import time
import urllib.parse
import zlib

import pytest
import requests
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import XMLSigner

from obcina_server import running

IDP_ENTITY = "https://sicas.test/idp"
SSO_URL = "https://sicas.test/idp/sso"
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"
# Attribute names as configured for the test (SI-PASS publishes its own).
ATTRS = {
    "emso": "urn:oid:1.3.6.1.4.1.99999.1.1",
    "tax_number": "urn:oid:1.3.6.1.4.1.99999.1.2",
    "given_name": "urn:oid:2.5.4.42",
    "surname": "urn:oid:2.5.4.4",
    "email": "urn:oid:0.9.2342.19200300.100.1.3",
}
PASSWORD = "vinska klet ob dravi 1908"


def make_key_and_cert(cn):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return key_pem, cert.public_bytes(serialization.Encoding.PEM)


IDP_KEY, IDP_CERT = make_key_and_cert("Test SI-PASS IdP")
ROGUE_KEY, ROGUE_CERT = make_key_and_cert("Someone else")


@pytest.fixture(scope="module")
def server():
    # The IdP's certificate goes beside the data directory the helper makes.
    cert_dir = tempfile.mkdtemp(prefix="obcina-saml-idp-")
    cert_file = os.path.join(cert_dir, "idp.pem")
    with open(cert_file, "wb") as f:
        f.write(IDP_CERT)
    config = f'[eid]\nenabled = true\nidp_entity_id = "{IDP_ENTITY}"\nidp_sso_url = "{SSO_URL}"\nidp_cert_file = "{cert_file}"\n[eid.attributes]\n'
    config += "".join(f'{k} = "{v}"\n' for k, v in ATTRS.items())
    with running("saml", config=config) as srv:
        yield srv


def sp_public_key(base):
    md = etree.fromstring(requests.get(base + "/saml/metadata").content)
    n = md.find(f".//{{{DS}}}Modulus").text
    e = md.find(f".//{{{DS}}}Exponent").text
    to_int = lambda b64: int.from_bytes(base64.b64decode(b64), "big")
    return rsa.RSAPublicNumbers(to_int(e), to_int(n)).public_key(), md


def begin(session, base, next_="/account"):
    """Follow obcina to the IdP; check the signed AuthnRequest; return it."""
    r = session.get(base + "/login/eid", params={"next": next_}, allow_redirects=False)
    assert r.status_code == 303, r.text
    location = r.headers["location"]
    assert location.startswith(SSO_URL + "?")
    raw_query = location.split("?", 1)[1]
    parts = dict(p.split("=", 1) for p in raw_query.split("&"))
    # The signature covers the query exactly as sent (SAML bindings §3.4.4.1).
    signed = "&".join(f"{k}={parts[k]}" for k in ("SAMLRequest", "RelayState", "SigAlg") if k in parts).encode()
    assert urllib.parse.unquote(parts["SigAlg"]) == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    key, _ = sp_public_key(base)
    key.verify(base64.b64decode(urllib.parse.unquote(parts["Signature"])), signed, padding.PKCS1v15(), hashes.SHA256())
    xml = zlib.decompress(base64.b64decode(urllib.parse.unquote(parts["SAMLRequest"])), -15)
    req = etree.fromstring(xml)
    assert req.tag == f"{{{SAMLP}}}AuthnRequest"
    assert req.get("Destination") == SSO_URL
    return {"id": req.get("ID"), "acs": req.get("AssertionConsumerServiceURL"), "sp": req.find(f"{{{SAML}}}Issuer").text}


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def response_xml(req, person, *, audience=None, in_response_to=None, lifetime=300, sign=True, key=IDP_KEY, cert=IDP_CERT):
    now = dt.datetime.now(dt.timezone.utc)
    until = iso(now + dt.timedelta(seconds=lifetime))
    irt = in_response_to or req["id"]
    nsmap = {"samlp": SAMLP, "saml": SAML}
    resp = etree.Element(f"{{{SAMLP}}}Response", nsmap=nsmap, ID="_r" + secrets.token_hex(16), Version="2.0",
                         IssueInstant=iso(now), Destination=req["acs"], InResponseTo=irt)
    etree.SubElement(resp, f"{{{SAML}}}Issuer").text = IDP_ENTITY
    status = etree.SubElement(resp, f"{{{SAMLP}}}Status")
    etree.SubElement(status, f"{{{SAMLP}}}StatusCode", Value="urn:oasis:names:tc:SAML:2.0:status:Success")
    aid = "_a" + secrets.token_hex(16)
    a = etree.SubElement(resp, f"{{{SAML}}}Assertion", ID=aid, Version="2.0", IssueInstant=iso(now))
    etree.SubElement(a, f"{{{SAML}}}Issuer").text = IDP_ENTITY
    subject = etree.SubElement(a, f"{{{SAML}}}Subject")
    etree.SubElement(subject, f"{{{SAML}}}NameID", Format="urn:oasis:names:tc:SAML:2.0:nameid-format:transient").text = "_t" + secrets.token_hex(8)
    sc = etree.SubElement(subject, f"{{{SAML}}}SubjectConfirmation", Method="urn:oasis:names:tc:SAML:2.0:cm:bearer")
    etree.SubElement(sc, f"{{{SAML}}}SubjectConfirmationData", InResponseTo=irt, Recipient=req["acs"], NotOnOrAfter=until)
    cond = etree.SubElement(a, f"{{{SAML}}}Conditions", NotBefore=iso(now - dt.timedelta(seconds=60)), NotOnOrAfter=until)
    ar = etree.SubElement(cond, f"{{{SAML}}}AudienceRestriction")
    etree.SubElement(ar, f"{{{SAML}}}Audience").text = audience or req["sp"]
    authn = etree.SubElement(a, f"{{{SAML}}}AuthnStatement", AuthnInstant=iso(now))
    ctx = etree.SubElement(authn, f"{{{SAML}}}AuthnContext")
    etree.SubElement(ctx, f"{{{SAML}}}AuthnContextClassRef").text = "urn:oasis:names:tc:SAML:2.0:ac:classes:X509"
    stmt = etree.SubElement(a, f"{{{SAML}}}AttributeStatement")
    for field, value in person.items():
        attr = etree.SubElement(stmt, f"{{{SAML}}}Attribute", Name=ATTRS[field], NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri")
        etree.SubElement(attr, f"{{{SAML}}}AttributeValue").text = value
    if sign:
        signer = XMLSigner(c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#")
        signed = signer.sign(a, key=key, cert=cert.decode(), reference_uri="#" + aid, id_attribute="ID")
        resp.replace(a, signed)
    return etree.tostring(resp)


def post(base, xml, session=None):
    """The browser's POST from the IdP to the ACS, then (if accepted) the
    same-site redirect to /saml/finish that completes the sign-in."""
    s = session or requests.Session()
    r = s.post(base + "/saml/acs", data={"SAMLResponse": base64.b64encode(xml).decode()},
               headers={"Origin": "https://sicas.test"}, allow_redirects=False)
    if r.status_code == 303 and r.headers["location"].startswith("/saml/finish?"):
        r = s.get(base + r.headers["location"], allow_redirects=False)
    return r


PERSON = {"emso": "0101990500003", "tax_number": "15012557", "given_name": "Špela", "surname": "Horvat", "email": "spela.horvat@example.si"}


def me(session, base):
    r = session.get(base + "/api/v1/me")
    return r.status_code, (r.json() if r.status_code == 200 else None)


def test_sign_in_with_eid_creates_the_profile_and_signs_in_again_to_the_same_account(server):
    base = server["base"]
    s = requests.Session()
    req = begin(s, base, "/account")
    r = post(base, response_xml(req, PERSON), s)
    assert r.status_code == 303, r.text
    assert r.headers["location"] == "/account"
    assert "obcina_session" in s.cookies
    status, body = me(s, base)
    assert status == 200
    assert body["email"] == PERSON["email"]
    assert body["profile"]["emso"] == PERSON["emso"]
    assert body["profile"]["tax_number"] == PERSON["tax_number"]
    assert body["profile"]["name"] == "Špela Horvat"
    first_id = body["id"]
    # Another browser, another sign-in: the same account.
    s2 = requests.Session()
    r = post(base, response_xml(begin(s2, base), PERSON), s2)
    assert r.status_code == 303
    assert me(s2, base)[1]["id"] == first_id


def signed_in_citizen(server, s, email):
    base = server["base"]
    assert s.post(base + "/api/v1/accounts", json={"email": email, "password": PASSWORD}).status_code == 202
    link = None
    for _ in range(100):
        found = [l for l in re.findall(re.escape(base) + r"/confirm\?token=[A-Za-z0-9_-]+", open(server["log"]).read())]
        if found and found[-1] not in CONFIRMED:
            link = found[-1]
            break
        time.sleep(0.1)
    CONFIRMED.add(link)
    assert requests.get(link).status_code == 200
    assert s.post(base + "/api/v1/session", json={"email": email, "password": PASSWORD}).status_code == 201


CONFIRMED = set()


def random_emso():
    """A valid EMŠO nobody else in these tests uses (check digit as in stdnum.si.emso)."""
    while True:
        body = f"{secrets.randbelow(28) + 1:02d}{secrets.randbelow(12) + 1:02d}9{secrets.randbelow(90) + 10:02d}50{secrets.randbelow(1000):03d}"
        total = sum(int(d) * w for d, w in zip(body, (7, 6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)))
        if total % 11 != 1:
            return body + str(-total % 11 % 10)


def test_a_signed_in_citizen_links_the_eid_to_the_same_profile(server):
    base = server["base"]
    email = f"link.{secrets.token_hex(4)}@example.si"
    s = requests.Session()
    signed_in_citizen(server, s, email)
    own_id = me(s, base)[1]["id"]
    person = dict(PERSON, emso="0101006500006", email=email)
    r = post(base, response_xml(begin(s, base), person), s)
    assert r.status_code == 303, r.text
    status, body = me(s, base)
    assert body["id"] == own_id, "linked to the signed-in account, not a new one"
    assert body["profile"]["emso"] == "0101006500006"
    # From now on the eID alone signs in to that account.
    fresh = requests.Session()
    post(base, response_xml(begin(fresh, base), person), fresh)
    assert me(fresh, base)[1]["id"] == own_id


SIGNATURE = "Podpis odgovora ni veljaven"
AUDIENCE = "ni bil namenjen temu portalu"
EXPIRED = "Prijava je potekla"
NOT_OURS = "se ne ujema z našo zahtevo"


def refused(r, reason):
    assert r.status_code in (403, 409), (r.status_code, r.text[:500])
    assert "obcina_session" not in r.cookies
    assert 'lang="sl"' in r.text, "a translated error page"
    assert reason in r.text, f"refused for the wrong reason: {r.text[:800]}"


def test_unsigned_response_is_refused(server):
    s = requests.Session()
    refused(post(server["base"], response_xml(begin(s, server["base"]), PERSON, sign=False), s), SIGNATURE)


def test_altered_response_is_refused(server):
    s = requests.Session()
    xml = response_xml(begin(s, server["base"]), PERSON)
    tampered = xml.replace(PERSON["emso"].encode(), b"0101006500006")
    assert tampered != xml
    refused(post(server["base"], tampered, s), SIGNATURE)


def test_response_signed_by_another_key_is_refused(server):
    s = requests.Session()
    refused(post(server["base"], response_xml(begin(s, server["base"]), PERSON, key=ROGUE_KEY, cert=ROGUE_CERT), s), SIGNATURE)


def test_wrong_audience_is_refused(server):
    s = requests.Session()
    refused(post(server["base"], response_xml(begin(s, server["base"]), PERSON, audience="https://other.example/sp"), s), AUDIENCE)


def test_expired_response_is_refused(server):
    s = requests.Session()
    refused(post(server["base"], response_xml(begin(s, server["base"]), PERSON, lifetime=-600), s), EXPIRED)


def test_in_response_to_mismatch_is_refused(server):
    s = requests.Session()
    begin(s, server["base"])
    fake = {"id": "_" + secrets.token_hex(20), "acs": server["base"] + "/saml/acs", "sp": server["base"] + "/saml/metadata"}
    refused(post(server["base"], response_xml(fake, PERSON), s), NOT_OURS)


def test_replayed_response_is_refused(server):
    s = requests.Session()
    xml = response_xml(begin(s, server["base"]), PERSON)
    assert post(server["base"], xml, s).status_code == 303
    # The request it answered is used up, so a replay no longer answers anything of ours.
    refused(post(server["base"], xml, requests.Session()), NOT_OURS)


def test_a_response_pushed_into_another_browser_is_refused(server):
    """Login CSRF: an attacker's own valid response, posted from a victim's browser."""
    attacker = requests.Session()
    xml = response_xml(begin(attacker, server["base"]), dict(PERSON, emso="2902000505006", email="napadalec@example.si"))
    victim = requests.Session()
    refused(post(server["base"], xml, victim), "ni bila začeta v tem brskalniku")


def test_a_link_started_by_one_account_cannot_be_finished_by_another(server):
    """A signed-in attacker starts linking and gets the victim to finish at the IdP."""
    base = server["base"]
    attacker = requests.Session()
    attacker_email = f"a.{secrets.token_hex(4)}@example.si"
    victim_person = dict(PERSON, emso="1502985505127", email=f"v.{secrets.token_hex(4)}@example.si")
    signed_in_citizen(server, attacker, attacker_email)
    req = begin(attacker, base)
    # The victim authenticates at the IdP for the attacker's request; the victim's browser lacks the nonce.
    victim = requests.Session()
    refused(post(base, response_xml(req, victim_person), victim), "ni bila začeta v tem brskalniku")


def test_an_eid_does_not_attach_itself_to_an_account_by_a_typed_emso(server):
    """Someone types another person's EMŠO into their profile; that person's eID must not land there."""
    base = server["base"]
    squatter = requests.Session()
    signed_in_citizen(server, squatter, f"s.{secrets.token_hex(4)}@example.si")
    emso = random_emso()
    assert squatter.put(base + "/api/v1/me/profile", json={"emso": emso}).status_code == 200
    person = dict(PERSON, emso=emso, email=f"real.{secrets.token_hex(4)}@example.si")
    real = requests.Session()
    r = post(base, response_xml(begin(real, base), person), real)
    assert r.status_code == 409, r.text[:300]
    assert "obcina_session" not in r.cookies


def test_refusals_are_audited(server):
    log = open(server["log"]).read()
    assert "eID sign-in refused" in log
    assert PERSON["emso"] not in log, "no personal data in the log"
