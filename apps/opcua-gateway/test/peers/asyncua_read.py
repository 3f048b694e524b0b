"""Reads one variable with Python asyncua's client (not our code), as an operator checking a PLC
would: prints {"nodeId": ..., "value": ...} as one JSON line.

usage: asyncua_read.py --url opc.tcp://... --path Pump1/Setpoint
"""
import argparse
import asyncio
import json

from asyncua import Client

URI = "urn:fieldlink:test-plc"


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--path", required=True)
    args = parser.parse_args()
    async with Client(url=args.url) as client:
        ns = await client.get_namespace_index(URI)
        node = await client.nodes.objects.get_child([f"{ns}:{name}" for name in args.path.split("/")])
        print(json.dumps({"nodeId": node.nodeid.to_string(), "value": await node.read_value()}), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
