import ServiceLifecycle

/// Runs `tick` now and then every `interval` until graceful shutdown or cancellation.
/// The wait between ticks ends at once on shutdown, so a long interval never delays it.
package func runPeriodically(every interval: Duration, _ tick: @escaping @Sendable () async -> Void) async {
    await cancelWhenGracefulShutdown {
        while !Task.isCancelled {
            await tick()
            try? await Task.sleep(for: interval)
        }
    }
}
