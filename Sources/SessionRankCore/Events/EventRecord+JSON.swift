extension EventRecord {
    /// The record as JSON, written by hand (keys sorted, as before): one is published per
    /// accepted event. Decodes with `JSONDecoder` into an equal value; nil optionals are left out.
    package func jsonBytes() -> [UInt8] {
        var json = JSONBytesWriter(capacity: 512)
        json.beginObject()
        if let analytics { json.field("analytics", analytics) }
        json.beginObject("context")
        json.field("device", context.device)
        json.field("entryPoint", context.entryPoint)
        json.field("page", context.page)
        json.field("referrer", context.referrer)
        json.field("region", context.region)
        json.endObject()
        json.field("deviceId", deviceId)
        json.field("dwellMs", dwellMs)
        json.beginObject("enrichment")
        json.field("ageBand", enrichment.ageBand)
        json.field("campaign", enrichment.campaign)
        json.field("channel", enrichment.channel)
        json.field("kycStatus", enrichment.kycStatus)
        json.field("requestPage", enrichment.requestPage)
        if let flags = enrichment.riskFlags {
            json.beginArray("riskFlags")
            for flag in flags { json.element(flag) }
            json.endArray()
        }
        json.field("segment", enrichment.segment)
        json.field("status", enrichment.status.rawValue)
        json.field("userRegion", enrichment.userRegion)
        json.endObject()
        json.field("eventId", eventId)
        json.field("itemId", itemId)
        json.field("personalized", personalized)
        json.field("position", position)
        json.field("query", query)
        json.field("receivedAt", receivedAt)
        json.field("recommendationId", recommendationId)
        json.field("region", region)
        json.field("requestId", requestId)
        json.field("schema", schema)
        json.field("scrollDepth", scrollDepth)
        json.field("sessionId", sessionId)
        json.field("timestamp", timestamp)
        json.field("type", type.rawValue)
        json.field("userId", userId)
        json.endObject()
        return json.bytes
    }
}
