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

    /// An evicted session keeps its slot (serials are positions) but no id and no items.
    var isEvicted: Bool { id.isEmpty }
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
/// order. Each session leaves on its own (`SessionIndex+Eviction.swift`): when it has been
/// idle longer than the window, or when the live count passes its cap. An evicted session
/// leaves a tombstone in its chunk until the front chunk empties and is dropped, and the few
/// live sessions left in an old front chunk move to the back, so one long-lived session cannot
/// pin the sessions created after it: memory follows the live sessions, not the history.
struct SessionIndex: Sendable {
    static var chunkSize: Int { 64 }

    var sessionChunks: [[SessionRecord]] = []
    /// Newest `lastSeen` per chunk, to drop a whole aged-out chunk in one step.
    var chunkLastSeen: [Double] = []
    /// Live (not evicted) sessions per chunk.
    var chunkLiveCount: [Int] = []
    /// Serial of the first session of `sessionChunks[0]`.
    var firstSerial: Int64 = 0
    var serialById = ShardedDictionary<Int64>()
    /// item → sessions containing it, oldest first, at most `maxSessionsPerItem`.
    var postings = ChunkedArray<[SessionPosting]>(filler: [])
    /// item → number of live sessions containing it (for idf).
    var sessionsWithItem = ChunkedArray<Int32>(filler: 0)
    var liveSessions = 0
    /// Sessions evicted since the process started, by cause (not stored in snapshots).
    var evictedIdle: Int64 = 0
    var evictedOverCapacity: Int64 = 0

    var nextSerial: Int64 { firstSerial + Int64(max(0, sessionChunks.count - 1) * Self.chunkSize + (sessionChunks.last?.count ?? 0)) }

    func record(serial: Int64) -> SessionRecord? {
        guard serial >= firstSerial else { return nil }
        let offset = Int(serial - firstSerial)
        let chunk = offset / Self.chunkSize
        guard chunk < sessionChunks.count, offset % Self.chunkSize < sessionChunks[chunk].count else { return nil }
        let record = sessionChunks[chunk][offset % Self.chunkSize]
        return record.isEvicted ? nil : record
    }

    func serial(of sessionId: String) -> Int64? { serialById[sessionId] }

    /// Items of a live session (distinct, first-seen order); empty when unknown or evicted.
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
        let serial = serialById[sessionId] ?? append(SessionRecord(id: sessionId, items: [], recentSequence: [], purchased: [], lastSeen: time))
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
        if isPurchase, !before.purchased.contains(item), before.purchased.count < parameters.maxItemsPerSession {
            sessionChunks[chunk][slot].purchased.append(item)
        }
        if isNew, before.items.count < parameters.maxItemsPerSession {
            sessionChunks[chunk][slot].items.append(item)
            addPosting(item: item, serial: serial, time: time, capacity: parameters.maxSessionsPerItem)
        }
        return SessionUpdate(serial: serial, previousSequence: before.recentSequence, previousPurchases: before.purchased, isNewItemInSession: isNew)
    }

    /// Stores a session at the end and returns its serial. Its postings are the caller's job.
    mutating func append(_ record: SessionRecord) -> Int64 {
        let serial = nextSerial
        if sessionChunks.isEmpty || sessionChunks[sessionChunks.count - 1].count == Self.chunkSize {
            sessionChunks.append([])
            sessionChunks[sessionChunks.count - 1].reserveCapacity(Self.chunkSize)
            chunkLastSeen.append(record.lastSeen)
            chunkLiveCount.append(0)
        }
        let last = sessionChunks.count - 1
        sessionChunks[last].append(record)
        chunkLastSeen[last] = max(chunkLastSeen[last], record.lastSeen)
        chunkLiveCount[last] += 1
        serialById.set(serial, for: record.id)
        liveSessions += 1
        return serial
    }

    mutating func addPosting(item: Int32, serial: Int64, time: Double, capacity: Int) {
        let index = Int(item)
        postings.ensureIndex(index)
        sessionsWithItem.ensureIndex(index)
        sessionsWithItem[index] += 1
        if postings[index].count >= capacity { postings[index].removeFirst(postings[index].count - capacity + 1) }
        postings[index].append(SessionPosting(serial: serial, time: time))
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
            var live = 0
            for (slot, record) in chunk.enumerated() where !record.isEvicted {
                serialById.set(firstSerial + Int64(chunkIndex * Self.chunkSize + slot), for: record.id)
                live += 1
            }
            chunkLiveCount.append(live)
            liveSessions += live
        }
    }
}
