package org.ccpresence.agent;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import org.ccpresence.presence.BaseStatus;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * {@code presence.agents.signed_in{base_status}}: signed-in agents per base status, counted in the database every few
 * seconds (a scrape reads the last count; every replica reports the same floor, so aggregate with max, not sum).
 */
@ApplicationScoped
class FloorGauges {

    private static final Logger LOG = Logger.getLogger(FloorGauges.class);

    private final Pool pool;
    private final Map<BaseStatus, AtomicLong> signedIn = new EnumMap<>(BaseStatus.class);

    FloorGauges(Pool pool, MeterRegistry metrics) {
        this.pool = pool;
        for (BaseStatus status : BaseStatus.values()) {
            AtomicLong count = new AtomicLong();
            signedIn.put(status, count);
            Gauge.builder("presence.agents.signed_in", count, AtomicLong::get).tag("base_status", status.name())
                    .description("Signed-in agents per base status (the same on every replica)").register(metrics);
        }
    }

    @Scheduled(every = "${presence.metrics.floor-every:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> count() {
        return pool.query("""
                SELECT p.base_status, count(*) FROM agent a JOIN presence p ON p.id = a.presence_id
                WHERE a.signed_in GROUP BY p.base_status""").execute().invoke(rows -> {
                    Map<BaseStatus, Long> now = new EnumMap<>(BaseStatus.class);
                    rows.forEach(row -> now.put(BaseStatus.valueOf(row.getString(0)), row.getLong(1)));
                    signedIn.forEach((status, count) -> count.set(now.getOrDefault(status, 0L)));
                }).onFailure().invoke(failure -> LOG.debug("Floor count failed; the next run retries", failure))
                .onFailure().recoverWithNull().replaceWithVoid();
    }
}
