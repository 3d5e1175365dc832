import Foundation
import Testing
@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore

/// The consent rules fail closed: what is not known counts as no.
@Suite("Consent rules")
struct ConsentRuleTests {
    static func profile(_ id: String, personalization: Bool?, analytics: Bool?) -> UserProfile {
        UserProfile(userId: id, birthDate: nil, region: nil, kycStatus: "verified", riskFlags: [], segment: nil,
                    consentPersonalization: personalization, consentAnalytics: analytics)
    }

    @Test func anonymousSessionsFollowTheStorefrontsCookieConsent() {
        #expect(Consent.allowsPersonalization(status: .notNeeded, userId: nil, profile: nil))
        #expect(Consent.allowsAnalytics(status: .notNeeded, userId: nil, profile: nil))
        // A request row without a user, found in time: still anonymous.
        #expect(Consent.allowsPersonalization(status: .complete, userId: nil, profile: nil))
    }

    @Test(arguments: [EnrichedEvent.Status.timedOut, .failed])
    func anUnfinishedLookUpIsNotPersonalised(status: EnrichedEvent.Status) {
        // A requestId whose row never came back: the user is unknown, so no consent is known.
        #expect(!Consent.allowsPersonalization(status: status, userId: nil, profile: nil))
        #expect(!Consent.allowsAnalytics(status: status, userId: nil, profile: nil))
        // Even a cached yes does not count while this call's look-up failed.
        let yes = Self.profile("u-1", personalization: true, analytics: true)
        #expect(!Consent.allowsPersonalization(status: status, userId: "u-1", profile: yes))
    }

    @Test func aKnownUserNeedsAnExplicitYesOfTheirOwn() {
        #expect(Consent.allowsPersonalization(status: .complete, userId: "u-1", profile: Self.profile("u-1", personalization: true, analytics: nil)))
        #expect(!Consent.allowsAnalytics(status: .complete, userId: "u-1", profile: Self.profile("u-1", personalization: true, analytics: nil)))
        #expect(!Consent.allowsPersonalization(status: .complete, userId: "u-1", profile: Self.profile("u-1", personalization: nil, analytics: true)))
        #expect(!Consent.allowsPersonalization(status: .complete, userId: "u-1", profile: nil))
        // Another user's profile never stands in.
        #expect(!Consent.allowsPersonalization(status: .complete, userId: "u-1", profile: Self.profile("u-2", personalization: true, analytics: true)))
    }

    @Test func aRecordOfAnUnfinishedLookUpCarriesNoRequestOrProfileFields() {
        let event = StorefrontEvent(
            eventId: "e-1", type: .productView, sessionId: "s-1", userId: nil, requestId: "r-1", itemId: "p-1",
            timestamp: 1_800_000_000, context: EventContext(region: "NL", referrer: "https://example.com/"))
        let enriched = EnrichedEvent(event: event, status: .timedOut, userId: nil)
        let record = EventRecord(enriched, personalized: enriched.mayPersonalize, receivedAt: 1_800_000_000, pseudonymizer: Pseudonymizer(secret: "test-secret"))
        #expect(!record.personalized && record.analytics == false)
        #expect(record.requestId == nil && record.context.referrer == nil)
        #expect(record.sessionId != "s-1" && record.sessionId.hasPrefix("p_"))
    }
}
