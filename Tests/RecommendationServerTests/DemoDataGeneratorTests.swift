import Testing

@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore
@testable import sessionrank

@Suite("Demo data generator")
struct DemoDataGeneratorTests {
    let generator = DemoDataGenerator(productCount: 5_000)
    let people = DemoPeopleGenerator(userCount: 2_000, requestCount: 3_000)

    @Test("the same arguments give the same rows")
    func deterministic() {
        let other = DemoDataGenerator(productCount: 5_000)
        let otherPeople = DemoPeopleGenerator(userCount: 2_000, requestCount: 3_000)
        #expect(generator.products() == other.products())
        #expect(people.users() == otherPeople.users())
        #expect(people.requests(users: people.users()) == otherPeople.requests(users: otherPeople.users()))
    }

    @Test("a product is derived from its id alone")
    func productFromId() {
        #expect(DemoDataGenerator.product(id: "14957") == DemoDataGenerator.product(id: "14957"))
        #expect(DemoDataGenerator.product(id: "14957") != DemoDataGenerator.product(id: "14958"))
        #expect(generator.products()[41] == DemoDataGenerator.product(id: "p-00042"))
    }

    @Test("restricted products are a few percent of the catalog, each kind present")
    func restrictedShare() {
        let products = generator.products()
        let share = { (predicate: (CatalogProduct) -> Bool) in Double(products.filter(predicate).count) / Double(products.count) }
        let ageRestricted = share { $0.minAge > 0 }
        let regionLimited = share { $0.allowedRegions != nil || !$0.blockedRegions.isEmpty }
        let kyc = share { $0.requiresKYC }
        let highRisk = share { $0.riskLevel >= 2 }
        #expect((0.03...0.12).contains(ageRestricted), "age-restricted share \(ageRestricted)")
        #expect((0.01...0.10).contains(regionLimited), "region-limited share \(regionLimited)")
        #expect((0.002...0.03).contains(kyc), "KYC share \(kyc)")
        #expect((0.005...0.04).contains(highRisk), "high-risk share \(highRisk)")
        #expect(products.allSatisfy { $0.price > 0 && $0.price.isFinite })
        #expect(Set(products.map(\.id)).count == products.count)
    }

    @Test("the named demo users exist with the attributes the README relies on")
    func namedUsers() throws {
        let users = people.users()
        let minor = try #require(users.first { $0.id == "demo-minor" })
        let adult = try #require(users.first { $0.id == "demo-adult" })
        #expect(minor.birthDate! > "2009-01-01")
        #expect(adult.kycStatus == "verified")
        #expect(users.count == 2_000 + DemoPeopleGenerator.namedUsers.count)
        let minors = users.filter { ($0.birthDate ?? "0") > "2008-11-23" }.count
        #expect(minors > 50, "some generated users are minors")
    }

    @Test("requests point at generated users or none")
    func requests() {
        let users = people.users()
        let ids = Set(users.map(\.id))
        let requests = people.requests(users: users)
        #expect(requests.count == 3_000)
        #expect(requests.allSatisfy { $0.userId == nil || ids.contains($0.userId!) })
        #expect(requests.contains { $0.campaign != nil })
    }
}
