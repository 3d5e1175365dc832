import Testing

@testable import RedisClient

@Suite("Configuration and URLs")
struct RedisConfigurationTests {
    @Test func readsHostPortAndDatabaseFromAURL() throws {
        let configuration = try RedisConfiguration(url: "redis://cache.internal:6390/3")
        #expect(configuration.host == "cache.internal")
        #expect(configuration.port == 6390)
        #expect(configuration.database == 3)
        #expect(configuration.password == nil)
        #expect(configuration.username == nil)
    }

    @Test func defaultsPortAndDatabase() throws {
        let configuration = try RedisConfiguration(url: "redis://127.0.0.1")
        #expect(configuration.port == 6379)
        #expect(configuration.database == 0)
    }

    @Test func readsCredentialsIncludingEscapedCharacters() throws {
        let withUser = try RedisConfiguration(url: "redis://app:p%40ss%3Aw0rd@localhost:6380/1")
        #expect(withUser.username == "app")
        #expect(withUser.password == "p@ss:w0rd")
        let passwordOnly = try RedisConfiguration(url: "redis://:secret@localhost")
        #expect(passwordOnly.username == nil)
        #expect(passwordOnly.password == "secret")
    }

    @Test func readsIPv6Hosts() throws {
        let configuration = try RedisConfiguration(url: "redis://[::1]:7000")
        #expect(configuration.host == "::1")
        #expect(configuration.port == 7000)
    }

    @Test(arguments: [
        "http://localhost:6379", "redis://", "redis://host:notaport", "redis://host:70000", "redis://host/db",
        "redis://host/-1", "redis://[::1", "redis://u:%zz@host",
    ])
    func rejectsMalformedURLs(_ url: String) {
        let error = #expect(throws: RedisError.self) { try RedisConfiguration(url: url) }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains("redis://[[user]:password@]host[:port][/database]") == true)
    }

    @Test func neverEchoesThePasswordInErrors() {
        let error = #expect(throws: RedisError.self) { try RedisConfiguration(url: "redis://u:hunter2@host:bad") }
        #expect(error?.message.contains("hunter2") == false)
    }

    @Test func validationNamesTheOffendingField() {
        var configuration = RedisConfiguration()
        configuration.poolSize = 0
        let poolError = #expect(throws: RedisError.self) { try configuration.validate() }
        #expect(poolError?.message.contains("poolSize") == true)
        configuration.poolSize = 1
        configuration.reconnectBackoffMax = .milliseconds(1)
        let error = #expect(throws: RedisError.self) { try configuration.validate() }
        #expect(error?.message.contains("reconnectBackoffMin") == true)
        #expect(throws: RedisError.self) { try RedisClient(configuration: configuration) }
    }
}
