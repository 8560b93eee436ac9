"""Drives the official minFraud Python client (PyPI `minfraud`), unmodified,
against the txveil sidecar over TLS. Prints one JSON object of results.

Environment: SIDECAR_HOST (host:port), REQUESTS_CA_BUNDLE and SSL_CERT_FILE
(the test CA), APP_ACCOUNT_ID, APP_TOKEN.
"""
import asyncio
import json
import os

from minfraud import AsyncClient, Client
from minfraud.errors import AuthenticationError, InvalidRequestError, PermissionRequiredError

host = os.environ["SIDECAR_HOST"]
account = int(os.environ["APP_ACCOUNT_ID"])
token = os.environ["APP_TOKEN"]
out = {}

# A valid request with a raw email address: the client does not hash it
# (hash_email defaults to False); the sidecar must.
valid = {
    "device": {"ip_address": "81.2.69.160"},
    "email": {"address": "Jane.Doe+checkout@GoogleMail.com"},
    "billing": {"city": "Hamden", "country": "US"},
    "credit_card": {"issuer_id_number": "411111", "last_digits": "1111"},
    "order": {"amount": 323.21, "currency": "USD"},
}
with Client(account, token, host=host) as client:
    score = client.score(valid)
    out["score_risk"] = score.risk_score
    out["score_id"] = str(score.id)
    insights = client.insights(valid)
    out["insights_ip_risk"] = insights.ip_address.risk
    factors = client.factors(valid)
    out["factors_risk"] = factors.risk_score

    # A legacy request with a raw card number and username: the client's own
    # validation would refuse these keys, so the app sends with validate=False.
    legacy = dict(valid)
    legacy["credit_card"] = {"number": "4111 1111 1111 1111"}
    legacy["account"] = {"username": "JaneDoe88"}
    out["legacy_risk"] = client.score(legacy, validate=False).risk_score

    # A card number in free text: the sidecar refuses it with 400.
    try:
        client.score({"device": {"ip_address": "81.2.69.160"},
                      "shipping": {"address": "card 4111 1111 1111 1111"}})
        out["pan"] = "accepted"
    except InvalidRequestError as e:
        # InvalidRequestError(message, code, http_status, uri)
        out["pan"] = {"type": "InvalidRequestError", "code": e.args[1], "status": e.args[2]}

    out["report"] = client.report({"ip_address": "81.2.69.160", "tag": "chargeback",
                                    "transaction_id": "txn1", "notes": "disputed"})

with Client(account, "wrong-token", host=host) as bad:
    try:
        bad.score(valid)
        out["auth"] = "accepted"
    except AuthenticationError:
        out["auth"] = {"type": "AuthenticationError"}

if os.environ.get("REPORT_ONLY_ACCOUNT_ID"):
    with Client(int(os.environ["REPORT_ONLY_ACCOUNT_ID"]), os.environ["REPORT_ONLY_TOKEN"], host=host) as limited:
        try:
            limited.score(valid)
            out["permission"] = "accepted"
        except PermissionRequiredError:
            out["permission"] = {"type": "PermissionRequiredError"}


async def async_score():
    async with AsyncClient(account, token, host=host) as client:
        return (await client.score(valid)).risk_score

out["async_risk"] = asyncio.run(async_score())
print(json.dumps(out))
