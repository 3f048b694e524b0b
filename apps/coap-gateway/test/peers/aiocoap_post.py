"""POSTs readings with aiocoap (not our code), CBOR bodies encoded with cbor2, and prints
one JSON line per request: {"path": ..., "code": "2.04"}.

Usage: aiocoap_post.py <port> <requests.json>, each request {"path", "format", "body"} where
format is "cbor" (60), "senml-cbor" (112, body a SenML pack with RFC 8428 names) or "json" (50).
"""
import asyncio
import json
import sys

import cbor2
from aiocoap import Context, Message, POST

SENML_LABELS = {"bn": -2, "bt": -3, "bu": -4, "bv": -5, "n": 0, "u": 1, "v": 2, "vs": 3, "vb": 4, "t": 6}
FORMATS = {"json": 50, "cbor": 60, "senml-cbor": 112}


def encode(kind, body):
    if kind == "json":
        return json.dumps(body).encode()
    if kind == "cbor":
        return cbor2.dumps(body)
    return cbor2.dumps([{SENML_LABELS[k]: v for k, v in record.items()} for record in body])


async def main():
    port, requests = int(sys.argv[1]), json.load(open(sys.argv[2]))
    context = await Context.create_client_context()
    for request in requests:
        message = Message(code=POST, uri=f"coap://127.0.0.1:{port}/{request['path']}", payload=encode(request["format"], request["body"]))
        message.opt.content_format = FORMATS[request["format"]]
        response = await asyncio.wait_for(context.request(message).response, 20)
        code = response.code.dotted
        print(json.dumps({"path": request["path"], "code": code}), flush=True)
    await context.shutdown()


asyncio.run(main())
