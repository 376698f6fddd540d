package org.ccpresence.agent;

import java.util.concurrent.TimeUnit;

import org.ccpresence.error.Stopping;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;

/** What the periodic sweeps (offer expiry, time limits, disconnect grace) share. */
public final class Sweeps {

    private Sweeps() {
    }

    /**
     * Plans the rest of this transaction's statements for the tables as they are now. A sweep runs every second, mostly
     * over nothing due, so its prepared statements soon run a cached generic plan made for that; a burst then meets a
     * plan made for nothing (two minutes for 10 000 expired offers in the benchmark; 2.7 s instead of 0.3 s for 10 000
     * breaks ending together).
     */
    public static Uni<Void> planForCurrentTableSizes(SqlClient tx) {
        return tx.query("SET LOCAL plan_cache_mode = force_custom_plan").execute().replaceWithVoid();
    }

    /**
     * A periodic sweep's runs: each one timed ({@code presence.sweep}, tagged with the sweep's name), what it did logged
     * ({@code done}: a format with the count and the milliseconds), a failure logged and left to the next run.
     */
    public static Runs runs(MeterRegistry metrics, Logger log, String sweep, String done) {
        return new Runs(Timer.builder("presence.sweep").tag("sweep", sweep).description("Duration of one run of a periodic sweep")
                .publishPercentileHistogram().register(metrics), log, sweep, done);
    }

    public record Runs(Timer timer, Logger log, String sweep, String done) {

        /** Runs the work (which returns how much it did) and accounts for it. */
        public Uni<Void> run(Uni<Integer> work) {
            return Uni.createFrom().deferred(() -> {
                long start = System.nanoTime();
                return work.invoke(count -> {
                    long nanos = System.nanoTime() - start;
                    timer.record(nanos, TimeUnit.NANOSECONDS);
                    if (count > 0) {
                        log.infof(done, count, nanos / 1_000_000);
                    }
                });
            }).onFailure().invoke(failure -> log.logf(Stopping.underway() ? Logger.Level.DEBUG : Logger.Level.WARN, failure,
                    "The %s sweep failed; the next run retries", sweep))
                    .onFailure().recoverWithNull().replaceWithVoid();
        }
    }
}
