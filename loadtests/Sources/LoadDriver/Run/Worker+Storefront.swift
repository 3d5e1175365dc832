import Foundation
import LoadCore
import NIOHTTP1

/// The storefront visitor: post the page view, ask for recommendations, sometimes click
/// one (feedback) or add the item to the cart. Page views are due at fixed times; the
/// requests within one page view follow each other as a browser's would.
extension Worker {
    func startPageView(session: Int, page: Int, intended: UInt64) {
        if sessions[session].isBusy {
            sessions[session].queued.append((page, intended))
            return
        }
        sessions[session].isBusy = true
        let plan = sessions[session].plan
        let settings = input.scenario.workloads[plan.workload].session
        var item = plan.pageViews[page].itemId
        if !plan.isProbe, let clicked = sessions[session].clickedItem { item = clicked }
        sessions[session].clickedItem = nil

        if settings.postEventBeforeRecommend {
            let event = makeEvent(plan, type: "product_view", itemId: item)
            send(eventsRequest([event]), intended: intended) { [self] _, _ in
                requestRecommendations(session: session, page: page, item: item, intended: elapsed())
            }
        } else {
            requestRecommendations(session: session, page: page, item: item, intended: intended)
        }
    }

    private func requestRecommendations(session: Int, page: Int, item: String, intended: UInt64) {
        let plan = sessions[session].plan
        let workload = input.scenario.workloads[plan.workload]
        let query = RecommendQuery(
            sessionId: plan.sessionId,
            itemId: workload.session.postEventBeforeRecommend ? nil : item,
            userId: plan.userId, placement: workload.placement, limit: workload.limit,
            region: plan.region, device: plan.device
        )
        send(recommendRequest(query, method: workload.recommendMethod), intended: intended) { [self] outcome, response in
            var answer: RecommendResponse?
            if outcome.isSuccess, let response {
                answer = try? JSONDecoder().decode(RecommendResponse.self, from: Data(response.bodyBytes))
            }
            checkAnswer(answer, session: session, page: page, failed: !outcome.isSuccess)
            followUp(session: session, item: item, answer: answer)
        }
    }

    /// Correctness under load: compliance for test users, category shift for probes.
    private func checkAnswer(_ answer: RecommendResponse?, session: Int, page: Int, failed: Bool) {
        guard let catalog = input.catalog else { return }
        let plan = sessions[session].plan
        let ids = answer?.items.map(\.itemId) ?? []
        if answer?.degraded == true { tally.degradedResponses += 1 }
        tally.unknownItems += ids.filter { catalog.items[$0] == nil }.count
        if let user = plan.testUser, answer != nil {
            tally.responsesChecked += 1
            tally.recordViolations(CorrectnessChecks.violations(user: user, region: plan.region, itemIds: ids, catalog: catalog))
        }
        guard let focus = plan.probeCategory else { return }
        let share = CorrectnessChecks.share(of: focus, in: ids, catalog: catalog)
        if page == 0 {
            sessions[session].baselineShare = share
            tally.probes += 1
            if share == nil { tally.shiftInconclusive += 1 }
        } else if page == plan.pageViews.count - 1, let before = sessions[session].baselineShare {
            if failed || share == nil {
                tally.shiftInconclusive += 1
            } else if CorrectnessChecks.shiftPassed(before: before, after: share!) {
                tally.shiftPassed += 1
            } else {
                tally.shiftFailed += 1
            }
        }
    }

    /// After the recommendations: maybe click one, maybe add the item to the cart.
    private func followUp(session: Int, item: String, answer: RecommendResponse?) {
        let plan = sessions[session].plan
        let settings = input.scenario.workloads[plan.workload].session
        var steps: [(OutgoingRequest, String?)] = []
        if !plan.isProbe, !isPastEnd, let answer, let recommendationId = answer.recommendationId, !answer.items.isEmpty,
            generator.nextUnit() < settings.clickProbability
        {
            let catalog = input.catalog
            let position = ClickModel.choose(
                categories: answer.items.map { catalog?.category(of: $0.itemId) }, pageCategory: catalog?.category(of: item),
                unit: generator.nextUnit())
            let clicked = answer.items[position]
            let body = FeedbackBody(recommendationId: recommendationId, sessionId: plan.sessionId, type: "click", itemId: clicked.itemId)
            steps.append((OutgoingRequest(endpoint: Endpoint.feedback, method: .POST, uri: "/v1/feedback", body: body.json), clicked.itemId))
        }
        if !isPastEnd, generator.nextUnit() < settings.addToCartProbability {
            steps.append((eventsRequest([makeEvent(plan, type: "add_to_cart", itemId: item)]), nil))
        }
        runSteps(steps[...], session: session)
    }

    private func runSteps(_ steps: ArraySlice<(OutgoingRequest, String?)>, session: Int) {
        guard let (request, clicked) = steps.first else {
            endPageView(session: session)
            return
        }
        send(request, intended: elapsed()) { [self] outcome, _ in
            if outcome.isSuccess, let clicked { sessions[session].clickedItem = clicked }
            runSteps(steps.dropFirst(), session: session)
        }
    }

    private func endPageView(session: Int) {
        sessions[session].isBusy = false
        guard !sessions[session].queued.isEmpty else { return }
        let next = sessions[session].queued.removeFirst()
        startPageView(session: session, page: next.page, intended: next.intended)
    }

    func makeEvent(_ plan: SessionPlan, type: String, itemId: String?, timestamp: String? = nil) -> EventBody {
        eventCounter += 1
        return EventBody(
            eventId: "\(input.runTag)-t\(input.seed)-e\(eventCounter)", type: type, sessionId: plan.sessionId,
            deviceId: plan.deviceId, userId: plan.userId, itemId: itemId, device: plan.device, region: plan.region,
            timestamp: timestamp ?? eventTimestamp()
        )
    }

    /// The client's wall clock as the event time, as a storefront would send it.
    func eventTimestamp() -> String {
        RFC3339Timestamp.string(unixMilliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
    }

    func eventsRequest(_ events: [EventBody]) -> OutgoingRequest {
        OutgoingRequest(
            endpoint: Endpoint.events, method: .POST, uri: "/v1/events", body: EventBody.batch(events), eventCount: events.count)
    }

    func recommendRequest(_ query: RecommendQuery, method: String) -> OutgoingRequest {
        if method == "POST" {
            return OutgoingRequest(endpoint: Endpoint.recommend, method: .POST, uri: "/v1/recommend", body: query.json)
        }
        return OutgoingRequest(endpoint: Endpoint.recommend, method: .GET, uri: query.uri, body: nil)
    }
}
