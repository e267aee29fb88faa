#!/usr/bin/env python3
"""A TCP proxy that holds each answer back LATENCY_MS before passing it on,
so that a local emulator behaves like a service 100 ms away.

  latency_proxy.py LISTEN_PORT UPSTREAM_PORT [LATENCY_MS]

Every chunk the upstream sends is delayed (answers of the ID-card API fit in
one chunk, so each request costs one delay); connections are independent.
"""
import asyncio
import sys


async def pipe(reader, writer, delay):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            if delay:
                await asyncio.sleep(delay)
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def main():
    listen, upstream = int(sys.argv[1]), int(sys.argv[2])
    delay = (int(sys.argv[3]) if len(sys.argv) > 3 else 100) / 1000.0

    async def handle(client_reader, client_writer):
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", upstream)
        await asyncio.gather(pipe(client_reader, server_writer, 0), pipe(server_reader, client_writer, delay))

    server = await asyncio.start_server(handle, "127.0.0.1", listen)
    print(f"latency proxy 127.0.0.1:{listen} -> 127.0.0.1:{upstream}, +{delay * 1000:.0f} ms per answer", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
