import Foundation

/// Splits a request body into valid events and rejections. A body is one event object,
/// an array of events, or `{"events": [...]}`. Good events of a batch survive bad neighbours.
public struct EventBatchDecoder: Sendable {
    public struct Outcome: Sendable {
        /// Valid events with their index in the request.
        public var accepted: [(index: Int, event: StorefrontEvent)]
        public var rejected: [EventRejection]
    }

    public let validator: EventValidator

    public init(limits: EventLimits = EventLimits()) {
        self.validator = EventValidator(limits: limits)
    }

    public func decode(_ body: Data, now: Double) throws(APIError) -> Outcome {
        let root: JSONValue
        do {
            root = try JSONParser.parse(body)
        } catch {
            throw APIError.invalidJSON(error)
        }
        let items: [JSONValue]
        switch root {
        case .array(let array):
            items = array
        case .object(let fields) where fields["events"] != nil:
            if let extra = fields.keys.sorted().first(where: { $0 != "events" }) {
                throw APIError(status: .badRequest, code: "unknown_field", field: extra,
                               message: "is not a known field of a batch; a batch is {\"events\": [...]}")
            }
            guard case .array(let array) = fields["events"]! else {
                throw APIError(status: .badRequest, code: "invalid_field", field: "events", message: "must be an array of events")
            }
            items = array
        case .object:
            items = [root]
        default:
            throw APIError(status: .badRequest, code: "invalid_body", field: "<body>",
                           message: "must be an event object, an array of events, or {\"events\": [...]}; got \(root.kind)")
        }
        guard !items.isEmpty else {
            throw APIError(status: .badRequest, code: "empty_batch", field: "events", message: "must hold at least one event")
        }
        // A count limit is a 400 like `exclude`'s; 413 is kept for the byte limit.
        guard items.count <= validator.limits.maxBatchSize else {
            throw APIError(status: .badRequest, code: "batch_too_large", field: "events",
                           message: "must hold at most \(validator.limits.maxBatchSize) events; got \(items.count)")
        }
        var outcome = Outcome(accepted: [], rejected: [])
        var seenIds = Set<String>()
        for (index, item) in items.enumerated() {
            switch validator.validate(item, now: now) {
            case .success(let event):
                // A repeated id inside one batch is a client bug; the first one wins.
                guard seenIds.insert(event.eventId).inserted else {
                    outcome.rejected.append(EventRejection(index: index, field: "eventId", message: "repeats an earlier event of this batch"))
                    continue
                }
                outcome.accepted.append((index, event))
            case .failure(let error):
                outcome.rejected.append(EventRejection(index: index, field: error.field, message: error.message))
            }
        }
        return outcome
    }
}
