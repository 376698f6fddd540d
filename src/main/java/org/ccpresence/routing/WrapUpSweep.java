package org.ccpresence.routing;

import jakarta.enterprise.context.ApplicationScoped;

import org.ccpresence.agent.Sweeps;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * Ends wrap-ups that are due: the offer becomes COMPLETED and frees its capacity. Every replica runs it, every second
 * by default; the claim skips agents another replica (or a completeWork) holds, so each wrap-up ends exactly once.
 */
@ApplicationScoped
class WrapUpSweep {

    private static final Logger LOG = Logger.getLogger(WrapUpSweep.class);

    private final RoutingService routing;
    private final Sweeps.Runs runs;
    private final int batchSize;

    WrapUpSweep(RoutingService routing, MeterRegistry metrics,
            @ConfigProperty(name = "presence.offers.sweep-batch", defaultValue = "2500") int batchSize) {
        this.routing = routing;
        this.runs = Sweeps.runs(metrics, LOG, "wrap_up", "Ended %d wrap-ups in %d ms");
        this.batchSize = batchSize;
    }

    @Scheduled(every = "${presence.offers.sweep-every:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        return runs.run(sweepUntilShort());
    }

    private Uni<Integer> sweepUntilShort() {
        return routing.endWrapUps(batchSize).chain(ended -> ended < batchSize
                ? Uni.createFrom().item(ended)
                : sweepUntilShort().map(more -> ended + more));
    }
}
