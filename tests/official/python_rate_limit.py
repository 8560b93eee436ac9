"""Drives the official minFraud Python client, unmodified, into the sidecar's
per-client rate limit (1 request/s, burst 2): three score calls in a row.
Prints one JSON object: what each call gave, and the error of the third.

Environment: SIDECAR_HOST (host:port), REQUESTS_CA_BUNDLE, APP_ACCOUNT_ID,
APP_TOKEN.
"""
import json
import os

from minfraud import Client
from minfraud.errors import InvalidRequestError

host = os.environ["SIDECAR_HOST"]
account = int(os.environ["APP_ACCOUNT_ID"])
token = os.environ["APP_TOKEN"]
request = {"device": {"ip_address": "81.2.69.160"}, "order": {"amount": 10, "currency": "USD"}}
out = {"results": []}
with Client(account, token, host=host) as client:
    for _ in range(3):
        try:
            client.score(request)
            out["results"].append("ok")
        except InvalidRequestError as e:
            # InvalidRequestError(message, code, http_status, uri)
            out["results"].append(type(e).__name__)
            out["message"], out["code"], out["status"] = e.args[0], e.args[1], e.args[2]
print(json.dumps(out))
