import Foundation
import Recommender
import Testing

@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore

/// `config/ranking.yaml` validation, one field type at a time: every refusal names the field's
/// path and says what is allowed, the same way for the base config, placements and variants.
@Suite("Ranking config validation")
struct RankingPolicyValidationTests {
    static func refusal(_ yaml: String) -> ConfigurationError? {
        do { _ = try RankingPolicy.parse(yaml: yaml); return nil } catch { return error }
    }

    struct Case: CustomStringConvertible {
        var yaml: String
        var field: String
        var message: String
        var description: String { yaml }
    }

    static let unknownKeys: [Case] = [
        Case(yaml: "engine:\n  weights:\n    knnn: 1\n", field: "engine.weights.knnn",
             message: "is not a known setting; known settings here are knn, transition, covisitation, association, popularity, regionalPopularity, interest, recent"),
        Case(yaml: "engine:\n  weight: {knn: 1}\n", field: "engine.weight",
             message: "is not a known setting; known settings here are candidates, weights, knn, sequence, association, ranker, exclusion"),
        Case(yaml: "engine:\n  ranker: {enable: false}\n", field: "engine.ranker.enable",
             message: "is not a known setting; known settings here are enabled, learningRate, beta, l1, l2, minFeedback"),
        Case(yaml: "engine:\n  candidates: {perSource: 10, minimum: 5}\n", field: "engine.candidates.minimum",
             message: "is not a known setting; known settings here are perSource, minimumReturned"),
        Case(yaml: "engine:\n  exclusion: {excludeViewed: true}\n", field: "engine.exclusion.excludeViewed",
             message: "is not a known setting; known settings here are excludePurchased, excludeInCart, excludeSeen, excludeCurrent"),
        Case(yaml: "rules:\n  maxPerCatgory: 3\n", field: "rules.maxPerCatgory",
             message: "is not a known setting; known settings here are boosts, pins, maxPerCategory, maxPerBrand, excludeItems, excludeCategories, explorationShare"),
        Case(yaml: "rules:\n  boosts:\n    - {category: books, factor: 1.2}\n    - {category: toys, factr: 2}\n", field: "rules.boosts[1].factr",
             message: "is not a known setting; known settings here are category, brand, item, priceBand, factor"),
        Case(yaml: "rules:\n  pins:\n    - {item: p-00001, position: 1, slot: 2}\n", field: "rules.pins[0].slot",
             message: "is not a known setting; known settings here are item, position"),
        Case(yaml: "rule:\n  maxPerBrand: 2\n", field: "rule",
             message: "is not a known section; known sections are engine, rules, placements, experiments"),
        // Overrides are checked like the base, and the error says where the override is.
        Case(yaml: "placements:\n  cart: {engine: {weights: {knnn: 1}}}\n", field: "placements.cart.engine.weights.knnn",
             message: "is not a known setting; known settings here are knn, transition, covisitation, association, popularity, regionalPopularity, interest, recent"),
        Case(yaml: "placements:\n  home: {engine: {knn: {samplesize: 100}}}\n", field: "placements.home.engine.knn.samplesize",
             message: "is not a known setting; known settings here are sampleSize, neighbours, sessionItems, idfWeight, matchDecay, positionDecay"),
        Case(yaml: "experiments:\n  e:\n    variants:\n      control: {share: 0.5}\n      b: {share: 0.5, engine: {ranker: {learningrate: 0.2}}}\n",
             field: "experiments.e.variants.b.engine.ranker.learningrate",
             message: "is not a known setting; known settings here are enabled, learningRate, beta, l1, l2, minFeedback"),
        Case(yaml: "experiments:\n  e:\n    variants:\n      control: {share: 1, rules: {boosts: [{brand: acme, factor: 2, weight: 1}]}}\n",
             field: "experiments.e.variants.control.rules.boosts[0].weight",
             message: "is not a known setting; known settings here are category, brand, item, priceBand, factor"),
    ]

    @Test("an unknown key inside engine or rules is refused with its path and the known settings", arguments: unknownKeys)
    func unknownKey(_ example: Case) throws {
        let error = try #require(Self.refusal(example.yaml))
        #expect(error.field == example.field)
        #expect(error.message == example.message)
    }

    static let wrongValues: [Case] = [
        // Sections and nested settings that must be mappings or lists.
        Case(yaml: "engine: [1]\n", field: "engine", message: "must be a mapping (key: value lines or {key: value})"),
        Case(yaml: "engine:\n  weights: 2\n", field: "engine.weights", message: "must be a mapping (key: value lines or {key: value})"),
        Case(yaml: "rules: 5\n", field: "rules", message: "must be a mapping (key: value lines or {key: value})"),
        Case(yaml: "rules:\n  boosts: {category: books, factor: 2}\n", field: "rules.boosts", message: "must be a list ([a, b] or - lines)"),
        Case(yaml: "rules:\n  excludeItems: {p-00001: true}\n", field: "rules.excludeItems", message: "must be a list ([a, b] or - lines)"),
        // Strings inside lists.
        Case(yaml: "rules:\n  excludeCategories: [[books]]\n", field: "rules.excludeCategories[0]", message: "must be a single value, not a list or mapping"),
        // Whole numbers: type, then range.
        Case(yaml: "engine:\n  candidates: {perSource: many}\n", field: "engine.candidates.perSource", message: "must be a whole number"),
        Case(yaml: "engine:\n  candidates: {perSource: 0}\n", field: "engine.candidates.perSource", message: "must be a whole number from 1 to 10000; got 0"),
        Case(yaml: "engine:\n  candidates: {minimumReturned: 5000}\n", field: "engine.candidates.minimumReturned",
             message: "must be a whole number from 0 to 1000; got 5000"),
        Case(yaml: "engine:\n  knn: {neighbours: -1}\n", field: "engine.knn.neighbours", message: "must be a whole number from 1 to 10000; got -1"),
        Case(yaml: "engine:\n  knn: {sampleSize: 0}\n", field: "engine.knn.sampleSize", message: "must be a whole number from 1 to 10000; got 0"),
        Case(yaml: "engine:\n  knn: {sessionItems: 5000}\n", field: "engine.knn.sessionItems", message: "must be a whole number from 0 to 1000 (0 = all); got 5000"),
        Case(yaml: "engine:\n  sequence: {sessionItems: 0}\n", field: "engine.sequence.sessionItems", message: "must be a whole number from 1 to 100; got 0"),
        Case(yaml: "engine:\n  association: {minSupport: 0}\n", field: "engine.association.minSupport", message: "must be a whole number from 1 to 1000000; got 0"),
        Case(yaml: "engine:\n  ranker: {minFeedback: -5}\n", field: "engine.ranker.minFeedback", message: "must be a whole number from 0 to 100000000; got -5"),
        Case(yaml: "rules:\n  maxPerCategory: six\n", field: "rules.maxPerCategory", message: "must be a whole number"),
        Case(yaml: "rules:\n  maxPerBrand: 0\n", field: "rules.maxPerBrand", message: "must be at least 1, or left out"),
        Case(yaml: "rules:\n  pins:\n    - {item: p-00001, position: 0}\n", field: "rules.pins[0].position", message: "must be from 1 to 100"),
        // Numbers: type, then range (NaN and infinity are out of every range).
        Case(yaml: "engine:\n  weights: {knn: heavy}\n", field: "engine.weights.knn", message: "must be a number"),
        Case(yaml: "engine:\n  weights: {knn: -0.5}\n", field: "engine.weights.knn", message: "must be a number from 0 to 100 (0 switches the source off); got -0.5"),
        Case(yaml: "engine:\n  weights: {interest: .nan}\n", field: "engine.weights.interest", message: "must be a number from 0 to 100 (0 switches the source off); got nan"),
        Case(yaml: "engine:\n  weights: {recent: .inf}\n", field: "engine.weights.recent", message: "must be a number from 0 to 100 (0 switches the source off); got inf"),
        Case(yaml: "engine:\n  knn: {positionDecay: 1.5}\n", field: "engine.knn.positionDecay", message: "must be a number from 0 to 1 (1 = off); got 1.5"),
        Case(yaml: "engine:\n  knn: {idfWeight: -1}\n", field: "engine.knn.idfWeight", message: "must be a number from 0 to 100; got -1.0"),
        Case(yaml: "engine:\n  knn: {matchDecay: 11}\n", field: "engine.knn.matchDecay", message: "must be a number from 0 to 10; got 11.0"),
        Case(yaml: "engine:\n  sequence: {recencyDecay: 2}\n", field: "engine.sequence.recencyDecay", message: "must be a number from 0 to 1; got 2.0"),
        Case(yaml: "engine:\n  association: {minConfidence: 1.5}\n", field: "engine.association.minConfidence", message: "must be a number from 0 to 1; got 1.5"),
        Case(yaml: "engine:\n  association: {minLift: -1}\n", field: "engine.association.minLift", message: "must be a number from 0 to 1000; got -1.0"),
        Case(yaml: "engine:\n  ranker: {learningRate: 0}\n", field: "engine.ranker.learningRate", message: "must be a number greater than 0 and at most 10; got 0.0"),
        Case(yaml: "engine:\n  ranker: {beta: -1}\n", field: "engine.ranker.beta", message: "must be a number from 0 to 100; got -1.0"),
        Case(yaml: "engine:\n  ranker: {l1: -0.1}\n", field: "engine.ranker.l1", message: "must be a number from 0 to 1000; got -0.1"),
        Case(yaml: "engine:\n  ranker: {l2: 2000}\n", field: "engine.ranker.l2", message: "must be a number from 0 to 1000; got 2000.0"),
        Case(yaml: "rules:\n  explorationShare: lots\n", field: "rules.explorationShare", message: "must be a number"),
        Case(yaml: "rules:\n  explorationShare: 0.9\n", field: "rules.explorationShare", message: "must be from 0 to 0.5"),
        Case(yaml: "rules:\n  boosts:\n    - {category: books, factor: 0}\n", field: "rules.boosts[0].factor", message: "must be greater than 0 and at most 100"),
        Case(yaml: "rules:\n  boosts:\n    - {category: books, factor: 101}\n", field: "rules.boosts[0].factor", message: "must be greater than 0 and at most 100"),
        // Booleans.
        Case(yaml: "engine:\n  ranker: {enabled: maybe}\n", field: "engine.ranker.enabled", message: "must be true or false"),
        Case(yaml: "engine:\n  exclusion: {excludeSeen: [true]}\n", field: "engine.exclusion.excludeSeen", message: "must be a single value, not a list or mapping"),
        // Required fields and choices.
        Case(yaml: "rules:\n  boosts:\n    - {category: books}\n", field: "rules.boosts[0].factor", message: "is required"),
        Case(yaml: "rules:\n  pins:\n    - {item: p-00001}\n", field: "rules.pins[0].position", message: "is required"),
        Case(yaml: "rules:\n  boosts:\n    - {factor: 2}\n", field: "rules.boosts[0]", message: "must name at least one of category, brand, item, priceBand"),
        Case(yaml: "rules:\n  boosts:\n    - {priceBand: cheap, factor: 0.5}\n", field: "rules.boosts[0].priceBand",
             message: "must be one of low, mid, high, premium; got \"cheap\""),
        // YAML syntax.
        Case(yaml: "rules: [unclosed\n", field: "<file>", message: "is not valid YAML"),
        // The same checks inside overrides, named where the override is.
        Case(yaml: "placements:\n  search: {engine: {weights: {knn: -1}}}\n", field: "placements.search.engine.weights.knn",
             message: "must be a number from 0 to 100 (0 switches the source off); got -1.0"),
        Case(yaml: "experiments:\n  e:\n    variants:\n      control: {share: 0.5}\n      b: {share: 0.5, engine: {ranker: {enabled: sometimes}}}\n",
             field: "experiments.e.variants.b.engine.ranker.enabled", message: "must be true or false"),
    ]

    @Test("a value of the wrong type or out of range is refused with its path and what is allowed", arguments: wrongValues)
    func wrongValue(_ example: Case) throws {
        let error = try #require(Self.refusal(example.yaml))
        #expect(error.field == example.field)
        #expect(error.message.hasPrefix(example.message), "\(error.message)")
    }

    @Test("every setting at the edges of its range is accepted, and every documented key is known")
    func edgesAccepted() throws {
        let lowest = """
            engine:
              candidates: {perSource: 1, minimumReturned: 0}
              weights: {knn: 0, transition: 0, covisitation: 0, association: 0, popularity: 0, regionalPopularity: 0, interest: 0, recent: 0}
              knn: {sampleSize: 1, neighbours: 1, sessionItems: 0, idfWeight: 0, matchDecay: 0, positionDecay: 0}
              sequence: {sessionItems: 1, recencyDecay: 0}
              association: {minSupport: 1, minConfidence: 0, minLift: 0}
              ranker: {enabled: false, learningRate: 0.0001, beta: 0, l1: 0, l2: 0, minFeedback: 0}
              exclusion: {excludePurchased: false, excludeInCart: false, excludeSeen: false, excludeCurrent: false}
            rules:
              boosts: [{category: books, brand: acme, item: p-00001, priceBand: low, factor: 0.01}]
              pins: [{item: p-00002, position: 1}]
              maxPerCategory: 1
              maxPerBrand: 1
              excludeItems: [p-00003]
              excludeCategories: [toys]
              explorationShare: 0
            """
        let highest = """
            engine:
              candidates: {perSource: 10000, minimumReturned: 1000}
              weights: {knn: 100, transition: 100, covisitation: 100, association: 100, popularity: 100, regionalPopularity: 100, interest: 100, recent: 100}
              knn: {sampleSize: 10000, neighbours: 10000, sessionItems: 1000, idfWeight: 100, matchDecay: 10, positionDecay: 1}
              sequence: {sessionItems: 100, recencyDecay: 1}
              association: {minSupport: 1000000, minConfidence: 1, minLift: 1000}
              ranker: {enabled: true, learningRate: 10, beta: 100, l1: 1000, l2: 1000, minFeedback: 100000000}
            rules:
              boosts: [{priceBand: premium, factor: 100}]
              pins: [{item: p-00002, position: 100}]
              explorationShare: 0.5
            """
        let low = try RankingPolicy.parse(yaml: lowest)
        #expect(low.engine.knn.sessionItems == 0 && low.engine.ranker.enabled == false && low.engine.exclusion.excludeCurrent == false)
        #expect(low.rules.boosts.first?.match == ItemMatch(category: "books", brand: "acme", item: "p-00001", priceBand: "low"))
        let high = try RankingPolicy.parse(yaml: highest)
        #expect(high.engine.candidates.perSource == 10_000 && high.engine.ranker.learningRate == 10 && high.rules.explorationShare == 0.5)
        #expect(RankingConfig.default.validationErrors().isEmpty)
    }

    /// The dotted paths of every setting inside decoded JSON.
    static func paths(json value: Any, prefix: String = "") -> Set<String> {
        guard let object = value as? [String: Any] else { return [prefix] }
        return object.reduce(into: Set<String>()) { paths, entry in
            paths.formUnion(Self.paths(json: entry.value, prefix: prefix.isEmpty ? entry.key : "\(prefix).\(entry.key)"))
        }
    }

    static func paths(shape: RankingSchema.Shape, prefix: String = "") -> Set<String> {
        guard case .fields(let fields) = shape else { return [prefix] }
        return fields.reduce(into: Set<String>()) { paths, field in
            paths.formUnion(Self.paths(shape: field.shape, prefix: prefix.isEmpty ? field.name : "\(prefix).\(field.name)"))
        }
    }

    @Test("the engine keys the schema knows are exactly the settings RankingConfig has")
    func schemaMatchesEngine() throws {
        // RankingConfig writes every setting it has (none is optional), so its encoding lists them all.
        let encoded = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(RankingConfig.default))
        #expect(Self.paths(shape: RankingSchema.engine) == Self.paths(json: encoded))
        #expect(Self.paths(shape: RankingSchema.engine).count == 31)
    }
}
