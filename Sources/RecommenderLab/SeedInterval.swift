import Foundation

/// Mean and 95 % confidence interval of one figure measured once per seed: Student's t on the
/// sample standard deviation (seeds are independent runs, and few, so t rather than the normal).
public struct SeedInterval: Sendable, Equatable {
    public let values: [Double]
    public let mean: Double
    /// Sample standard deviation (n − 1); 0 for one value.
    public let standardDeviation: Double
    /// Half-width of the 95 % interval: t(0.975, n − 1) × sd / √n; infinite for one value.
    public let halfWidth: Double

    public init(_ values: [Double]) {
        precondition(!values.isEmpty, "an interval needs at least one value")
        self.values = values
        let n = Double(values.count)
        mean = values.reduce(0, +) / n
        if values.count < 2 {
            standardDeviation = 0
            halfWidth = .infinity
        } else {
            let m = mean
            standardDeviation = (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (n - 1)).squareRoot()
            halfWidth = Self.tQuantile975(degreesOfFreedom: values.count - 1) * standardDeviation / n.squareRoot()
        }
    }

    public var lower: Double { mean - halfWidth }
    public var upper: Double { mean + halfWidth }

    /// "0.452 ± 0.013" (three decimals by default).
    public func formatted(decimals: Int = 3) -> String {
        halfWidth.isFinite ? String(format: "%.\(decimals)f ± %.\(decimals)f", mean, halfWidth) : String(format: "%.\(decimals)f", mean)
    }

    /// The 0.975 quantile of Student's t (two-sided 95 %), from the standard table for 1–30
    /// degrees of freedom; beyond 30 the normal 1.96 (the table's 30 is 2.042).
    public static func tQuantile975(degreesOfFreedom df: Int) -> Double {
        precondition(df >= 1)
        let table: [Double] = [
            12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
            2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
            2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
        ]
        return df <= table.count ? table[df - 1] : 1.96
    }
}
