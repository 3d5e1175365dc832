import Foundation

/// VMIS-kNN scoring over a `SessionIndex`.
///
/// 1. The last `sessionItems` distinct items of the current session get linearly decaying
///    weights by position: the newest 1, the one before (n-1)/n, … (n = items used).
/// 2. Each historical session that shares an item collects the weights of the items it shares
///    (its similarity). Only the `sampleSize` most recent of those sessions are kept, and of
///    those the `neighbours` most similar vote.
/// 3. A neighbour adds similarity × step^(-matchDecay) to every item it contains, where step is
///    1 when it contains the newest session item, 2 when its newest shared item is the one
///    before, …, times positionDecay^d for an item d positions away (in the neighbour's item
///    order) from that shared item; each item's total is then scaled by
///    1 + idfWeight × ln(live sessions / sessions containing the item), so rare items count more.
/// Posting lists are read newest first and stop after `sampleSize` sessions per item (early stop).
extension SessionIndex {
    /// Adds the kNN scores to `scratch.board` (column `.knn`), which must hold no kNN scores yet.
    func accumulateKNN(sessionItems: [Int32], excludingSerial: Int64?, settings: KNNSettings, into scratch: inout RankingScratch) {
        guard !sessionItems.isEmpty, settings.neighbours > 0, settings.sampleSize > 0 else { return }
        let usedCount = settings.sessionItems > 0 ? min(settings.sessionItems, sessionItems.count) : sessionItems.count
        let firstUsed = sessionItems.count - usedCount
        let count = Double(usedCount)

        // Similarity per session, in dense scratch rows keyed by offset from the first live serial.
        for position in 0..<usedCount {
            let item = sessionItems[firstUsed + position]
            let weight = Double(position + 1) / count
            let list = postings.value(at: Int(item))
            var taken = 0
            var cursor = list.count - 1
            while cursor >= 0, taken < settings.sampleSize {
                let serial = list[cursor].serial
                cursor -= 1
                if serial < firstSerial || serial == excludingSerial { continue }
                let (slot, inserted) = scratch.neighbourSlots.slot(for: Int(serial - firstSerial))
                if inserted {
                    scratch.similarity.append(0)
                    scratch.newestShared.append(0)
                }
                scratch.similarity[slot] += weight
                scratch.newestShared[slot] = Int32(position)
                taken += 1
            }
        }
        let candidates = scratch.neighbourSlots.count
        guard candidates > 0 else { return }

        // Keep the `sampleSize` most recent sessions, then the `neighbours` most similar.
        let offsets = scratch.neighbourSlots.keys
        let similarity = scratch.similarity
        let base = firstSerial
        // Looked up once: with a short session most similarities tie and order falls to recency.
        for slot in 0..<candidates { scratch.recency.append(lastSeen(ofSerial: base + Int64(offsets[slot]))) }
        let recency = scratch.recency
        var pool = Array(0..<Int32(candidates))
        if candidates > settings.sampleSize {
            pool = TopK.select(pool, k: settings.sampleSize) { a, b in
                let ra = recency[Int(a)], rb = recency[Int(b)]
                return ra != rb ? ra > rb : offsets[Int(a)] > offsets[Int(b)]
            }
        }
        let neighbours = TopK.select(pool, k: settings.neighbours) { a, b in
            let sa = similarity[Int(a)], sb = similarity[Int(b)]
            if sa != sb { return sa > sb }
            let ra = recency[Int(a)], rb = recency[Int(b)]
            if ra != rb { return ra > rb }
            return offsets[Int(a)] > offsets[Int(b)]
        }
        // positionDecay^d by table, the same values `pow` gives, computed once per request.
        var decayByDistance: [Double] = []

        for slot in neighbours {
            var vote = similarity[Int(slot)]
            if settings.matchDecay != 0 {
                let step = Double(usedCount - Int(scratch.newestShared[Int(slot)]))
                vote *= pow(step, -settings.matchDecay)
            }
            let neighbourItems = items(ofSerial: base + Int64(offsets[Int(slot)]))
            if settings.positionDecay == 1 {
                for item in neighbourItems { scratch.board.add(vote, to: item, .knn) }
            } else {
                let shared = sessionItems[firstUsed + Int(scratch.newestShared[Int(slot)])]
                let anchor = neighbourItems.firstIndex(of: shared) ?? 0
                let farthest = max(anchor, neighbourItems.count - 1 - anchor)
                while decayByDistance.count <= farthest { decayByDistance.append(pow(settings.positionDecay, Double(decayByDistance.count))) }
                for (position, item) in neighbourItems.enumerated() {
                    scratch.board.add(vote * decayByDistance[abs(position - anchor)], to: item, .knn)
                }
            }
        }
        if settings.idfWeight != 0 {
            let logTotal = NaturalLog.of(max(liveSessions, 1))
            for slot in 0..<scratch.board.count {
                let containing = max(Int(sessionsWithItem.value(at: Int(scratch.board.item(atSlot: slot)))), 1)
                scratch.board.scale(slot: slot, .knn, by: 1 + settings.idfWeight * max(logTotal - NaturalLog.of(containing), 0))
            }
        }
    }

    /// The kNN scores as a map (tests, explanations).
    func knnScores(sessionItems: [Int32], excludingSerial: Int64?, settings: KNNSettings) -> [Int32: Double] {
        var scratch = RankingScratch()
        accumulateKNN(sessionItems: sessionItems, excludingSerial: excludingSerial, settings: settings, into: &scratch)
        return scratch.board.scores(of: .knn)
    }
}

/// ln(n) for counts, from a table for small n (idf needs one per scored item per request).
enum NaturalLog {
    private static let table: [Double] = (0..<8192).map { $0 == 0 ? -Double.infinity : log(Double($0)) }

    @inline(__always)
    static func of(_ n: Int) -> Double { n < table.count ? table[n] : log(Double(n)) }
}
