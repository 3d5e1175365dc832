import Foundation
import PostgresNIO
import SessionRankCore

/// The TLS settings of `PostgresConnectionSettings` as PostgresNIO takes them.
extension PostgresConnectionSettings {
    /// For the pool (`PostgresClient`).
    package func clientTLS() throws -> PostgresClient.Configuration.TLS {
        guard let configuration = try tlsConfiguration() else { return .disable }
        return tlsMode == .prefer ? .prefer(configuration) : .require(configuration)
    }

    /// For a dedicated connection (the profile change listener).
    package func connectionTLS() throws -> PostgresConnection.Configuration.TLS {
        guard let configuration = try tlsConfiguration() else { return .disable }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw ConfigurationError(field: "postgres.url", "cannot set up TLS: \(error)")
        }
        return tlsMode == .prefer ? .prefer(context) : .require(context)
    }

    private func tlsConfiguration() throws -> TLSConfiguration? {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch tlsMode {
        case .disable:
            return nil
        case .prefer:
            configuration.certificateVerification = .none
        case .require:
            // libpq: with a root certificate, require verifies like verify-ca.
            configuration.certificateVerification = rootCertificatePath == nil ? .none : .noHostnameVerification
        case .verifyCA:
            configuration.certificateVerification = .noHostnameVerification
        case .verifyFull:
            configuration.certificateVerification = .fullVerification
        }
        if let rootCertificatePath {
            guard FileManager.default.isReadableFile(atPath: rootCertificatePath) else {
                throw ConfigurationError(field: "postgres.url", "sslrootcert \(rootCertificatePath) cannot be read")
            }
            configuration.trustRoots = .file(rootCertificatePath)
        }
        return configuration
    }
}
