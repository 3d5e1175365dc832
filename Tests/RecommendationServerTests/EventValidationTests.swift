import Foundation
import Testing

@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore

@Suite("Event validation")
struct EventValidationTests {
    let now = 1_795_000_000.0  // 2026-11-18T…Z
    let decoder = EventBatchDecoder()

    func decode(_ json: String) throws -> EventBatchDecoder.Outcome {
        try decoder.decode(Data(json.utf8), now: now)
    }

    func rejection(_ event: String) throws -> EventRejection {
        let outcome = try decode(event)
        #expect(outcome.accepted.isEmpty)
        return try #require(outcome.rejected.first)
    }

    @Test("a full event is accepted with every field carried over")
    func fullEvent() throws {
        let outcome = try decode(
            """
            {"eventId":"e-1","type":"product_view","sessionId":"s-1","deviceId":"d-1","userId":"u-1","requestId":"r-1",
             "itemId":"p-00001","recommendationId":"rec-1","position":3,"timestamp":"2026-11-18T09:00:00Z",
             "dwellMs":4500,"scrollDepth":0.5,"query":"running shoes",
             "context":{"page":"product","device":"mobile","region":"NL","entryPoint":"search","referrer":"https://example.com/"}}
            """)
        let event = try #require(outcome.accepted.first?.event)
        #expect(outcome.rejected.isEmpty)
        #expect(event.type == .productView)
        #expect(event.itemId == "p-00001")
        #expect(event.position == 3)
        #expect(event.dwellMilliseconds == 4_500)
        #expect(event.scrollDepth == 0.5)
        #expect(event.context.region == "NL")
        #expect(event.timestamp == 1_794_992_400)
    }

    @Test("a missing timestamp means the receive time; offsets and fractions parse")
    func timestamps() throws {
        let withoutTime = try decode(#"{"eventId":"e","type":"page_view","sessionId":"s"}"#)
        #expect(withoutTime.accepted.first?.event.timestamp == now)
        let offset = try decode(#"{"eventId":"e","type":"page_view","sessionId":"s","timestamp":"2026-11-18T10:00:00.250+01:00"}"#)
        #expect(offset.accepted.first?.event.timestamp == 1_794_992_400.25)
    }

    @Test(
        "each bad field is named, with what is allowed",
        arguments: [
            (#"{"type":"click","sessionId":"s","itemId":"i"}"#, "eventId", "required"),
            (#"{"eventId":"e","type":"hover","sessionId":"s"}"#, "type", "must be one of page_view"),
            (#"{"eventId":"e","type":"click","sessionId":"s"}"#, "itemId", "required for events of type click"),
            (#"{"eventId":"e","type":"page_view","sessionId":"s with space"}"#, "sessionId", "printable ASCII"),
            (#"{"eventId":"e|1","type":"page_view","sessionId":"s"}"#, "eventId", "'|'"),
            (#"{"eventId":"e","type":"page_view","sessionId":"s\u0001"}"#, "sessionId", "control characters"),
            (#"{"eventId":"e","type":"page_view","sessionId":7}"#, "sessionId", "must be a string; got a number"),
            (#"{"eventId":"e","type":"page_view","sessionId":"s","scrollDepth":1.5}"#, "scrollDepth", "from 0 to 1"),
            (#"{"eventId":"e","type":"page_view","sessionId":"s","dwellMs":-1}"#, "dwellMs", "from 0 to"),
            (#"{"eventId":"e","type":"page_view","sessionId":"s","dwellMs":1.5}"#, "dwellMs", "whole number"),
            (#"{"eventId":"e","type":"click","sessionId":"s","itemId":"i","position":2}"#, "recommendationId", "required when position"),
            (#"{"eventId":"e","type":"page_view","sessionId":"s","timestamp":"yesterday"}"#, "timestamp", "RFC 3339"),
            (#"{"eventId":"e","type":"page_view","sessionId":"s","timestamp":"2027-01-01T00:00:00Z"}"#, "timestamp", "in the future"),
            (#"{"eventId":"e","type":"page_view","sessionId":"s","timestamp":"2020-01-01T00:00:00Z"}"#, "timestamp", "in the past"),
            (#"{"eventId":"e","type":"page_view","sessionId":"s","colour":"red"}"#, "colour", "not a known field"),
            (#"{"eventId":"e","type":"page_view","sessionId":"s","context":{"region":"netherlands"}}"#, "context.region", "ISO 3166"),
            (#"{"eventId":"e","type":"page_view","sessionId":"s","context":{"mood":"happy"}}"#, "context.mood", "not a known field"),
            (#"{"eventId":"e","type":"page_view","sessionId":"s","context":[]}"#, "context", "must be an object"),
            (#"{"eventId":"","type":"page_view","sessionId":"s"}"#, "eventId", "must not be empty"),
        ]
    )
    func rejectsBadFields(json: String, field: String, fragment: String) throws {
        let rejection = try rejection(json)
        #expect(rejection.field == field)
        #expect(rejection.message.contains(fragment), "message was: \(rejection.message)")
    }

    @Test("an over-long id is refused with the limit")
    func longIds() throws {
        let id = String(repeating: "x", count: 129)
        let rejection = try rejection(#"{"eventId":"\#(id)","type":"page_view","sessionId":"s"}"#)
        #expect(rejection.field == "eventId")
        #expect(rejection.message.contains("at most 128"))
    }

    @Test("in a batch, good events are accepted and bad ones reported by index")
    func mixedBatch() throws {
        let outcome = try decode(
            """
            {"events":[
              {"eventId":"a","type":"page_view","sessionId":"s"},
              {"eventId":"b","type":"click","sessionId":"s"},
              {"eventId":"c","type":"click","sessionId":"s","itemId":"p"},
              {"eventId":"a","type":"page_view","sessionId":"s"},
              "not an event"
            ]}
            """)
        #expect(outcome.accepted.map(\.index) == [0, 2])
        #expect(outcome.rejected.map(\.index) == [1, 3, 4])
        #expect(outcome.rejected.map(\.field) == ["itemId", "eventId", "<event>"])
    }

    @Test(
        "a bad body as a whole is one 4xx error naming the problem",
        arguments: [
            ("{not json", 400, "invalid_json", "<body>"),
            ("[]", 400, "empty_batch", "events"),
            ("42", 400, "invalid_body", "<body>"),
            (#"{"events":{}}"#, 400, "invalid_field", "events"),
            (#"{"events":[],"extra":1}"#, 400, "unknown_field", "extra"),
        ]
    )
    func badBodies(body: String, status: Int, code: String, field: String) throws {
        let error = try #require(throws: APIError.self) { try decoder.decode(Data(body.utf8), now: now) }
        #expect(error.status.code == status)
        #expect(error.code == code)
        #expect(error.field == field)
    }

    @Test("invalid UTF-8 and oversize batches are refused")
    func invalidBytesAndHugeBatches() throws {
        let invalid = Data([0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D])
        let utf8Error = try #require(throws: APIError.self) { try decoder.decode(invalid, now: now) }
        #expect(utf8Error.code == "invalid_json")
        let events = (0..<501).map { #"{"eventId":"e\#($0)","type":"page_view","sessionId":"s"}"# }.joined(separator: ",")
        let sizeError = try #require(throws: APIError.self) { try decoder.decode(Data("[\(events)]".utf8), now: now) }
        #expect(sizeError.status.code == 400)
        #expect(sizeError.code == "batch_too_large")
        #expect(sizeError.message.contains("at most 500"))
    }
}
