import Compliance

/// What a product category looks like in the demo catalog: brands, nouns for titles, prices,
/// and the restrictions its products carry. Restricted categories are a few percent of the catalog.
struct DemoCategory: Sendable {
    let name: String
    let share: Double
    let brands: [String]
    let nouns: [String]
    let priceRange: ClosedRange<Double>
    var restrictions = ComplianceRestrictions()
}

package enum DemoCatalogProfile {
    package static let regions = ["NL", "BE", "DE", "FR", "GB", "SE"]

    static let categories: [DemoCategory] = [
        DemoCategory(name: "electronics", share: 16, brands: ["Voltra", "Nordtek", "Pixelon", "Sonique"],
                     nouns: ["headphones", "speaker", "tablet", "smartwatch", "charger", "camera", "monitor"],
                     priceRange: 15...1_400),
        DemoCategory(name: "books", share: 14, brands: ["Pageturn", "Inkwell", "Northwind Press"],
                     nouns: ["novel", "cookbook", "atlas", "biography", "thriller", "poetry collection"],
                     priceRange: 5...60),
        DemoCategory(name: "toys", share: 10, brands: ["Playmoor", "Brickly", "Tinytown"],
                     nouns: ["building set", "puzzle", "doll", "board game", "train set"],
                     priceRange: 5...120),
        DemoCategory(name: "fashion", share: 14, brands: ["Loomwear", "Urbanthread", "Velora"],
                     nouns: ["jacket", "sweater", "sneakers", "scarf", "jeans", "dress"],
                     priceRange: 10...250),
        DemoCategory(name: "home", share: 12, brands: ["Hearthly", "Nestwood", "Casamia"],
                     nouns: ["lamp", "rug", "kettle", "cushion", "frying pan", "bookshelf"],
                     priceRange: 8...600),
        DemoCategory(name: "beauty", share: 8, brands: ["Glowe", "Purely", "Aurelle"],
                     nouns: ["serum", "shampoo", "lip balm", "face mask", "perfume"],
                     priceRange: 4...90),
        DemoCategory(name: "sports", share: 10, brands: ["Stridex", "Peakline", "Aquaforma"],
                     nouns: ["running shoes", "yoga mat", "bike helmet", "tent", "dumbbells"],
                     priceRange: 10...400),
        DemoCategory(name: "grocery", share: 8, brands: ["Fieldfresh", "Daybreak"],
                     nouns: ["coffee beans", "olive oil", "granola", "tea", "chocolate"],
                     priceRange: 1...25),
        // Restricted categories, together about eight percent of the catalog.
        DemoCategory(name: "wine_spirits", share: 2.5, brands: ["Vinoteca", "Highland Cask"],
                     nouns: ["red wine", "single malt", "gin", "champagne"],
                     priceRange: 8...180, restrictions: .init(minAge: 18, blockedRegions: ["SE"],
                     disclosure: "18+. Enjoy responsibly.")),
        DemoCategory(name: "gaming", share: 2.5, brands: ["Arcadium", "Pixelforge"],
                     nouns: ["shooter game", "horror game", "strategy game"],
                     priceRange: 20...80, restrictions: .init(minAge: 16, riskLevel: 1)),
        DemoCategory(name: "vaping", share: 1, brands: ["Cloudline"],
                     nouns: ["vape kit", "e-liquid"],
                     priceRange: 6...60, restrictions: .init(minAge: 18, allowedRegions: ["NL", "BE", "DE"],
                     disclosure: "Contains nicotine, which is highly addictive.")),
        DemoCategory(name: "investments", share: 1, brands: ["Brightvest", "Coinhaven"],
                     nouns: ["index fund voucher", "crypto starter pack", "gold savings plan"],
                     priceRange: 50...1_000, restrictions: .init(minAge: 18, requiresKYC: true, riskLevel: 3,
                     disclosure: "Capital at risk. Past performance is no guide to future returns.")),
        DemoCategory(name: "lottery", share: 0.5, brands: ["Luckyday"],
                     nouns: ["lottery ticket", "scratch card bundle"],
                     priceRange: 2...25, restrictions: .init(minAge: 18, allowedRegions: ["NL", "GB"], riskLevel: 2,
                     disclosure: "18+. Play responsibly.")),
        DemoCategory(name: "pharmacy", share: 0.5, brands: ["Medica"],
                     nouns: ["pain relief", "allergy tablets", "vitamin D"],
                     priceRange: 3...30, restrictions: .init(allowedRegions: ["NL", "DE", "BE"],
                     disclosure: "Read the package leaflet before use.")),
    ]
}
