import Foundation

/// Binary snapshot format (documented in models/README.md):
///
///     offset size
///     0      8    magic "SRMODEL\0"
///     8      2    format version (UInt16 LE), currently 1
///     10     2    reserved, 0
///     12     8    payload length (UInt64 LE)
///     20     4    CRC-32 of the payload (UInt32 LE)
///     24     …    payload: the sections written by `encodePayload`, in order
///
/// Maps are written with sorted keys, so equal models give byte-identical snapshots.
enum SnapshotCodec {
    static let magic: [UInt8] = Array("SRMODEL".utf8) + [0]
    static let formatVersion: UInt16 = 1
    static let headerSize = 24

    static func encode(_ state: ModelState) -> Data {
        var payload = BinaryWriter()
        encodePayload(state, into: &payload)
        var header = BinaryWriter()
        for byte in magic { header.write(byte) }
        header.write(formatVersion)
        header.write(UInt16(0))
        header.write(UInt64(payload.bytes.count))
        header.write(CRC32.checksum(payload.bytes))
        return Data(header.bytes + payload.bytes)
    }

    static func decode(_ data: Data) throws(SnapshotError) -> ModelState {
        let bytes = [UInt8](data)
        guard bytes.count >= headerSize else {
            throw SnapshotError(.notASnapshot, "\(bytes.count) bytes is shorter than the \(headerSize)-byte snapshot header")
        }
        guard Array(bytes[0..<8]) == magic else { throw SnapshotError(.notASnapshot, "missing SRMODEL magic: not a SessionRank model snapshot") }
        var header = BinaryReader(bytes, position: 8)
        let version = try header.read(UInt16.self)
        guard version == formatVersion else {
            throw SnapshotError(.unsupportedVersion, "snapshot format \(version) is not supported (this build reads format \(formatVersion)); retrain with `sessionrank train`")
        }
        _ = try header.read(UInt16.self)
        let length = try header.read(UInt64.self)
        let expected = try header.read(UInt32.self)
        guard length == UInt64(bytes.count - headerSize) else {
            throw SnapshotError(.truncated, "header says \(length) payload bytes, file has \(bytes.count - headerSize): the snapshot is truncated or padded")
        }
        let payload = Array(bytes[headerSize...])
        let actual = CRC32.checksum(payload)
        guard actual == expected else {
            throw SnapshotError(.checksumMismatch, "payload CRC-32 is \(String(actual, radix: 16)), header says \(String(expected, radix: 16)): the snapshot is corrupt")
        }
        var reader = BinaryReader(payload)
        let state = try decodePayload(&reader)
        guard reader.isAtEnd else { throw SnapshotError(.corrupt, "unexpected bytes after the last section") }
        return state
    }

    // MARK: payload

    private static func encodePayload(_ s: ModelState, into w: inout BinaryWriter) {
        try! w.writeCodable(s.parameters)  // plain Codable struct: encoding cannot fail
        w.write(s.metadata)
        w.write(s.eventsApplied); w.write(s.feedbackApplied); w.write(s.version); w.write(s.latestTime)

        w.write(UInt32(s.items.count))
        for index in 0..<s.items.count { w.write(s.items.id(at: Int32(index))) }

        w.write(s.sessions.firstSerial)
        w.write(UInt32(s.sessions.sessionChunks.count))
        for chunk in s.sessions.sessionChunks {
            w.write(UInt32(chunk.count))
            for record in chunk {
                w.write(record.id); w.write(record.items); w.write(record.recentSequence); w.write(record.purchased); w.write(record.lastSeen)
            }
        }
        let postings = s.sessions.postings.elements
        w.write(UInt32(postings.count))
        for list in postings {
            w.write(UInt32(list.count))
            for posting in list { w.write(posting.serial); w.write(posting.time) }
        }
        writeInt32s(s.sessions.sessionsWithItem.elements, &w)

        writeWeights(s.sequences.transitions.elements, &w)
        writeFloats(s.sequences.transitionTotals.elements, &w)
        writeWeights(s.sequences.covisits.elements, &w)
        writeFloats(s.sequences.covisitTotals.elements, &w)

        w.write(Int64(s.association.baskets))
        writeInt32s(s.association.basketsWithItem.elements, &w)
        let pairs = s.association.pairs.elements
        w.write(UInt32(pairs.count))
        for map in pairs {
            w.write(UInt32(map.count))
            for key in map.keys.sorted() { w.write(key); w.write(map[key]!) }
        }

        writePopularity(s.popularity, &w)
        w.write(UInt32(s.regionalPopularity.count))
        for region in s.regionalPopularity.keys.sorted() { w.write(region); writePopularity(s.regionalPopularity[region]!, &w) }

        let attributes = s.attributes.attributesByItem.elements
        w.write(UInt32(attributes.count))
        for item in attributes {
            w.write(item != nil)
            if let item { try! w.writeCodable(item) }
        }

        w.write(UInt32(s.ranker.z.count))
        for value in s.ranker.z { w.write(value) }
        for value in s.ranker.n { w.write(value) }
        w.write(s.ranker.positives); w.write(s.ranker.examples)
    }

    private static func decodePayload(_ r: inout BinaryReader) throws(SnapshotError) -> ModelState {
        var s = ModelState(parameters: try r.readCodable(ModelParameters.self))
        s.metadata = try r.readStringMap()
        s.eventsApplied = try r.read(); s.feedbackApplied = try r.read(); s.version = try r.read(); s.latestTime = try r.readDouble()

        let itemCount = try r.readCount(minimumBytesEach: 4)
        for index in 0..<itemCount {
            let id = try r.readString()
            guard s.items.intern(id) == Int32(index) else { throw SnapshotError(.corrupt, "item id \(id) appears twice") }
        }
        func checkItems(_ items: [Int32]) throws(SnapshotError) {
            for item in items where item < 0 || Int(item) >= itemCount { throw SnapshotError(.corrupt, "item index \(item) out of range 0..<\(itemCount)") }
        }

        let firstSerial: Int64 = try r.read()
        let chunkCount = try r.readCount(minimumBytesEach: 4)
        var chunks: [[SessionRecord]] = []
        var seenIds = Set<String>()
        for chunkIndex in 0..<chunkCount {
            let count = try r.readCount(minimumBytesEach: 24)
            guard count <= SessionIndex.chunkSize, count == SessionIndex.chunkSize || chunkIndex == chunkCount - 1 else {
                throw SnapshotError(.corrupt, "session chunk \(chunkIndex) has \(count) sessions")
            }
            var chunk: [SessionRecord] = []
            for _ in 0..<count {
                let record = SessionRecord(id: try r.readString(), items: try r.readInt32Array(), recentSequence: try r.readInt32Array(),
                                           purchased: try r.readInt32Array(), lastSeen: try r.readDouble())
                try checkItems(record.items); try checkItems(record.recentSequence); try checkItems(record.purchased)
                guard record.isEvicted || seenIds.insert(record.id).inserted else { throw SnapshotError(.corrupt, "session \(record.id) appears twice") }
                chunk.append(record)
            }
            chunks.append(chunk)
        }
        let sessionEnd = firstSerial + Int64(chunks.reduce(0) { $0 + $1.count })
        let postingCount = try r.readCount(minimumBytesEach: 4)
        guard postingCount <= itemCount else { throw SnapshotError(.corrupt, "more posting lists than items") }
        var postings = ChunkedArray<[SessionPosting]>(filler: [])
        for _ in 0..<postingCount {
            let count = try r.readCount(minimumBytesEach: 16)
            var list: [SessionPosting] = []
            list.reserveCapacity(count)
            for _ in 0..<count {
                let posting = SessionPosting(serial: try r.read(), time: try r.readDouble())
                guard posting.serial < sessionEnd else { throw SnapshotError(.corrupt, "posting refers to unknown session \(posting.serial)") }
                list.append(posting)
            }
            postings.append(list)
        }
        let withItem = try readInt32s(&r, limit: itemCount)
        s.sessions = SessionIndex(chunks: chunks, firstSerial: firstSerial, postings: postings, sessionsWithItem: ChunkedArray(filler: 0, elements: withItem))

        let transitions = try readWeights(&r, itemCount: itemCount)
        let transitionTotals = try readFloats(&r, limit: itemCount)
        let covisits = try readWeights(&r, itemCount: itemCount)
        let covisitTotals = try readFloats(&r, limit: itemCount)
        s.sequences = SequenceModel(
            transitions: ChunkedArray(filler: [:], elements: transitions), transitionTotals: ChunkedArray(filler: 0, elements: transitionTotals),
            covisits: ChunkedArray(filler: [:], elements: covisits), covisitTotals: ChunkedArray(filler: 0, elements: covisitTotals))

        let baskets = Int(try r.read(Int64.self))
        let basketsWithItem = try readInt32s(&r, limit: itemCount)
        let pairCount = try r.readCount(minimumBytesEach: 4)
        guard pairCount <= itemCount else { throw SnapshotError(.corrupt, "more pair tables than items") }
        var pairs: [[Int32: Int32]] = []
        for _ in 0..<pairCount {
            let count = try r.readCount(minimumBytesEach: 8)
            var map: [Int32: Int32] = [:]
            for _ in 0..<count {
                let key: Int32 = try r.read()
                try checkItems([key])
                map[key] = try r.read()
            }
            pairs.append(map)
        }
        s.association = AssociationRules(basketsWithItem: ChunkedArray(filler: 0, elements: basketsWithItem), pairs: ChunkedArray(filler: [:], elements: pairs), baskets: baskets)

        s.popularity = try readPopularity(&r, parameters: s.parameters, itemCount: itemCount)
        let regionCount = try r.readCount(minimumBytesEach: 12)
        for _ in 0..<regionCount {
            let region = try r.readString()
            s.regionalPopularity[region] = try readPopularity(&r, parameters: s.parameters, itemCount: itemCount)
        }

        let attributeCount = try r.readCount()
        guard attributeCount <= itemCount else { throw SnapshotError(.corrupt, "more attribute records than items") }
        for index in 0..<attributeCount where try r.readBool() {
            s.attributes.set(try r.readCodable(ItemAttributes.self), for: Int32(index), priceBands: s.parameters.priceBands)
        }

        let dimension = try r.readCount(minimumBytesEach: 16)
        guard dimension == FeatureEncoder.dimension else { throw SnapshotError(.corrupt, "ranker has \(dimension) weights, expected \(FeatureEncoder.dimension)") }
        var z: [Double] = [], n: [Double] = []
        for _ in 0..<dimension { z.append(try r.readDouble()) }
        for _ in 0..<dimension { n.append(try r.readDouble()) }
        s.ranker = FTRLRanker(z: z, n: n, positives: try r.read(), examples: try r.read())
        return s
    }

    // MARK: helpers

    private static func writeInt32s(_ values: [Int32], _ w: inout BinaryWriter) { w.write(values) }

    private static func readInt32s(_ r: inout BinaryReader, limit: Int) throws(SnapshotError) -> [Int32] {
        let values = try r.readInt32Array()
        guard values.count <= limit else { throw SnapshotError(.corrupt, "per-item table longer than the item list") }
        return values
    }

    private static func writeFloats(_ values: [Float], _ w: inout BinaryWriter) {
        w.write(UInt32(values.count))
        for value in values { w.write(value) }
    }

    private static func readFloats(_ r: inout BinaryReader, limit: Int) throws(SnapshotError) -> [Float] {
        let count = try r.readCount(minimumBytesEach: 4)
        guard count <= limit else { throw SnapshotError(.corrupt, "per-item table longer than the item list") }
        var values: [Float] = []
        for _ in 0..<count { values.append(try r.readFloat()) }
        return values
    }

    private static func writeWeights(_ maps: [[Int32: Float]], _ w: inout BinaryWriter) {
        w.write(UInt32(maps.count))
        for map in maps {
            w.write(UInt32(map.count))
            for key in map.keys.sorted() { w.write(key); w.write(map[key]!) }
        }
    }

    private static func readWeights(_ r: inout BinaryReader, itemCount: Int) throws(SnapshotError) -> [[Int32: Float]] {
        let count = try r.readCount(minimumBytesEach: 4)
        guard count <= itemCount else { throw SnapshotError(.corrupt, "per-item table longer than the item list") }
        var maps: [[Int32: Float]] = []
        maps.reserveCapacity(count)
        for _ in 0..<count {
            let entries = try r.readCount(minimumBytesEach: 8)
            var map: [Int32: Float] = [:]
            map.reserveCapacity(entries)
            for _ in 0..<entries {
                let key: Int32 = try r.read()
                guard key >= 0, Int(key) < itemCount else { throw SnapshotError(.corrupt, "item index \(key) out of range") }
                map[key] = try r.readFloat()
            }
            maps.append(map)
        }
        return maps
    }

    private static func writePopularity(_ p: DecayedPopularity, _ w: inout BinaryWriter) {
        let keys = p.keys.elements
        w.write(UInt32(keys.count))
        for key in keys { w.write(key) }
        w.write(p.top)
    }

    private static func readPopularity(_ r: inout BinaryReader, parameters: ModelParameters, itemCount: Int) throws(SnapshotError) -> DecayedPopularity {
        let count = try r.readCount(minimumBytesEach: 8)
        guard count <= itemCount else { throw SnapshotError(.corrupt, "popularity table longer than the item list") }
        var keys: [Double] = []
        for _ in 0..<count { keys.append(try r.readDouble()) }
        let top = try r.readInt32Array()
        for item in top where item < 0 || Int(item) >= count { throw SnapshotError(.corrupt, "popular item \(item) out of range") }
        return DecayedPopularity(halfLifeSeconds: parameters.popularityHalfLifeSeconds, capacity: parameters.popularCandidates,
                                 keys: ChunkedArray(filler: -Double.infinity, elements: keys), top: top)
    }
}
