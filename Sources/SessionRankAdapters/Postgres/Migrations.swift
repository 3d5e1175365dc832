import SessionRankCore

/// One versioned schema change. Statements run in order inside one transaction.
struct Migration: Sendable {
    let version: Int
    let name: String
    let statements: [String]
}

/// The schema, in order. Never edit a migration that has shipped: add a new one.
/// docs/ARCHITECTURE.md describes the tables.
enum Migrations {
    static let all: [Migration] = [
        Migration(
            version: 1,
            name: "catalog, users and backend requests",
            statements: [
                """
                CREATE TABLE products (
                    id              text PRIMARY KEY,
                    title           text NOT NULL,
                    category        text NOT NULL,
                    brand           text NOT NULL,
                    price           numeric(12, 2) NOT NULL CHECK (price >= 0),
                    currency        char(3) NOT NULL DEFAULT 'EUR',
                    in_stock        boolean NOT NULL DEFAULT true,
                    for_sale        boolean NOT NULL DEFAULT true,
                    min_age         smallint NOT NULL DEFAULT 0 CHECK (min_age BETWEEN 0 AND 99),
                    allowed_regions text[],
                    blocked_regions text[] NOT NULL DEFAULT '{}',
                    requires_kyc    boolean NOT NULL DEFAULT false,
                    risk_level      smallint NOT NULL DEFAULT 0 CHECK (risk_level BETWEEN 0 AND 3),
                    disclosure      text,
                    updated_at      timestamptz NOT NULL DEFAULT now()
                )
                """,
                "CREATE INDEX products_category_idx ON products (category)",
                """
                CREATE TABLE users (
                    id                      text PRIMARY KEY,
                    birth_date              date,
                    region                  text,
                    kyc_status              text NOT NULL DEFAULT 'unknown'
                                            CHECK (kyc_status IN ('unknown', 'pending', 'verified', 'rejected')),
                    risk_flags              text[] NOT NULL DEFAULT '{}',
                    segment                 text,
                    consent_personalization boolean,
                    consent_analytics       boolean,
                    consent_updated_at      timestamptz,
                    created_at              timestamptz NOT NULL DEFAULT now()
                )
                """,
                """
                CREATE TABLE backend_requests (
                    request_id text PRIMARY KEY,
                    user_id    text,
                    session_id text,
                    channel    text,
                    device     text,
                    page       text,
                    campaign   text,
                    region     text,
                    created_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                "CREATE INDEX backend_requests_user_idx ON backend_requests (user_id)",
                "CREATE INDEX backend_requests_created_idx ON backend_requests (created_at)",
            ]
        ),
        Migration(
            version: 2,
            name: "ranking config versions and audit",
            statements: [
                """
                CREATE TABLE ranking_config_versions (
                    version    bigserial PRIMARY KEY,
                    yaml       text NOT NULL,
                    digest     text NOT NULL,
                    author     text NOT NULL,
                    comment    text NOT NULL DEFAULT '',
                    source     text,
                    created_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                """
                CREATE TABLE ranking_config_audit (
                    id      bigserial PRIMARY KEY,
                    at      timestamptz NOT NULL DEFAULT now(),
                    actor   text NOT NULL,
                    action  text NOT NULL,
                    version bigint,
                    detail  text NOT NULL DEFAULT ''
                )
                """,
                "CREATE INDEX ranking_config_audit_at_idx ON ranking_config_audit (at)",
            ]
        ),
    ]
}
