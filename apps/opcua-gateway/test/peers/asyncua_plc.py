"""A PLC played by Python asyncua (not our code): objects holding changing variables, a writable
setpoint and a method with outputs. Prints READY once listening and "sessions <n>" whenever the
number of activated sessions changes, so tests can check sessions on the server side.

usage: asyncua_plc.py --port P [--objects N] [--interval-ms MS] [--cert C --key K] [--user NAME:PASSWORD]
"""
import argparse
import asyncio
import logging
import sys

from asyncua import Server, ua
from asyncua.server.internal_session import InternalSession
from asyncua.server.user_managers import UserManager
from asyncua.crypto.permission_rules import User, UserRole

URI = "urn:fieldlink:test-plc"


class PasswordUsers(UserManager):
    def __init__(self, name, password):
        self.name, self.password = name, password

    def get_user(self, iserver, username=None, password=None, certificate=None):
        if username == self.name and password == self.password:
            return User(role=UserRole.User)
        return None


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--objects", type=int, default=3)
    parser.add_argument("--interval-ms", type=int, default=200)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--user")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)

    users = PasswordUsers(*args.user.split(":", 1)) if args.user else None
    server = Server(user_manager=users)
    await server.init()
    server.set_endpoint(f"opc.tcp://127.0.0.1:{args.port}/plc")
    server.set_server_name("fieldlink test PLC (asyncua)")
    await server.set_application_uri(URI)
    if args.cert:
        await server.load_certificate(args.cert)
        await server.load_private_key(args.key, format="PEM" if args.key.endswith((".key", ".pem")) else None)
        server.set_security_policy([ua.SecurityPolicyType.Basic256Sha256_SignAndEncrypt])
    if users:
        server.set_security_IDs(["Username"])
    ns = await server.register_namespace(URI)

    pumps = []
    for i in range(1, args.objects + 1):
        pump = await server.nodes.objects.add_object(ns, f"Pump{i}")
        temperature = await pump.add_variable(ns, "Temperature", 20.0)
        pressure = await pump.add_variable(ns, "Pressure", 1.0)
        running = await pump.add_variable(ns, "Running", True)
        # Beyond 2^53: the envelope must carry it as an exact decimal string.
        odometer = await pump.add_variable(ns, "Odometer", ua.Variant(2**60 + i, ua.VariantType.Int64))
        vibration = await pump.add_variable(ns, "Vibration", ua.Variant([0.1, 0.2, 0.3], ua.VariantType.Double))
        setpoint = await pump.add_variable(ns, "Setpoint", 50.0)
        await setpoint.set_writable()
        resets = {"count": 0}

        async def reset(parent, level, resets=resets, temperature=temperature):
            resets["count"] += 1
            await temperature.write_value(20.0)
            return [ua.Variant(f"reset to level {level.Value}", ua.VariantType.String), ua.Variant(resets["count"], ua.VariantType.Int32)]

        level = ua.Argument()
        level.Name, level.DataType, level.ValueRank = "level", ua.NodeId(ua.ObjectIds.Int32), -1
        message = ua.Argument()
        message.Name, message.DataType, message.ValueRank = "message", ua.NodeId(ua.ObjectIds.String), -1
        count = ua.Argument()
        count.Name, count.DataType, count.ValueRank = "resets", ua.NodeId(ua.ObjectIds.Int32), -1
        await pump.add_method(ns, "Reset", reset, [level], [message, count])
        pumps.append((temperature, pressure, odometer, vibration, i))

    async with server:
        print("READY", flush=True)
        tick, sessions = 0, -1
        while True:
            tick += 1
            for temperature, pressure, odometer, vibration, i in pumps:
                await temperature.write_value(20.0 + i + (tick % 10) / 10)
                await pressure.write_value(1.0 + (tick % 7) / 100)
                await odometer.write_value(ua.Variant(2**60 + tick * 10 + i, ua.VariantType.Int64))
                await vibration.write_value(ua.Variant([0.1 * tick % 1, 0.2, 0.3], ua.VariantType.Double))
            current = InternalSession._current_connections
            if current != sessions:
                sessions = current
                print(f"sessions {sessions}", flush=True)
            await asyncio.sleep(args.interval_ms / 1000)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
