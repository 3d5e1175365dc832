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
///    before, …; each item's total is then scaled by
///    1 + idfWeight × ln(live sessions / sessions containing the item), so rare items count more.
/// Posting lists are read newest first and stop after `sampleSize` sessions per item (early stop).
extension SessionIndex {
    func knnScores(sessionItems: [Int32], excludingSerial: Int64?, settings: KNNSettings) -> [Int32: Double] {
        guard !sessionItems.isEmpty, settings.neighbours > 0, settings.sampleSize > 0 else { return [:] }
        let used = settings.sessionItems > 0 ? Array(sessionItems.suffix(settings.sessionItems)) : sessionItems
        let count = Double(used.count)

        // serial → (similarity, position of the newest shared session item)
        var similarity: [Int64: (sum: Double, newest: Int)] = [:]
        similarity.reserveCapacity(min(4096, settings.sampleSize * used.count))
        for (position, item) in used.enumerated() {
            let weight = Double(position + 1) / count
            let list = postings.value(at: Int(item))
            var taken = 0
            var cursor = list.count - 1
            while cursor >= 0, taken < settings.sampleSize {
                let serial = list[cursor].serial
                cursor -= 1
                if serial < firstSerial || serial == excludingSerial { continue }
                similarity[serial, default: (0, 0)].sum += weight
                similarity[serial]!.newest = position
                taken += 1
            }
        }
        guard !similarity.isEmpty else { return [:] }

        // Keep the `sampleSize` most recent sessions, then the `neighbours` most similar.
        typealias Candidate = (serial: Int64, similarity: Double, lastSeen: Double, newest: Int)
        var sessions: [Candidate] = similarity.map {
            (serial: $0.key, similarity: $0.value.sum, lastSeen: lastSeen(ofSerial: $0.key), newest: $0.value.newest)
        }
        if sessions.count > settings.sampleSize {
            sessions = TopK.select(sessions, k: settings.sampleSize) { (a: Candidate, b: Candidate) in
                a.lastSeen != b.lastSeen ? a.lastSeen > b.lastSeen : a.serial > b.serial
            }
        }
        let neighbours = TopK.select(sessions, k: settings.neighbours) { (a: Candidate, b: Candidate) in
            if a.similarity != b.similarity { return a.similarity > b.similarity }
            if a.lastSeen != b.lastSeen { return a.lastSeen > b.lastSeen }
            return a.serial > b.serial
        }

        var scores: [Int32: Double] = [:]
        scores.reserveCapacity(neighbours.count * 8)
        for neighbour in neighbours {
            let step = Double(used.count - neighbour.newest)
            let vote = settings.matchDecay == 0 ? neighbour.similarity : neighbour.similarity * pow(step, -settings.matchDecay)
            for item in items(ofSerial: neighbour.serial) {
                scores[item, default: 0] += vote
            }
        }
        if settings.idfWeight != 0 {
            let total = Double(max(liveSessions, 1))
            for (item, score) in scores {
                let containing = Double(max(sessionsWithItem.value(at: Int(item)), 1))
                scores[item] = score * (1 + settings.idfWeight * log(max(total / containing, 1)))
            }
        }
        return scores
    }
}
