/// A read-only port (`CatalogSource`, `ProfileSource`) could not answer: its store was down,
/// slow or refused the query. The client's own error is kept as `underlying`.
public struct SourceUnavailable: Error, CustomStringConvertible {
    public var underlying: any Error

    public init(_ underlying: any Error) { self.underlying = underlying }

    public var description: String { "\(underlying)" }
}
