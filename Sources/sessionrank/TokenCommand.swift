import ArgumentParser
import Foundation
import RecommendationServer
import SessionRankCore

/// `sessionrank token mint --session ID [--user ID] [--ttl SECONDS] [--kid KID]`
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Visitor token tools.", subcommands: [MintTokenCommand.self])
}

/// Mints a visitor token with a key from the configuration, as the storefront backend would:
/// for development, the README demo and tests by hand. Prints only the token.
struct MintTokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mint",
        abstract: "Print a visitor token (HS256 JWT) binding a session and, optionally, a user.",
        discussion: """
            The key comes from storefront.visitorTokenKeys or SESSIONRANK_STOREFRONT_VISITOR_TOKEN_KEYS
            (kid:secret,…); without --kid the first configured key signs.
            """)

    @OptionGroup var options: ConfigurationOptions
    @Option(help: "The session id the token binds (sid).") var session: String
    @Option(help: "The user id the token binds (sub); leave out for a visitor who is not logged in.") var user: String?
    @Option(help: "Lifetime in seconds; at most storefront.visitorTokenMaxLifetimeSeconds.") var ttl = 900
    @Option(help: "The kid of the key to sign with.") var kid: String?

    func validate() throws {
        for (name, value) in [("--session", session), ("--user", user)] {
            guard let value else { continue }
            guard (1...128).contains(value.utf8.count), value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "|") }) else {
                throw ValidationError("\(name) must be 1 to 128 printable ASCII characters without spaces or '|'")
            }
        }
    }

    func run() throws {
        let settings = try loadConfiguration(options).storefront
        guard (1...settings.visitorTokenMaxLifetimeSeconds).contains(ttl) else {
            throw ValidationError("--ttl must be from 1 to \(settings.visitorTokenMaxLifetimeSeconds) (storefront.visitorTokenMaxLifetimeSeconds)")
        }
        guard let first = settings.visitorTokenKeys.first else {
            throw ValidationError(
                "no visitor token key is configured: set storefront.visitorTokenKeys or SESSIONRANK_STOREFRONT_VISITOR_TOKEN_KEYS=kid:secret (32+ characters)")
        }
        let key = try kid.map { wanted in
            guard let key = settings.visitorTokenKeys.first(where: { $0.kid == wanted }) else {
                throw ValidationError("--kid \(wanted) is not configured; configured: \(settings.visitorTokenKeys.map(\.kid).joined(separator: ", "))")
            }
            return key
        } ?? first
        print(VisitorToken.mint(sessionId: session, userId: user, lifetimeSeconds: ttl, key: key))
    }
}
