import Foundation
import Testing
@testable import LoadCore

@Suite struct ScenarioAndTargetTests {
    @Test func onlyLoopbackTargetsAreAccepted() throws {
        #expect(try LoopbackTarget(url: "http://127.0.0.1:8080").port == 8080)
        #expect(try LoopbackTarget(url: "http://localhost:9000/x").host == "127.0.0.1")
        #expect(try LoopbackTarget(url: "http://[::1]:8080").host == "::1")
        #expect(try LoopbackTarget(url: "http://127.4.5.6").port == 80)
        for bad in ["http://10.0.0.1:8080", "http://192.168.1.2", "http://example.com", "https://127.0.0.1", "http://128.0.0.1", "http://127.0.0.256"] {
            #expect(throws: ScenarioError.self) { try LoopbackTarget(url: bad) }
        }
    }

    @Test func jsonScenarioDecodesWithDefaults() throws {
        let json = #"{"workloads":[{"kind":"recommend","rate":{"type":"constant","rate":5}}]}"#
        let scenario = try ScenarioLoader.decode(Data(json.utf8), yaml: false)
        #expect(scenario.workloads[0].rate == .constant(5))
        #expect(scenario.target == "http://127.0.0.1:8080")
        #expect(scenario.workloads[0].limit == 10)
    }

    @Test func yamlScenarioDecodes() throws {
        let yaml = """
        name: y
        workloads:
          - kind: events
            batchSize: 3
            rate: { type: steps, steps: [ { rate: 1, seconds: 2 } ] }
        """
        let scenario = try ScenarioLoader.decode(Data(yaml.utf8), yaml: true)
        #expect(scenario.workloads[0].batchSize == 3)
        #expect(scenario.workloads[0].rate == .steps([.init(rate: 1, seconds: 2)]))
    }

    @Test func errorsNameTheField() {
        let json = #"{"target":"http://10.1.1.1","workloads":[{"kind":"recommend","rate":{"type":"constant","rate":5}}]}"#
        #expect(throws: ScenarioError(field: "target", message: "'10.1.1.1' is not a loopback address; only 127.0.0.0/8, localhost and ::1 may be load-tested")) {
            try ScenarioLoader.decode(Data(json.utf8), yaml: false)
        }
        let badRate = #"{"workloads":[{"kind":"recommend","rate":{"type":"constant","rate":-1}}]}"#
        #expect(throws: ScenarioError.self) { try ScenarioLoader.decode(Data(badRate.utf8), yaml: false) }
    }

    @Test func capacitySettleTimeDecodesAndIsBounded() throws {
        let base = #"{"workloads":[{"kind":"recommend","rate":{"type":"constant","rate":5}}],"capacity":"#
        #expect(try ScenarioLoader.decode(Data((base + "{}}").utf8), yaml: false).capacity?.settleSeconds == 3)
        #expect(try ScenarioLoader.decode(Data((base + #"{"settleSeconds":0.5}}"#).utf8), yaml: false).capacity?.settleSeconds == 0.5)
        #expect(throws: ScenarioError(field: "capacity.settleSeconds", message: "must be between 0 and 600 seconds")) {
            try ScenarioLoader.decode(Data((base + #"{"settleSeconds":-1}}"#).utf8), yaml: false)
        }
    }

    @Test func shippedScenariosAreValid() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../scenarios").standardized
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") || $0.hasSuffix(".yaml") }
        #expect(files.count >= 4)
        for file in files { _ = try ScenarioLoader.load(path: directory.appendingPathComponent(file).path) }
    }
}
