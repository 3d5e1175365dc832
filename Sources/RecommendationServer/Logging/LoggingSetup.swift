import Logging

public enum LoggingSetup {
    /// Installs the process-wide log handler. Call once, at start.
    public static func bootstrap(_ settings: ServiceConfiguration.LoggingSettings) {
        let level = Logger.Level(rawValue: settings.level) ?? .info
        LoggingSystem.bootstrap { label in
            switch settings.format {
            case "text":
                var handler = StreamLogHandler.standardOutput(label: label)
                handler.logLevel = level
                return handler
            default:
                return JSONLogHandler(label: label, level: level)
            }
        }
    }
}
