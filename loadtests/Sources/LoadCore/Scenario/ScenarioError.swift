/// A scenario problem that names the field, so whoever edits the file knows where to look.
public struct ScenarioError: Error, CustomStringConvertible, Equatable {
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}
