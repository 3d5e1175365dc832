#!/usr/bin/env python3
"""Redis CPU per session write: the Lua-script layout (up to ac4f246) against the plain-command
layout that replaced it, in one run against one redis-server, so the ratio is fair on a noisy
machine. It replays each layout's command sequence for a page view with read-back and for a
durable event with its confirmation, over 10,000 sessions and 2,000 items from 32 connections,
and reads redis-server's CPU from /proc.

    redis-server --port 6399 --save '' --appendonly no --daemonize yes
    python3 loadtests/redis-layout/ab.py --port 6399 --count 20000

The old script is read from git (`git show ac4f246:...SessionScripts.swift`). The new layout's
commands mirror Sources/SessionRankAdapters/Redis/SessionWrite.swift and SessionStateReader.swift.
"""
import argparse, os, random, re, socket, subprocess, textwrap, time


def encode(args):
    out = [b'*%d\r\n' % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b'$%d\r\n%s\r\n' % (len(a), a))
    return b''.join(out)


class Connection:
    def __init__(self, port):
        self.sock = socket.create_connection(('127.0.0.1', port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b''

    def send(self, commands):
        self.sock.sendall(b''.join(encode(c) for c in commands))

    def _line(self):
        while b'\r\n' not in self.buffer:
            self.buffer += self.sock.recv(1 << 16)
        line, self.buffer = self.buffer.split(b'\r\n', 1)
        return line

    def read(self):
        line = self._line()
        kind = line[:1]
        if kind in b'+:':
            return line[1:]
        if kind == b'-':
            raise RuntimeError(line[1:].decode())
        if kind == b'$':
            n = int(line[1:])
            if n < 0:
                return None
            while len(self.buffer) < n + 2:
                self.buffer += self.sock.recv(1 << 16)
            data, self.buffer = self.buffer[:n], self.buffer[n + 2:]
            return data
        if kind == b'*':
            n = int(line[1:])
            return None if n < 0 else [self.read() for _ in range(n)]
        raise RuntimeError(line)


def cpu_seconds(pid):
    fields = open('/proc/%d/stat' % pid).read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def old_script_source():
    root = subprocess.check_output(['git', 'rev-parse', '--show-toplevel'], text=True).strip()
    swift = subprocess.check_output(
        ['git', '-C', root, 'show', 'ac4f246:Sources/SessionRankAdapters/Redis/SessionScripts.swift'], text=True)
    return textwrap.dedent(re.search(r'#"""\n(.*?)\n\s*"""#', swift, re.S).group(1))


class ScriptLayout:
    def __init__(self, conn):
        conn.send([['SCRIPT', 'LOAD', old_script_source()]])
        self.sha = conn.read().decode()

    def write(self, sid, eid, item, ts, attrs, read_back):
        p = 's:{%s}:' % sid
        keys = [p + k for k in ['meta', 'interest', 'items', 'seen', 'cart', 'purchased', 'unpublished']]
        args = [eid, 'product_view', item, repr(ts), '1.0', '600', 50, 1800, '', '', 'NL', '1' if read_back else '0',
                10000, 200, 500] + attrs
        # Both confirmed every event: SREM from the unpublished set.
        return [['EVALSHA', self.sha, len(keys)] + keys + args], [['SREM', p + 'unpublished', eid]]


class PlainLayout:
    def __init__(self, conn):
        pass

    def write(self, sid, eid, item, ts, attrs, read_back):
        p, t = 's:{%s}:' % sid, repr(ts)
        commands = [
            ['SET', p + 'status:' + eid, 'p' if read_back else 'u', 'NX', 'GET', 'EX', 1800],
            ['HSETNX', p + 'events', eid, 'product_view'], ['HLEN', p + 'events'],
            ['ZADD', p + 'times', 'GT', repr(-ts), 'first', t, 'last', t, 'r|NL'], ['ZREMRANGEBYRANK', p + 'times', 1, -35],
            ['ZADD', p + 'items', t, '|'.join([eid, 'product_view', item, '1.0', '\x1f'.join(attrs)])],
            ['ZREMRANGEBYRANK', p + 'items', 0, -51],
        ] + [['EXPIRE', p + k, 1800] for k in ['events', 'times', 'items', 'basket']]
        if read_back:
            # A page view is best effort: published at once, never confirmed.
            return commands + [['HLEN', p + 'events']] + [['ZRANGE', p + k, 0, -1, 'WITHSCORES'] for k in ['times', 'items', 'basket']], []
        return commands, [['SET', p + 'status:' + eid, 'p', 'XX', 'KEEPTTL']]


def run(port, pid, layout_class, read_back, count):
    conns = [Connection(port) for _ in range(32)]
    layout = layout_class(conns[0])
    rnd = random.Random(7)
    sequence = [0]

    def one():
        sequence[0] += 1
        sid, item = 'sess-%d' % rnd.randrange(10000), 'p-%05d' % rnd.randrange(2000)
        n = int(item[2:])
        attrs = ['category:c%d' % (n % 30), 'brand:b%d' % (n % 100), 'price:budget']
        return layout.write(sid, 'e-%d-%d' % (sequence[0], rnd.randrange(10 ** 9)), item, 1.8e9 + sequence[0] * 0.05, attrs, read_back)

    def drive(total):
        done = 0
        while done < total:
            batch = []
            for conn in conns:
                commands, after = one()
                conn.send(commands)
                batch.append((conn, len(commands), after))
            for conn, n, after in batch:
                for _ in range(n):
                    conn.read()
                if after:
                    conn.send(after)
                    for _ in after:
                        conn.read()
            done += len(conns)

    drive(count)  # warm: sessions exist and have history
    before = cpu_seconds(pid)
    drive(count)
    return (cpu_seconds(pid) - before) / count * 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--port', type=int, default=6399)
    parser.add_argument('--count', type=int, default=20000)
    options = parser.parse_args()
    pid = int(subprocess.check_output(['redis-cli', '-p', str(options.port), 'info', 'server'], text=True)
              .split('process_id:')[1].split()[0])
    print('| write | Lua script (µs Redis CPU) | plain commands | ratio |')
    print('|---|---|---|---|')
    for read_back, name in [(True, 'page view with read-back'), (False, 'durable event + confirmation')]:
        figures = []
        for layout in [ScriptLayout, PlainLayout]:
            subprocess.check_call(['redis-cli', '-p', str(options.port), 'FLUSHALL'], stdout=subprocess.DEVNULL)
            figures.append(run(options.port, pid, layout, read_back, options.count))
        print('| %s | %.1f | %.1f | %.2f× |' % (name, figures[0], figures[1], figures[0] / figures[1]))


if __name__ == '__main__':
    main()
