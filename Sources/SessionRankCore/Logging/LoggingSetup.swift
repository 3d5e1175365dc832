import Logging

public enum LoggingSetup {
    /// Installs the process-wide log handler. Call once, at start. Both formats pass the
    /// metadata through `LogRedaction`, keyed with the deployment's pseudonym secret.
    public static func bootstrap(_ settings: ServiceConfiguration.LoggingSettings, pseudonymizer: Pseudonymizer) {
        let level = Logger.Level(rawValue: settings.level) ?? .info
        let redaction = LogRedaction(pseudonymizer: pseudonymizer)
        LoggingSystem.bootstrap { label in
            switch settings.format {
            case "text":
                var handler = StreamLogHandler.standardOutput(label: label)
                handler.logLevel = level
                return RedactingLogHandler(handler, redaction: redaction)
            default:
                return JSONLogHandler(label: label, level: level, redaction: redaction)
            }
        }
    }
}
