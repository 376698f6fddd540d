package org.ccpresence.routing;

import java.util.List;
import java.util.stream.IntStream;

import jakarta.enterprise.context.ApplicationScoped;

import org.ccpresence.agent.Sweeps;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * Expires offers that passed their expiry. Every replica runs it, every second by default; the database decides who
 * does what (claims with FOR UPDATE SKIP LOCKED, conditional updates), so each expiry, each move to Inactive and each
 * re-offer happens exactly once however many replicas sweep at the same moment.
 */
@ApplicationScoped
class OfferExpiryJob {

    private static final Logger LOG = Logger.getLogger(OfferExpiryJob.class);

    private final RoutingService routing;
    private final Sweeps.Runs runs;
    private final int batchSize;
    private final int workers;

    OfferExpiryJob(RoutingService routing, MeterRegistry metrics,
            @ConfigProperty(name = "presence.offers.sweep-batch", defaultValue = "2500") int batchSize,
            @ConfigProperty(name = "presence.offers.sweep-workers", defaultValue = "2") int workers) {
        this.routing = routing;
        this.runs = Sweeps.runs(metrics, LOG, "offers", "Expired %d offers in %d ms");
        this.batchSize = batchSize;
        this.workers = workers;
    }

    @Scheduled(every = "${presence.offers.sweep-every:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        return runs.run(sweepAll());
    }

    /**
     * Sweeps with several workers at once, each on its own connection and transaction; their claims skip each other's
     * offers exactly as two replicas' do. Returns how many offers expired.
     */
    Uni<Integer> sweepAll() {
        List<Uni<Integer>> running = IntStream.range(0, workers).mapToObj(i -> sweepUntilShort()).toList();
        return Uni.join().all(running).andFailFast().map(counts -> counts.stream().mapToInt(Integer::intValue).sum());
    }

    /** Runs batches until one comes back short. */
    private Uni<Integer> sweepUntilShort() {
        return routing.sweepBatch(batchSize).chain(expired -> expired < batchSize
                ? Uni.createFrom().item(expired)
                : sweepUntilShort().map(more -> expired + more));
    }
}
