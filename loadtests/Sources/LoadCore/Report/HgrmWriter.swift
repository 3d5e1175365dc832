import Histogram

/// Writes a histogram in the `.hgrm` text format the HdrHistogram plotter reads
/// (values in milliseconds).
public enum HgrmWriter {
    public static func text(of histogram: Histogram<UInt64>) -> String {
        var output = ""
        histogram.outputPercentileDistribution(to: &output, outputValueUnitScalingRatio: 1000)
        return output
    }
}
