extension ServiceConfiguration.PrivacySettings {
    /// Pseudonyms keyed with the secret anyone can read in the repository can be reversed by
    /// whoever guesses an id, so a deployment must set its own. The local stack's scripts
    /// (scripts/env.sh) declare development mode, where the shipped default is allowed.
    public func refuseDevelopmentSecret(environment: [String: String]) throws(ConfigurationError) {
        guard pseudonymSecret == ServiceConfiguration.PrivacySettings().pseudonymSecret else { return }
        let mode = environment["SESSIONRANK_DEVELOPMENT_MODE"]?.lowercased()
        guard mode != "true", mode != "1" else { return }
        throw ConfigurationError(
            field: "privacy.pseudonymSecret",
            """
            is the shipped development default, which anyone can read. Set a secret of your own (at least 16 characters) \
            in SESSIONRANK_PRIVACY_PSEUDONYM_SECRET or privacy.pseudonymSecret, e.g. \
            `export SESSIONRANK_PRIVACY_PSEUDONYM_SECRET=$(openssl rand -hex 32)`; for local development only, \
            SESSIONRANK_DEVELOPMENT_MODE=true allows the default
            """)
    }
}
