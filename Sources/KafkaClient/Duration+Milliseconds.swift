extension Duration {
    /// Whole milliseconds, clamped to the `int` range librdkafka takes for timeouts.
    package var clampedMilliseconds: Int32 {
        let (seconds, attoseconds) = components
        if seconds < 0 { return 0 }
        if seconds >= Int64(Int32.max) / 1000 { return .max }
        return Int32(seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}
