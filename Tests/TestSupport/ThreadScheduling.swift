import Foundation

/// One thread of this process as the kernel reports it.
public struct ThreadScheduling: Sendable, Equatable {
    public var id: Int
    public var name: String
    /// `SCHED_*`: 0 normal, 5 idle.
    public var policy: Int32

    /// Every thread of this process, from /proc/self/task (policy: field 41 of each `stat`).
    public static func all() throws -> [ThreadScheduling] {
        let tasks = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")
        return tasks.compactMap { task in
            // A thread may end between listing and reading.
            guard let id = Int(task),
                let comm = try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8),
                let stat = try? String(contentsOfFile: "/proc/self/task/\(task)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            // After the parenthesised name come the fields from 3 (state) on.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 38, let policy = Int32(fields[38]) else { return nil }
            return ThreadScheduling(id: id, name: comm.trimmingCharacters(in: .newlines), policy: policy)
        }
    }
}
