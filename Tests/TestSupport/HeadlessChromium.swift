import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A headless Chromium that a test drives over the DevTools protocol. The connection is
/// `--remote-debugging-pipe`: the browser reads commands from fd 3 and writes answers to fd 4,
/// each one JSON text ended by a NUL byte, so neither a WebSocket client nor a JavaScript
/// toolchain is needed. Both fds are one end of a socket pair, so a write after the browser died
/// fails with EPIPE instead of raising SIGPIPE in the test process.
public final class HeadlessChromium: Sendable {
    /// `chromium` from `SESSIONRANK_CHROMIUM_BIN` or the PATH (Debian's package is `chromium`);
    /// nil when there is none that can run.
    public static func locateBinary() -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["SESSIONRANK_CHROMIUM_BIN"], !explicit.isEmpty {
            return FileManager.default.isExecutableFile(atPath: explicit) ? explicit : nil
        }
        for directory in (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            for name in ["chromium", "chromium-browser"] where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
                return "\(directory)/\(name)"
            }
        }
        return nil
    }

    /// Starts a browser, runs `body`, and stops the browser whatever `body` did.
    public static func run<Value: Sendable>(
        binary: String, windowWidth: Int = 1280, windowHeight: Int = 1600,
        _ body: @Sendable (HeadlessChromium) async throws -> Value
    ) async throws -> Value {
        let browser = try HeadlessChromium(binary: binary, windowWidth: windowWidth, windowHeight: windowHeight)
        do {
            let value = try await body(browser)
            await browser.close()
            return value
        } catch {
            await browser.close()
            throw error
        }
    }

    private let pid: pid_t
    private let connection: DevToolsConnection
    private let profile: String
    /// What the browser printed, for failure messages.
    public let logPath: String

    public init(binary: String, windowWidth: Int = 1280, windowHeight: Int = 1600) throws {
        profile = FileManager.default.temporaryDirectory.appendingPathComponent("sessionrank-chromium-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: profile, withIntermediateDirectories: true)
        logPath = profile + "/chromium.log"
        var arguments = [
            binary, "--headless", "--remote-debugging-pipe", "--user-data-dir=\(profile)",
            "--window-size=\(windowWidth),\(windowHeight)", "--disable-gpu", "--disable-dev-shm-usage",
            "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-sync",
            "--disable-background-networking", "--disable-component-update", "--mute-audio", "--password-store=basic",
            "about:blank",
        ]
        // Chromium refuses to run as root with its sandbox on (CI containers run as root).
        if geteuid() == 0 { arguments.insert("--no-sandbox", at: 1) }

        var ends: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) == 0 else {
            throw BrowserError("socketpair failed: errno \(errno)")
        }
        // Above 4, so that dup2 onto 3 and 4 always makes fresh descriptors without close-on-exec.
        let ours = Self.movedAbove(4, ends[0])
        let theirs = Self.movedAbove(4, ends[1])
        defer { Glibc.close(theirs) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        posix_spawn_file_actions_adddup2(&actions, theirs, 3)
        posix_spawn_file_actions_adddup2(&actions, theirs, 4)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group, so close() ends the browser's helper processes too; and the
        // default signal mask, not the test runner's blocked one.
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK))

        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, binary, &actions, &attributes, &argv, environ)
        guard spawned == 0 else {
            Glibc.close(ours)
            try? FileManager.default.removeItem(atPath: profile)
            throw BrowserError("cannot start \(binary): \(String(cString: strerror(spawned)))")
        }
        self.pid = pid
        connection = DevToolsConnection(socket: ours)
    }

    deinit {
        // Last resort when close() was never reached.
        if kill(-pid, 0) == 0 {
            kill(-pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
    }

    /// A new tab, attached so that commands go to it.
    public func openPage() async throws -> BrowserPage {
        let target = try await connection.send("Target.createTarget", ["url": "about:blank"])
        guard let targetId = target["targetId"] as? String else { throw BrowserError("Target.createTarget answered no targetId") }
        let attached = try await connection.send("Target.attachToTarget", ["targetId": targetId, "flatten": true])
        guard let sessionId = attached["sessionId"] as? String else { throw BrowserError("Target.attachToTarget answered no sessionId") }
        let page = BrowserPage(connection: connection, sessionId: sessionId)
        _ = try await page.send("Page.enable")
        _ = try await page.send("Runtime.enable")
        return page
    }

    /// The last lines the browser printed.
    public func logTail(lines: Int = 20) -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// Asks the browser to quit, then kills what is left of its process group and reaps it.
    public func close() async {
        _ = try? await connection.send("Browser.close", timeout: .seconds(5))
        let deadline = ContinuousClock.now + .seconds(10)
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        kill(-pid, SIGKILL)
        waitpid(pid, &status, 0)
        try? FileManager.default.removeItem(atPath: profile)
    }

    private static func movedAbove(_ floor: Int32, _ fd: Int32) -> Int32 {
        let moved = fcntl(fd, F_DUPFD_CLOEXEC, floor + 1)
        Glibc.close(fd)
        return moved
    }
}

/// One tab of the browser.
public struct BrowserPage: Sendable {
    let connection: DevToolsConnection
    let sessionId: String

    func send(_ method: String, _ parameters: [String: any Sendable] = [:], timeout: Duration = .seconds(60)) async throws -> [String: Any] {
        try await connection.send(method, parameters, sessionId: sessionId, timeout: timeout)
    }

    /// Loads `url` and waits until the document has loaded.
    public func navigate(to url: String, timeout: Duration = .seconds(60)) async throws {
        let answer = try await send("Page.navigate", ["url": url], timeout: timeout)
        if let failure = answer["errorText"] as? String { throw BrowserError("\(url) did not load: \(failure)") }
        try await waitUntil("document.readyState === 'complete' && location.href === \(Self.literal(url))", timeout: timeout, "\(url) to load")
    }

    /// Runs JavaScript in the page (awaiting a promise) and answers its value as JSON text.
    public func evaluateJSON(_ expression: String) async throws -> String {
        let wrapped = "(async () => JSON.stringify(await (async () => (\(expression)))()))()"
        let answer = try await send("Runtime.evaluate", ["expression": wrapped, "returnByValue": true, "awaitPromise": true])
        if let exception = answer["exceptionDetails"] as? [String: Any] {
            let description = (exception["exception"] as? [String: Any])?["description"] as? String ?? exception["text"] as? String ?? "\(exception)"
            throw BrowserError("JavaScript failed: \(description)\n  in: \(expression)")
        }
        return ((answer["result"] as? [String: Any])?["value"] as? String) ?? "null"
    }

    /// The value of `expression`, decoded.
    public func evaluate<Value: Decodable>(_ expression: String, as type: Value.Type = Value.self) async throws -> Value {
        let json = try await evaluateJSON(expression)
        do { return try JSONDecoder().decode(Value.self, from: Data(json.utf8)) } catch {
            throw BrowserError("\(expression) gave \(json), not \(Value.self)")
        }
    }

    /// Polls `condition` (JavaScript, true when done) until it holds: the page works
    /// asynchronously, and a busy machine makes every fixed wait wrong.
    public func waitUntil(
        _ condition: String, timeout: Duration = .seconds(30), _ what: String, describe state: String = "document.title"
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            if (try? await evaluate("Boolean(\(condition))", as: Bool.self)) == true { return }
            guard ContinuousClock.now < deadline else {
                let seen = (try? await evaluateJSON(state)) ?? "(page did not answer)"
                throw BrowserError("waited \(timeout) for \(what); the page shows \(seen)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Writes a PNG of the whole page to `path`, creating its folder.
    public func screenshot(to path: String) async throws {
        let metrics = try await send("Page.getLayoutMetrics")
        let size = metrics["cssContentSize"] as? [String: Any]
        let width = (size?["width"] as? Double) ?? 1280
        let height = (size?["height"] as? Double) ?? 1600
        let answer = try await send("Page.captureScreenshot", [
            "format": "png", "captureBeyondViewport": true,
            "clip": ["x": 0, "y": 0, "width": width, "height": height, "scale": 1] as [String: any Sendable],
        ])
        guard let base64 = answer["data"] as? String, let png = Data(base64Encoded: base64) else {
            throw BrowserError("Page.captureScreenshot answered no image")
        }
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try png.write(to: URL(fileURLWithPath: path))
    }

    /// `text` as a JavaScript string literal.
    public static func literal(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text], options: [.fragmentsAllowed])) ?? Data("[\"\"]".utf8)
        return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
    }
}

public struct BrowserError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Commands out, answers back by id. A thread blocks in read(2) on the socket and resumes the
/// waiting command; events (messages without an id) are not needed and are dropped.
final class DevToolsConnection: Sendable {
    private struct State {
        var nextId = 0
        var waiting: [Int: CheckedContinuation<Data, any Error>] = [:]
        /// Ids whose deadline passed before their command was registered.
        var expired: Set<Int> = []
        var closed: String?
    }

    private let socket: Int32
    private let state = Mutex(State())

    init(socket: Int32) {
        self.socket = socket
        let thread = Thread { [self] in readAnswers() }
        thread.name = "devtools-reader"
        thread.start()
    }

    /// Sends `method` (to the page `sessionId`, or the browser) and answers its `result`.
    func send(
        _ method: String, _ parameters: [String: any Sendable] = [:], sessionId: String? = nil, timeout: Duration = .seconds(60)
    ) async throws -> [String: Any] {
        let id = state.withLock { state in
            state.nextId += 1
            return state.nextId
        }
        var message: [String: Any] = ["id": id, "method": method, "params": parameters]
        if let sessionId { message["sessionId"] = sessionId }
        var bytes = try JSONSerialization.data(withJSONObject: message)
        bytes.append(0)
        let frame = bytes
        let timer = Task { [self] in
            try await Task.sleep(for: timeout)
            finish(id, with: .failure(BrowserError("\(method): no answer within \(timeout)")))
        }
        defer { timer.cancel() }
        let result = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Data, any Error>) in
            let refusal: String? = state.withLock { state in
                if let closed = state.closed { return closed }
                if state.expired.remove(id) != nil { return "\(method): no answer within \(timeout)" }
                state.waiting[id] = continuation
                // Written under the lock, so frames never interleave and never reach a closed socket.
                if let failure = Self.write(frame, to: socket) {
                    state.waiting[id] = nil
                    return "\(method): \(failure)"
                }
                return nil
            }
            if let refusal { continuation.resume(throwing: BrowserError(refusal)) }
        }
        return (try JSONSerialization.jsonObject(with: result) as? [String: Any]) ?? [:]
    }

    private func finish(_ id: Int, with result: Result<Data, any Error>) {
        let continuation = state.withLock { state in
            let continuation = state.waiting.removeValue(forKey: id)
            if continuation == nil { state.expired.insert(id) }
            return continuation
        }
        continuation?.resume(with: result)
    }

    private static func write(_ frame: Data, to socket: Int32) -> String? {
        frame.withUnsafeBytes { buffer -> String? in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.send(socket, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                if written < 0 {
                    if errno == EINTR { continue }
                    return "cannot write to the browser: \(String(cString: strerror(errno)))"
                }
                offset += written
            }
            return nil
        }
    }

    private func readAnswers() {
        var pending = Data()
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(socket, $0.baseAddress!, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            pending.append(contentsOf: chunk[0..<count])
            while let end = pending.firstIndex(of: 0) {
                let frame = pending[pending.startIndex..<end]
                pending = Data(pending[(end + 1)...])
                dispatch(Data(frame))
            }
        }
        let waiting = state.withLock { state in
            state.closed = "the browser closed the DevTools connection"
            close(socket)
            defer { state.waiting = [:] }
            return state.waiting
        }
        for continuation in waiting.values { continuation.resume(throwing: BrowserError("the browser closed the DevTools connection")) }
    }

    private func dispatch(_ frame: Data) {
        guard let message = try? JSONSerialization.jsonObject(with: frame) as? [String: Any], let id = message["id"] as? Int else { return }
        if let error = message["error"] as? [String: Any] {
            finish(id, with: .failure(BrowserError("DevTools error \(error["code"] ?? ""): \(error["message"] ?? "")")))
        } else {
            let result = (try? JSONSerialization.data(withJSONObject: message["result"] ?? [:])) ?? Data("{}".utf8)
            finish(id, with: .success(result))
        }
    }
}
