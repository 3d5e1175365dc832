import Foundation

/// A small line chart rendered straight to SVG text: no browser toolchain, no JavaScript.
public struct SVGLineChart: Sendable {
    public struct Series: Sendable {
        public var name: String
        public var points: [(x: Double, y: Double)]
        public var color: String
        public init(name: String, points: [(x: Double, y: Double)], color: String) {
            self.name = name
            self.points = points
            self.color = color
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    /// Labels for x ticks; the default prints the number.
    public var xTicks: [(value: Double, label: String)]?
    public var width = 760.0
    public var height = 300.0

    public init(title: String, xLabel: String, yLabel: String, series: [Series], xTicks: [(value: Double, label: String)]? = nil) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.xTicks = xTicks
    }

    /// Palette for series in order.
    public static let colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    public func render() -> String {
        let left = 64.0, right = 150.0, top = 34.0, bottom = 44.0
        let plotW = width - left - right, plotH = height - top - bottom
        let all = series.flatMap(\.points)
        let xMin = all.map(\.x).min() ?? 0
        let xMax = max(all.map(\.x).max() ?? 1, xMin + 1e-9)
        let yTicks = Self.niceTicks(max: all.map(\.y).max() ?? 1)
        let yMax = yTicks.last ?? 1
        func px(_ x: Double) -> Double { left + (x - xMin) / (xMax - xMin) * plotW }
        func py(_ y: Double) -> Double { top + plotH - (y / yMax) * plotH }

        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="11">
        <text x="\(left)" y="18" font-size="13" font-weight="bold">\(Self.escape(title))</text>
        <rect x="\(left)" y="\(top)" width="\(plotW)" height="\(plotH)" fill="none" stroke="#999"/>

        """
        for tick in yTicks {
            let y = Self.fmt(py(tick))
            svg += "<line x1=\"\(left)\" y1=\"\(y)\" x2=\"\(left + plotW)\" y2=\"\(y)\" stroke=\"#eee\"/>"
            svg += "<text x=\"\(left - 6)\" y=\"\(y)\" text-anchor=\"end\" dominant-baseline=\"middle\">\(Format.number(tick, digits: 2))</text>\n"
        }
        let ticks = xTicks ?? Self.niceTicks(min: xMin, max: xMax).map { ($0, Format.number($0, digits: 0)) }
        for tick in ticks where tick.value >= xMin && tick.value <= xMax {
            let x = Self.fmt(px(tick.value))
            svg += "<line x1=\"\(x)\" y1=\"\(top + plotH)\" x2=\"\(x)\" y2=\"\(top + plotH + 4)\" stroke=\"#999\"/>"
            svg += "<text x=\"\(x)\" y=\"\(top + plotH + 16)\" text-anchor=\"middle\">\(Self.escape(tick.label))</text>\n"
        }
        svg += "<text x=\"\(left + plotW / 2)\" y=\"\(height - 6)\" text-anchor=\"middle\">\(Self.escape(xLabel))</text>\n"
        svg += "<text x=\"14\" y=\"\(top + plotH / 2)\" text-anchor=\"middle\" transform=\"rotate(-90 14 \(top + plotH / 2))\">\(Self.escape(yLabel))</text>\n"
        for (index, line) in series.enumerated() {
            let path = line.points.map { "\(Self.fmt(px($0.x))),\(Self.fmt(py($0.y)))" }.joined(separator: " ")
            if line.points.count > 1 {
                svg += "<polyline fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"1.6\" points=\"\(path)\"/>\n"
            } else if let point = line.points.first {
                svg += "<circle cx=\"\(Self.fmt(px(point.x)))\" cy=\"\(Self.fmt(py(point.y)))\" r=\"3\" fill=\"\(line.color)\"/>\n"
            }
            let ly = top + 8 + Double(index) * 16
            svg += "<rect x=\"\(left + plotW + 12)\" y=\"\(ly - 5)\" width=\"12\" height=\"3\" fill=\"\(line.color)\"/>"
            svg += "<text x=\"\(left + plotW + 28)\" y=\"\(ly)\" dominant-baseline=\"middle\">\(Self.escape(line.name))</text>\n"
        }
        return svg + "</svg>"
    }

    /// Round tick values (1, 2, 2.5, 5 × 10^n) from 0 up to at least `max`.
    public static func niceTicks(max: Double, count: Int = 5) -> [Double] {
        niceTicks(min: 0, max: max > 0 ? max : 1, count: count)
    }

    public static func niceTicks(min: Double, max: Double, count: Int = 6) -> [Double] {
        let span = Swift.max(max - min, 1e-9)
        let raw = span / Double(Swift.max(count, 1))
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var ticks: [Double] = []
        var value = floor(min / step) * step
        while value < max + step * 0.999 {
            ticks.append(value)
            if value >= max { break }
            value += step
        }
        return ticks
    }

    static func fmt(_ value: Double) -> String { String(format: "%.1f", value) }

    public static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
