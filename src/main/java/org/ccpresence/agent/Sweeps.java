package org.ccpresence.agent;

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

    /** The duration of each run of a sweep ({@code presence.sweep}, tagged with the sweep's name). */
    public static Timer timer(MeterRegistry metrics, String sweep) {
        return Timer.builder("presence.sweep").tag("sweep", sweep).description("Duration of one run of a periodic sweep")
                .publishPercentileHistogram().register(metrics);
    }
}
