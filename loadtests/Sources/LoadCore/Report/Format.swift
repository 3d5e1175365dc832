import Foundation

/// Number formatting shared by the terminal output and the HTML report.
public enum Format {
    public static func number(_ value: Double, digits: Int = 3) -> String {
        if !value.isFinite { return "n/a" }
        if value != 0 && abs(value) < 0.001 { return String(format: "%.2e", value) }
        if abs(value) >= 1000 { return String(format: "%.0f", value) }
        return String(format: "%.\(digits)f", value)
    }

    public static func percent(_ value: Double) -> String {
        String(format: "%.3f%%", value * 100)
    }
}
