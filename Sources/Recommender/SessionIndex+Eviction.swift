/// How sessions leave the kNN index, each rule bounded work per event:
/// - an idle sweep examines a few sessions per event, round the whole index, and evicts each
///   session idle longer than the window, wherever it sits;
/// - past `maxLiveSessions`, the oldest-created live sessions go first;
/// - the front chunk (the oldest sessions) is checked on every event: its idle sessions go at
///   once, and the whole chunk goes when all are idle.
/// Evicted sessions are tombstones until their chunk is the front chunk and is dropped. A front
/// chunk with only a few live sessions left moves them to the back (new serials), so a session
/// active for months does not pin every chunk created after it.
extension SessionIndex {
    /// Sessions the idle sweep examines per event: a full pass takes liveSessions / 4 events.
    static var sweepStep: Int { 4 }
    /// A front chunk with at most this many live sessions is dropped after they move back.
    static var relocateAtMost: Int { chunkSize / 8 }

    /// `tick` counts events learned: it places the sweep, so a model restored from a snapshot
    /// evicts exactly what the original would have.
    mutating func evict(now: Double, window: Double, maxLiveSessions: Int, tick: Int64) {
        let cutoff = now - window
        sweepIdle(before: cutoff, tick: tick)
        while liveSessions > max(1, maxLiveSessions), let oldest = oldestLiveSerial() {
            evict(serial: oldest)
            evictedOverCapacity += 1
        }
        let atCapacity = liveSessions >= maxLiveSessions
        // The front chunk is where sessions age out first; the chunk being filled always stays.
        while sessionChunks.count > 1 {
            let front = sessionChunks[0]
            if chunkLastSeen[0] >= cutoff {
                // Some session in it is still active: the idle ones go now, one by one.
                for slot in 0..<front.count where !front[slot].isEvicted && front[slot].lastSeen < cutoff {
                    evict(serial: firstSerial + Int64(slot))
                    evictedIdle += 1
                }
            }
            let live = chunkLiveCount[0]
            guard chunkLastSeen[0] < cutoff || live <= Self.relocateAtMost else { return }
            for slot in 0..<front.count where !sessionChunks[0][slot].isEvicted {
                let serial = firstSerial + Int64(slot)
                if chunkLastSeen[0] < cutoff {
                    evict(serial: serial)
                    evictedIdle += 1
                } else if atCapacity {
                    evict(serial: serial)  // at the cap the oldest created leave rather than move
                    evictedOverCapacity += 1
                } else {
                    relocate(serial: serial)
                }
            }
            dropFrontChunk()
        }
    }

    private mutating func sweepIdle(before cutoff: Double, tick: Int64) {
        let span = Int(nextSerial - firstSerial)
        guard span > 0 else { return }
        for step in 0..<Self.sweepStep {
            let offset = Int((UInt64(bitPattern: tick) &* UInt64(Self.sweepStep) &+ UInt64(step)) % UInt64(span))
            let serial = firstSerial + Int64(offset)
            let record = sessionChunks[offset / Self.chunkSize][offset % Self.chunkSize]
            if !record.isEvicted, record.lastSeen < cutoff {
                evict(serial: serial)
                evictedIdle += 1
            }
        }
    }

    private func oldestLiveSerial() -> Int64? {
        for (chunkIndex, chunk) in sessionChunks.enumerated() where chunkLiveCount[chunkIndex] > 0 {
            if let slot = chunk.firstIndex(where: { !$0.isEvicted }) {
                return firstSerial + Int64(chunkIndex * Self.chunkSize + slot)
            }
        }
        return nil
    }

    /// Removes one live session: its id, its items' postings and idf counts. The slot stays.
    mutating func evict(serial: Int64) {
        let offset = Int(serial - firstSerial)
        let chunk = offset / Self.chunkSize, slot = offset % Self.chunkSize
        let record = sessionChunks[chunk][slot]
        guard !record.isEvicted else { return }
        serialById.remove(record.id)
        for item in record.items {
            sessionsWithItem[Int(item)] -= 1
            // Postings run oldest first and evicted sessions are old: the search ends early.
            if let index = postings[Int(item)].firstIndex(where: { $0.serial == serial }) { postings[Int(item)].remove(at: index) }
        }
        sessionChunks[chunk][slot] = SessionRecord(id: "", items: [], recentSequence: [], purchased: [], lastSeen: record.lastSeen)
        chunkLiveCount[chunk] -= 1
        liveSessions -= 1
    }

    /// Gives a live session a new serial at the back, keeping its items' posting times.
    private mutating func relocate(serial: Int64) {
        guard let record = record(serial: serial) else { return }
        var joined: [Int32: Double] = [:]
        for item in record.items {
            if let posting = postings[Int(item)].first(where: { $0.serial == serial }) { joined[item] = posting.time }
        }
        evict(serial: serial)
        let moved = append(record)
        for item in record.items {
            sessionsWithItem[Int(item)] += 1
            // A posting already trimmed by the per-item cap stays trimmed.
            if let time = joined[item] { postings[Int(item)].append(SessionPosting(serial: moved, time: time)) }
        }
    }

    private mutating func dropFrontChunk() {
        sessionChunks.removeFirst()
        chunkLastSeen.removeFirst()
        chunkLiveCount.removeFirst()
        firstSerial += Int64(Self.chunkSize)
    }
}
