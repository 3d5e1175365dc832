import Compliance
import Foundation

/// Adapts the compliance rules to what the server knows: the catalog row and the visitor's
/// profile. An item missing from the catalog is withheld: its restrictions are unknown.
public struct ComplianceGate: Sendable {
    public let rules: ComplianceRules

    public init(rules: ComplianceRules) { self.rules = rules }

    /// Reads and validates `path`; a missing file means product-level rules only.
    public static func load(path: String) throws -> ComplianceGate {
        guard FileManager.default.fileExists(atPath: path) else { return ComplianceGate(rules: .empty) }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ConfigurationError(field: "recommend.compliancePath", "cannot read \(path): \(error.localizedDescription)")
        }
        do {
            return ComplianceGate(rules: try ComplianceRules.parse(yaml: text))
        } catch {
            throw ConfigurationError(field: "\(path)", "\(error)")
        }
    }

    public enum Verdict: Sendable, Equatable {
        case allowed(disclosure: String?)
        case withheld(rule: String)
    }

    /// Per request: the visitor's attributes are worked out once.
    public struct Context: Sendable {
        let evaluator: ComplianceContext

        public func check(_ product: ScreenedProduct?) -> Verdict {
            guard let product else { return .withheld(rule: "unknown_product") }
            switch evaluator.evaluate(product.attributes) {
            case .allowed(let disclosure): return .allowed(disclosure: disclosure)
            case .withheld(let rule): return .withheld(rule: rule.id)
            }
        }
    }

    /// `profile` nil with a `userId`: the user is known to exist but could not be read, so every
    /// user attribute is unknown and rules that need one fail closed.
    public func context(profile: UserProfile?, userId: String?, region: String?, now: Date) -> Context {
        var visitor = ComplianceVisitor.anonymous()
        if let profile {
            visitor = ComplianceVisitor(
                birthDate: profile.birthDate, region: profile.region, kycStatus: KYCStatus(parsing: profile.kycStatus),
                riskFlags: profile.riskFlags, consentPersonalization: profile.consentPersonalization)
        }
        // The page's region decides what may be sold there; the profile's is the fallback.
        if let region { visitor.region = region }
        return Context(evaluator: ComplianceContext(rules: rules, visitor: visitor, now: now))
    }
}

/// Compliance's view of one catalogue product, built once per catalogue load and shared by
/// reference, so screening a candidate costs one look-up and no copy of the row.
public final class ScreenedProduct: Sendable {
    public let attributes: ComplianceProduct

    public init(_ product: CatalogProduct) { attributes = product.compliance }
}
