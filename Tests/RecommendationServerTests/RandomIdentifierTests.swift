import Foundation
import Testing

@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore

struct RandomIdentifierTests {
    @Test("random identifiers are lowercase version-4 UUIDs that Foundation reads back, and differ")
    func versionFourUUIDs() throws {
        var seen = Set<String>()
        for _ in 0..<1_000 {
            let text = RandomIdentifier.uuidString()
            let uuid = try #require(UUID(uuidString: text), "\(text)")
            #expect(uuid.uuidString.lowercased() == text)
            let bytes = uuid.uuid
            #expect(bytes.6 >> 4 == 4, "version nibble of \(text)")
            #expect(bytes.8 >> 6 == 0b10, "variant bits of \(text)")
            seen.insert(text)
        }
        #expect(seen.count == 1_000)
    }
}
