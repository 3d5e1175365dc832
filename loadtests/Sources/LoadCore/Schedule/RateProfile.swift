/// How the arrival rate (per second) changes over the measured part of a run.
/// The warm-up runs at the profile's opening rate.
public enum RateProfile: Sendable, Equatable {
    /// The same rate throughout.
    case constant(Double)
    /// Each step holds its rate for its seconds; the last rate holds to the end.
    case steps([Step])
    /// A linear change from `from` to `to` over `seconds`, then `to` holds.
    case ramp(from: Double, to: Double, seconds: Double)

    public struct Step: Sendable, Equatable, Codable {
        public var rate: Double
        public var seconds: Double
        public init(rate: Double, seconds: Double) {
            self.rate = rate
            self.seconds = seconds
        }
    }

    /// The rate at `t` seconds after the end of the warm-up (negative `t` is the warm-up).
    public func rate(at t: Double) -> Double {
        switch self {
        case .constant(let rate):
            return rate
        case .steps(let steps):
            guard let first = steps.first else { return 0 }
            if t < 0 { return first.rate }
            var elapsed = 0.0
            for step in steps {
                elapsed += step.seconds
                if t < elapsed { return step.rate }
            }
            return steps.last?.rate ?? 0
        case .ramp(let from, let to, let seconds):
            if t <= 0 || seconds <= 0 { return t <= 0 ? from : to }
            if t >= seconds { return to }
            return from + (to - from) * (t / seconds)
        }
    }

    /// The highest rate the profile reaches, to size connection pools.
    public var peakRate: Double {
        switch self {
        case .constant(let rate): return rate
        case .steps(let steps): return steps.map(\.rate).max() ?? 0
        case .ramp(let from, let to, _): return max(from, to)
        }
    }

    /// Every rate must be finite and not negative; a ramp needs a positive rate somewhere.
    public func validate(field: String) throws(ScenarioError) {
        let rates: [Double]
        switch self {
        case .constant(let rate): rates = [rate]
        case .steps(let steps):
            if steps.isEmpty { throw ScenarioError(field: field, message: "steps must not be empty") }
            if steps.contains(where: { !($0.seconds > 0) }) {
                throw ScenarioError(field: field, message: "every step needs seconds > 0")
            }
            rates = steps.map(\.rate)
        case .ramp(let from, let to, let seconds):
            if seconds < 0 { throw ScenarioError(field: field, message: "ramp seconds must be >= 0") }
            rates = [from, to]
        }
        if rates.contains(where: { !$0.isFinite || $0 < 0 }) {
            throw ScenarioError(field: field, message: "rates must be finite and >= 0")
        }
        if peakRate <= 0 { throw ScenarioError(field: field, message: "the rate must be > 0 somewhere") }
    }
}

extension RateProfile: Codable {
    private enum CodingKeys: String, CodingKey { case type, rate, steps, from, to, seconds }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "constant":
            self = .constant(try container.decode(Double.self, forKey: .rate))
        case "steps":
            self = .steps(try container.decode([Step].self, forKey: .steps))
        case "ramp":
            self = .ramp(
                from: try container.decode(Double.self, forKey: .from),
                to: try container.decode(Double.self, forKey: .to),
                seconds: try container.decodeIfPresent(Double.self, forKey: .seconds) ?? 0
            )
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: container,
                debugDescription: "unknown rate type '\(type)'; use constant, steps or ramp"
            )
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .constant(let rate):
            try container.encode("constant", forKey: .type)
            try container.encode(rate, forKey: .rate)
        case .steps(let steps):
            try container.encode("steps", forKey: .type)
            try container.encode(steps, forKey: .steps)
        case .ramp(let from, let to, let seconds):
            try container.encode("ramp", forKey: .type)
            try container.encode(from, forKey: .from)
            try container.encode(to, forKey: .to)
            try container.encode(seconds, forKey: .seconds)
        }
    }
}
