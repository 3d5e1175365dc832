import Testing

@testable import RedisClient

@Suite("SHA-1 for script names")
struct SHA1Tests {
    // Test vectors from FIPS 180 and RFC 3174.
    @Test(arguments: [
        ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        ("abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
        ("The quick brown fox jumps over the lazy dog", "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12"),
    ])
    func matchesKnownDigests(_ input: String, _ expected: String) {
        #expect(SHA1.hexDigest(of: input) == expected)
    }

    @Test func handlesMessagesSpanningSeveralBlocks() {
        // One million 'a' is the long test vector; it crosses every padding boundary case on the way.
        #expect(SHA1.hexDigest(of: String(repeating: "a", count: 1_000_000)) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }

    @Test func scriptNameIsTheSourceDigest() {
        #expect(RedisScript("return 1").sha1 == "e0e1f9fabfc9d4800c877a703b823ac0578ff8db")
    }
}

@Suite("Reconnect backoff")
struct ReconnectBackoffTests {
    @Test func growsFromMinimumToMaximumAndResets() {
        var backoff = ReconnectBackoff(minimum: .milliseconds(100), maximum: .seconds(2))
        let delays = (0..<12).map { _ in backoff.nextDelay() }
        for delay in delays {
            #expect(delay >= .milliseconds(100) && delay <= .seconds(2))
        }
        // The cap doubles per failure; with jitter in the upper half the 6th delay is at least 1 s.
        #expect(delays[5] >= .seconds(1))
        #expect(delays.suffix(4).allSatisfy { $0 >= .seconds(1) })
        backoff.reset()
        #expect(backoff.nextDelay() == .milliseconds(100))
    }
}

@Suite("Reply helpers")
struct RESPValueTests {
    @Test func convertsBetweenReplyKinds() {
        #expect(RESPValue.bulkString(Array("12".utf8)).int == 12)
        #expect(RESPValue.integer(5).int == 5)
        #expect(RESPValue.simpleString("OK").string == "OK")
        #expect(RESPValue.bulkString(Array("2.5".utf8)).double == 2.5)
        #expect(RESPValue.null.string == nil)
        #expect(RESPValue.null.isNull)
        #expect(RESPValue.array([.integer(1)]).array == [.integer(1)])
        #expect(RESPValue.error("ERR x").errorMessage == "ERR x")
        #expect(RESPValue.integer(1).string == nil)
    }

    @Test func serverErrorsExposeTheirKind() {
        let error = RedisError.server("WRONGTYPE Operation against a key holding the wrong kind of value")
        #expect(error.code == .serverError)
        #expect(error.serverErrorPrefix == "WRONGTYPE")
    }
}
