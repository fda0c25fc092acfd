"""The consumer-group coordinator at the wire level: JoinGroup/SyncGroup/
Heartbeat/LeaveGroup/OffsetCommit error codes and the state machine's
edges (leader-only member list, held SyncGroup, inconsistent protocols,
a held JoinGroup dropped when its connection closes)."""
import struct
import threading

from kafka_util import KafkaConn, Reader, kbytes, kstr, log_has, metadata_body, rb

ARGS = ["--group-initial-rebalance-delay-ms", "100"]


def join(conn, group, member="", protocols=(("range", b"meta"),), session_ms=6000, send_only=False):
    body = (kstr(group) + struct.pack(">ii", session_ms, 10000) + kstr(member) + kstr(None) +
            kstr("consumer") + struct.pack(">i", len(protocols)) +
            b"".join(kstr(n) + kbytes(m) for n, m in protocols))
    if send_only:
        return conn.send(11, 5, body)
    return parse_join(conn.request(11, 5, body))


def parse_join(r):
    r.i32()
    d = {"error": r.i16(), "generation": r.i32(), "protocol": r.string(), "leader": r.string(),
         "member": r.string()}
    d["members"] = [(r.string(), r.string(), r.bytes()) for _ in range(r.i32())]
    return d


def sync(conn, group, generation, member, assignments=(), send_only=False):
    body = (kstr(group) + struct.pack(">i", generation) + kstr(member) + kstr(None) +
            struct.pack(">i", len(assignments)) + b"".join(kstr(m) + kbytes(a) for m, a in assignments))
    if send_only:
        return conn.send(14, 3, body)
    r = conn.request(14, 3, body)
    r.i32()
    return r.i16(), r.bytes()


def heartbeat(conn, group, generation, member):
    r = conn.request(12, 3, kstr(group) + struct.pack(">i", generation) + kstr(member) + kstr(None))
    r.i32()
    return r.i16()


def leave(conn, group, member):
    r = conn.request(13, 1, kstr(group) + kstr(member))
    r.i32()
    return r.i16()


def commit(conn, group, generation, member, topic, offset):
    body = (kstr(group) + struct.pack(">i", generation) + kstr(member) + kstr(None) +
            struct.pack(">i", 1) + kstr(topic) + struct.pack(">iiqi", 1, 0, offset, -1) + kstr(""))
    r = conn.request(8, 7, body)
    r.i32()
    r.i32(), r.string(), r.i32(), r.i32()
    return r.i16()


def test_single_member_lifecycle(rb):
    b = rb(args=ARGS)
    c = KafkaConn(b.bootstrap)
    c.request(3, 4, metadata_body(["gt"]))
    j = join(c, "solo")
    assert j["error"] == 0 and j["generation"] == 1 and j["protocol"] == "range"
    me = j["member"]
    assert me.startswith("pytest-") and j["leader"] == me
    assert j["members"] == [(me, None, b"meta")]
    assert sync(c, "solo", 1, me, [(me, b"my-assignment")]) == (0, b"my-assignment")
    assert sync(c, "solo", 1, me) == (0, b"my-assignment")  # Up: answered at once
    assert heartbeat(c, "solo", 1, me) == 0
    assert heartbeat(c, "solo", 0, me) == 22            # ILLEGAL_GENERATION
    assert heartbeat(c, "solo", 1, "stranger") == 25    # UNKNOWN_MEMBER_ID
    assert commit(c, "solo", 1, me, "gt", 5) == 0
    assert commit(c, "solo", 7, me, "gt", 6) == 22
    assert commit(c, "solo", -1, "", "gt", 6) == 25     # simple commit to a live group
    assert join(c, "solo", member="stranger")["error"] == 25
    assert leave(c, "solo", me) == 0
    assert heartbeat(c, "solo", 1, me) == 25
    assert commit(c, "solo", -1, "", "gt", 9) == 0      # group empty: simple commits allowed
    c.close()


def test_second_member_triggers_rebalance_and_held_sync(rb):
    b = rb(args=ARGS)
    c1, c2 = KafkaConn(b.bootstrap), KafkaConn(b.bootstrap)
    j1 = join(c1, "duo", protocols=(("range", b"m1"),))
    m1 = j1["member"]
    assert sync(c1, "duo", 1, m1, [(m1, b"all")]) == (0, b"all")
    join(c2, "duo", protocols=(("range", b"m2"),), send_only=True)  # held: waits for m1
    log_has(b, "group duo: rebalancing (a member joined), generation 1")  # (another connection)
    assert heartbeat(c1, "duo", 1, m1) == 27                # REBALANCE_IN_PROGRESS: rejoin
    r1 = join(c1, "duo", member=m1, protocols=(("range", b"m1"),))
    r2 = parse_join(Reader(c2.recv()[1]))
    assert r1["generation"] == r2["generation"] == 2
    assert r1["leader"] == r2["leader"] == m1
    m2 = r2["member"]
    assert sorted(r1["members"]) == sorted([(m1, None, b"m1"), (m2, None, b"m2")])
    assert r2["members"] == []                              # followers get no member list
    corr = sync(c2, "duo", 2, m2, send_only=True)          # held until the leader syncs
    assert sync(c1, "duo", 2, m1, [(m1, b"a1"), (m2, b"a2")]) == (0, b"a1")
    got_corr, body = c2.recv()
    r = Reader(body)
    r.i32()
    assert got_corr == corr and r.i16() == 0 and r.bytes() == b"a2"
    c1.close()
    c2.close()


def test_inconsistent_protocols_are_refused(rb):
    b = rb(args=ARGS)
    c1, c2 = KafkaConn(b.bootstrap), KafkaConn(b.bootstrap)
    j = join(c1, "mix", protocols=(("range", b""),))
    assert j["error"] == 0
    assert join(c2, "mix", protocols=(("cooperative-sticky", b""),))["error"] == 23
    r = c2.request(11, 5, kstr("mix") + struct.pack(">ii", 10, 10) + kstr("") + kstr(None) +
                   kstr("consumer") + struct.pack(">i", 1) + kstr("range") + kbytes(b""))
    r.i32()
    assert r.i16() == 26  # INVALID_SESSION_TIMEOUT (10 ms)
    c1.close()
    c2.close()


def test_held_join_dropped_when_its_connection_closes(rb):
    b = rb(args=ARGS)
    c1, c2 = KafkaConn(b.bootstrap), KafkaConn(b.bootstrap)
    m1 = join(c1, "drop")["member"]
    assert sync(c1, "drop", 1, m1, [(m1, b"x")])[0] == 0
    join(c2, "drop", session_ms=2000, send_only=True)  # held while m1 must rejoin
    log_has(b, "group drop: rebalancing (a member joined), generation 1")
    c2.close()                        # the held response is dropped with the connection
    # m1 rejoins; m2 never will: once m2's session (2 s, counted from the
    # close) expires, the join completes without it
    r = join(c1, "drop", member=m1)
    assert r["error"] == 0 and r["generation"] == 2
    assert [m for m, _, _ in r["members"]] == [m1]
    log_has(b, "session timeout of 2000 ms expired")
    c1.close()
