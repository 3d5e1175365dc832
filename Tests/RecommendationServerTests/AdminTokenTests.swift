import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore

@Suite("Admin tokens and roles")
struct AdminTokenTests {
    @Test("tokens come from admin.tokens and SESSIONRANK_ADMIN_TOKENS, and add up")
    func parse() throws {
        let configuration = try ServiceConfiguration.parse(
            yaml: "admin:\n  tokens:\n    - {name: alice, role: editor, token: alice-token-0123456789}\n",
            environment: ["SESSIONRANK_ADMIN_TOKENS": "bob:viewer:bob-token-0123456789abc, carol:editor:carol:token-with-colon, dpo:privacy:dpo-token-0123456789"])
        #expect(configuration.admin.tokens.map(\.name) == ["alice", "bob", "carol", "dpo"])
        #expect(configuration.admin.tokens.map(\.role) == [.editor, .viewer, .editor, .privacy])
        #expect(configuration.admin.tokens[2].token == "carol:token-with-colon")
        // Printing the configuration never shows a secret.
        #expect(!"\(configuration)".contains("alice-token"))
    }

    @Test("bad tokens are refused at start, naming the field")
    func invalid() {
        #expect(throws: ConfigurationError(field: "admin.tokens[0].role", "must be one of viewer, editor, privacy, storefront; got \"root\"")) {
            try ServiceConfiguration.parse(yaml: "admin:\n  tokens:\n    - {name: a, role: root, token: a-token-0123456789}\n")
        }
        #expect(throws: ConfigurationError(field: "admin.tokens[0].token", "must be at least 16 printable characters without spaces")) {
            try ServiceConfiguration.parse(yaml: "admin:\n  tokens:\n    - {name: a, role: viewer, token: short}\n")
        }
        #expect(throws: ConfigurationError(field: "SESSIONRANK_ADMIN_TOKENS[0]", "must be name:role:token")) {
            try ServiceConfiguration.parse(yaml: "", environment: ["SESSIONRANK_ADMIN_TOKENS": "just-a-token-0123456789"])
        }
        #expect(throws: ConfigurationError.self) {
            try ServiceConfiguration.parse(yaml: "admin:\n  tokens:\n    - {name: a, role: viewer, token: a-token-0123456789, extra: 1}\n")
        }
    }

    @Test("the log handler drops authorization and token metadata")
    func redaction() {
        #expect(LogRedaction.isSensitive("authorization"))
        #expect(LogRedaction.isSensitive("adminToken"))
    }

    @Test("roles: an editor may do what a viewer may; privacy is apart from both")
    func roles() {
        #expect(AdminRole.editor.allows(.viewer) && AdminRole.editor.allows(.editor))
        #expect(AdminRole.viewer.allows(.viewer) && !AdminRole.viewer.allows(.editor))
        #expect(AdminRole.privacy.allows(.privacy))
        #expect(!AdminRole.privacy.allows(.viewer) && !AdminRole.privacy.allows(.editor))
        #expect(!AdminRole.editor.allows(.privacy) && !AdminRole.viewer.allows(.privacy))
    }
}

/// The admin API on the real PostgreSQL. The config table is shared by every suite that runs at
/// the same time, so every config stored here ranks exactly like the shipped file (its text plus
/// a comment line), and each test reads the current version instead of assuming one.
