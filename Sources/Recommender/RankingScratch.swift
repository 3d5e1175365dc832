/// Working buffers of one `recommend` call. A value type (arrays only) so the model can keep a
/// small pool and hand each reader its own: taking one out moves uniquely referenced buffers,
/// so a request allocates almost nothing once the buffers have grown.
struct RankingScratch: Sendable {
    var board = ScoreBoard()
    /// kNN: session offset (serial - first live serial) → similarity and newest shared position.
    var neighbourSlots = HashedSlotMap()
    var similarity: [Double] = []
    var newestShared: [Int32] = []
    var recency: [Double] = []
    /// Items never returned for this request.
    var excluded = SlotMap()
    /// Reused selection buffer (slot indices).
    var order: [Int32] = []

    mutating func reset() {
        board.removeAll()
        neighbourSlots.removeAll()
        similarity.removeAll(keepingCapacity: true)
        newestShared.removeAll(keepingCapacity: true)
        recency.removeAll(keepingCapacity: true)
        excluded.removeAll()
        order.removeAll(keepingCapacity: true)
    }
}
