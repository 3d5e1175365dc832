// swift-tools-version:6.1
import PackageDescription

// The load-test harness is its own package so the service's build stays lean:
// nothing here is compiled by `swift build` in the repository root.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "SessionRankLoad",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sessionrank-load", targets: ["sessionrank-load"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        // Pure logic, no I/O: scenarios, schedules, sampling, statistics, SLOs, reports.
        .target(
            name: "LoadCore",
            dependencies: [
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings
        ),
        // The open-model driver: keep-alive HTTP/1.1 connections on SwiftNIO, timeline dispatch.
        .target(
            name: "LoadDriver",
            dependencies: [
                "LoadCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: strictSettings
        ),
        // A tiny SwiftNIO server that imitates the service's contract, for the harness's own tests.
        .target(
            name: "LoadStub",
            dependencies: [
                "LoadCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "sessionrank-load",
            dependencies: [
                "LoadCore",
                "LoadDriver",
                "LoadStub",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "LoadCoreTests", dependencies: ["LoadCore"], swiftSettings: strictSettings),
        .testTarget(
            name: "LoadDriverTests",
            dependencies: ["LoadDriver", "LoadStub", "LoadCore"],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
