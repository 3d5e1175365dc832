/// One session as the kNN index knows it.
struct SessionRecord: Sendable, Equatable {
    var id: String
    /// Distinct items in first-seen order (capped by `maxItemsPerSession`).
    var items: [Int32]
    /// The last few events' items, with repeats, oldest first (feeds sequential models).
    var recentSequence: [Int32]
    /// Distinct purchased items (feeds association rules).
    var purchased: [Int32]
    var lastSeen: Double
}

/// A session that contains an item, stamped with the time the item joined it.
struct SessionPosting: Sendable, Equatable {
    var serial: Int64
    var time: Double
}

/// What the session looked like just before the event being applied.
struct SessionUpdate {
    var serial: Int64
    var previousSequence: [Int32]
    var previousPurchases: [Int32]
    var isNewItemInSession: Bool
}

/// The VMIS-kNN index: for each item the most recent sessions containing it, plus the
/// sessions themselves. Sessions get increasing serial numbers and live in chunks in serial
/// order; aging out drops whole chunks from the front once every session in the chunk is
/// older than the window, so memory is bounded by the sessions of the window.
struct SessionIndex: Sendable {
    static var chunkSize: Int { 64 }

    private(set) var sessionChunks: [[SessionRecord]] = []
    /// Newest `lastSeen` per chunk, to decide when a chunk has aged out.
    private(set) var chunkLastSeen: [Double] = []
    /// Serial of the first session of `sessionChunks[0]`.
    private(set) var firstSerial: Int64 = 0
    private(set) var serialById = ShardedDictionary<Int64>()
    /// item → sessions containing it, oldest first, at most `maxSessionsPerItem`.
    private(set) var postings = ChunkedArray<[SessionPosting]>(filler: [])
    /// item → number of live sessions containing it (for idf).
    private(set) var sessionsWithItem = ChunkedArray<Int32>(filler: 0)
    private(set) var liveSessions = 0

    var nextSerial: Int64 { firstSerial + Int64(max(0, sessionChunks.count - 1) * Self.chunkSize + (sessionChunks.last?.count ?? 0)) }

    func record(serial: Int64) -> SessionRecord? {
        guard serial >= firstSerial else { return nil }
        let offset = Int(serial - firstSerial)
        let chunk = offset / Self.chunkSize
        guard chunk < sessionChunks.count, offset % Self.chunkSize < sessionChunks[chunk].count else { return nil }
        return sessionChunks[chunk][offset % Self.chunkSize]
    }

    func serial(of sessionId: String) -> Int64? { serialById[sessionId] }

    /// Items of a live session (distinct, first-seen order); empty when unknown or aged out.
    @inline(__always)
    func items(ofSerial serial: Int64) -> [Int32] {
        guard serial >= firstSerial else { return [] }
        let offset = Int(serial - firstSerial)
        return sessionChunks[offset / Self.chunkSize][offset % Self.chunkSize].items
    }

    @inline(__always)
    func lastSeen(ofSerial serial: Int64) -> Double {
        let offset = Int(serial - firstSerial)
        return sessionChunks[offset / Self.chunkSize][offset % Self.chunkSize].lastSeen
    }

    /// Adds one event of a session and returns the session as it was before.
    mutating func observe(sessionId: String, item: Int32, isPurchase: Bool, time: Double, parameters: ModelParameters) -> SessionUpdate {
        let serial: Int64
        if let existing = serialById[sessionId] {
            serial = existing
        } else {
            serial = nextSerial
            if sessionChunks.isEmpty || sessionChunks[sessionChunks.count - 1].count == Self.chunkSize {
                sessionChunks.append([])
                sessionChunks[sessionChunks.count - 1].reserveCapacity(Self.chunkSize)
                chunkLastSeen.append(time)
            }
            sessionChunks[sessionChunks.count - 1].append(SessionRecord(id: sessionId, items: [], recentSequence: [], purchased: [], lastSeen: time))
            serialById.set(serial, for: sessionId)
            liveSessions += 1
        }
        let offset = Int(serial - firstSerial)
        let chunk = offset / Self.chunkSize
        let slot = offset % Self.chunkSize

        let before = sessionChunks[chunk][slot]
        let isNew = !before.items.contains(item)
        let sequenceCap = max(parameters.transitionWindow, parameters.covisitationWindow)
        sessionChunks[chunk][slot].lastSeen = max(before.lastSeen, time)
        chunkLastSeen[chunk] = max(chunkLastSeen[chunk], time)
        if sequenceCap > 0 {
            if before.recentSequence.count >= sequenceCap { sessionChunks[chunk][slot].recentSequence.removeFirst() }
            sessionChunks[chunk][slot].recentSequence.append(item)
        }
        if isPurchase, !before.purchased.contains(item) {
            sessionChunks[chunk][slot].purchased.append(item)
        }
        if isNew, before.items.count < parameters.maxItemsPerSession {
            sessionChunks[chunk][slot].items.append(item)
            addPosting(item: item, serial: serial, time: time, capacity: parameters.maxSessionsPerItem)
        }
        return SessionUpdate(serial: serial, previousSequence: before.recentSequence, previousPurchases: before.purchased, isNewItemInSession: isNew)
    }

    private mutating func addPosting(item: Int32, serial: Int64, time: Double, capacity: Int) {
        let index = Int(item)
        postings.ensureIndex(index)
        sessionsWithItem.ensureIndex(index)
        sessionsWithItem[index] += 1
        let liveFrom = firstSerial
        postings[index].removeAll { $0.serial < liveFrom }  // drop aged-out sessions lazily
        if postings[index].count >= capacity { postings[index].removeFirst(postings[index].count - capacity + 1) }
        postings[index].append(SessionPosting(serial: serial, time: time))
    }

    /// Drops chunks of sessions whose newest event is older than `now - window`. The chunk
    /// being filled always stays.
    mutating func evict(now: Double, window: Double) {
        while sessionChunks.count > 1, chunkLastSeen[0] < now - window {
            let nextFirstSerial = firstSerial + Int64(Self.chunkSize)
            for record in sessionChunks[0] {
                if serialById[record.id] != nil, let serial = serialById[record.id], serial < nextFirstSerial {
                    serialById.remove(record.id)
                }
                for item in record.items {
                    sessionsWithItem[Int(item)] -= 1
                    // Postings are oldest first: drop the aged-out ones now, so memory follows the
                    // window even for items that get no new session (readers skip them anyway).
                    let stale = postings[Int(item)].prefix { $0.serial < nextFirstSerial }.count
                    if stale > 0 { postings[Int(item)].removeFirst(stale) }
                }
                liveSessions -= 1
            }
            sessionChunks.removeFirst()
            chunkLastSeen.removeFirst()
            firstSerial += Int64(Self.chunkSize)
        }
    }

    // MARK: snapshot support

    init() {}

    init(chunks: [[SessionRecord]], firstSerial: Int64, postings: ChunkedArray<[SessionPosting]>, sessionsWithItem: ChunkedArray<Int32>) {
        self.sessionChunks = chunks
        self.firstSerial = firstSerial
        self.postings = postings
        self.sessionsWithItem = sessionsWithItem
        self.chunkLastSeen = chunks.map { $0.map(\.lastSeen).max() ?? -Double.infinity }
        for (chunkIndex, chunk) in chunks.enumerated() {
            for (slot, record) in chunk.enumerated() {
                serialById.set(firstSerial + Int64(chunkIndex * Self.chunkSize + slot), for: record.id)
            }
            liveSessions += chunk.count
        }
    }
}
