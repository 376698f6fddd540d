package org.ccpresence.routing;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

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
    private final int batchSize;

    OfferExpiryJob(RoutingService routing, @ConfigProperty(name = "presence.offers.sweep-batch", defaultValue = "1000") int batchSize) {
        this.routing = routing;
        this.batchSize = batchSize;
    }

    @Scheduled(every = "${presence.offers.sweep-every:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        long start = System.nanoTime();
        return sweepAll().invoke(expired -> {
            if (expired > 0) {
                LOG.infof("Expired %d offers in %d ms", expired, (System.nanoTime() - start) / 1_000_000);
            }
        }).onFailure().recoverWithItem(failure -> {
            LOG.warn("Offer expiry sweep failed; the next run retries", failure);
            return 0;
        }).replaceWithVoid();
    }

    /** Runs batches until one comes back short; returns how many offers expired. */
    Uni<Integer> sweepAll() {
        return routing.sweepBatch(batchSize).chain(expired -> expired < batchSize
                ? Uni.createFrom().item(expired)
                : sweepAll().map(more -> expired + more));
    }
}
