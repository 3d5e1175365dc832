import Foundation
import LoadCore

/// Independent requests: recommend-only, events-only, admin and health traffic.
extension Worker {
    /// Synthetic sessions that single-request workloads spread over.
    static let sessionPoolSize: UInt64 = 10_000

    func fireRequest(workload index: Int, intended: UInt64) {
        let workload = input.scenario.workloads[index]
        switch workload.kind {
        case .recommend: fireRecommend(workload, intended: intended)
        case .events: fireEvents(workload, intended: intended)
        case .admin:
            let request = OutgoingRequest(
                endpoint: Endpoint.admin, method: .GET, uri: workload.effectivePath, body: nil, bearerToken: input.adminTokens[index])
            send(request, intended: intended) { _, _ in }
        case .health:
            send(OutgoingRequest(endpoint: Endpoint.health, method: .GET, uri: workload.effectivePath, body: nil), intended: intended) { _, _ in }
        case .storefront:
            // Storefront arrivals are page views of planned sessions, never single requests.
            break
        }
    }

    /// A synthetic visitor for one independent request.
    private func randomVisitor() -> SessionPlan {
        let items = input.scenario.items
        let number = generator.next() % Self.sessionPoolSize
        var plan = SessionPlan(
            workload: 0, sessionId: "lt-\(input.runTag)-r\(number)", deviceId: "lt-\(input.runTag)-rd\(number)",
            userId: nil, testUser: nil,
            region: items.regions.isEmpty ? "DE" : items.regions[Int(number % UInt64(items.regions.count))],
            device: items.devices.isEmpty ? "desktop" : items.devices[Int(number % UInt64(items.devices.count))],
            pageViews: [], probeCategory: nil
        )
        if generator.nextUnit() < items.loggedInShare, items.userCount > 0 {
            plan.userId = items.userId(index: Int(number % UInt64(items.userCount)))
        }
        let correctness = input.scenario.correctness
        if input.catalog != nil, !correctness.testUsers.isEmpty, generator.nextUnit() < correctness.testUserShare {
            let user = correctness.testUsers[Int(generator.next() % UInt64(correctness.testUsers.count))]
            plan.testUser = user
            plan.userId = user.userId
            if let region = user.region { plan.region = region }
        }
        return plan
    }

    private func randomItem() -> String {
        input.scenario.items.itemId(rank: zipf.sample(using: &generator))
    }

    private func fireRecommend(_ workload: Workload, intended: UInt64) {
        let visitor = randomVisitor()
        let query = RecommendQuery(
            sessionId: visitor.sessionId, itemId: randomItem(), userId: visitor.userId, placement: workload.placement,
            limit: workload.limit, region: visitor.region, device: visitor.device
        )
        send(recommendRequest(query, method: workload.recommendMethod), intended: intended) { [self] outcome, response in
            // Only test users' answers are decoded: decoding every answer would cost client CPU.
            guard let user = visitor.testUser, let catalog = input.catalog, outcome.isSuccess, let response,
                let answer = try? JSONDecoder().decode(RecommendResponse.self, from: Data(response.bodyBytes))
            else { return }
            tally.responsesChecked += 1
            tally.recordViolations(
                CorrectnessChecks.violations(user: user, region: visitor.region, itemIds: answer.items.map(\.itemId), catalog: catalog))
        }
    }

    private func fireEvents(_ workload: Workload, intended: UInt64) {
        let visitor = randomVisitor()
        let timestamp = eventTimestamp()
        let events = (0..<workload.batchSize).map { _ in makeEvent(visitor, type: "product_view", itemId: randomItem(), timestamp: timestamp) }
        send(eventsRequest(events), intended: intended) { _, _ in }
    }
}
