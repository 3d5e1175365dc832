import Foundation

/// Little-endian binary writer for snapshots.
struct BinaryWriter {
    private(set) var bytes: [UInt8] = []

    mutating func write<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
    mutating func write(_ value: Double) { write(value.bitPattern) }
    mutating func write(_ value: Float) { write(value.bitPattern) }
    mutating func write(_ value: Bool) { write(UInt8(value ? 1 : 0)) }
    mutating func write(_ value: String) {
        let utf8 = Array(value.utf8)
        write(UInt32(utf8.count))
        bytes.append(contentsOf: utf8)
    }
    mutating func write(_ values: [Int32]) {
        write(UInt32(values.count))
        for value in values { write(value) }
    }
    mutating func write(_ map: [String: String]) {
        write(UInt32(map.count))
        for key in map.keys.sorted() { write(key); write(map[key]!) }
    }
    mutating func writeCodable<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        write(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}

/// Bounds-checked reader: every read throws `SnapshotError(.truncated)` instead of trapping.
struct BinaryReader {
    private let bytes: [UInt8]
    private(set) var position: Int

    init(_ bytes: [UInt8], position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    var isAtEnd: Bool { position == bytes.count }

    mutating func read<T: FixedWidthInteger>(_: T.Type = T.self) throws(SnapshotError) -> T {
        let size = MemoryLayout<T>.size
        guard bytes.count - position >= size else { throw SnapshotError(.truncated, "snapshot ends early at byte \(position)") }
        var value: T = 0
        for offset in 0..<size { value |= T(truncatingIfNeeded: bytes[position + offset]) << (8 * offset) }
        position += size
        return value
    }
    mutating func readDouble() throws(SnapshotError) -> Double { Double(bitPattern: try read(UInt64.self)) }
    mutating func readFloat() throws(SnapshotError) -> Float { Float(bitPattern: try read(UInt32.self)) }
    mutating func readBool() throws(SnapshotError) -> Bool { try read(UInt8.self) != 0 }

    /// A count that must fit in the remaining bytes at `minimumBytesEach` per element, so a
    /// corrupt count cannot make us allocate gigabytes.
    mutating func readCount(minimumBytesEach: Int = 1) throws(SnapshotError) -> Int {
        let count = Int(try read(UInt32.self))
        guard count * max(minimumBytesEach, 0) <= bytes.count - position else {
            throw SnapshotError(.corrupt, "element count \(count) at byte \(position) exceeds the snapshot size")
        }
        return count
    }
    mutating func readString() throws(SnapshotError) -> String {
        let count = try readCount()
        let slice = bytes[position..<(position + count)]
        position += count
        guard let string = String(validating: slice, as: UTF8.self) else { throw SnapshotError(.corrupt, "invalid UTF-8 at byte \(position - count)") }
        return string
    }
    mutating func readInt32Array() throws(SnapshotError) -> [Int32] {
        let count = try readCount(minimumBytesEach: 4)
        var values: [Int32] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try read(Int32.self)) }
        return values
    }
    mutating func readStringMap() throws(SnapshotError) -> [String: String] {
        let count = try readCount(minimumBytesEach: 8)
        var map: [String: String] = [:]
        for _ in 0..<count { let key = try readString(); map[key] = try readString() }
        return map
    }
    mutating func readCodable<T: Decodable>(_: T.Type) throws(SnapshotError) -> T {
        let json = try readString()
        do { return try JSONDecoder().decode(T.self, from: Data(json.utf8)) } catch {
            throw SnapshotError(.corrupt, "cannot decode \(T.self): \(error)")
        }
    }
}

/// CRC-32 (IEEE 802.3, as in zip/PNG), to detect corrupted snapshots.
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}
