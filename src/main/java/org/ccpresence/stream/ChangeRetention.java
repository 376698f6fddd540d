package org.ccpresence.stream;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.ccpresence.error.ApiException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * History kept for {@code PRESENCE_HISTORY_RETENTION} (default 400 days), with PostgreSQL's partitioning: the change
 * log is partitioned by the time of each change in spans of {@code PRESENCE_HISTORY_PARTITION} (default 7 days). Every
 * replica maintains it (at start, then every minute), one at a time under an advisory lock: partitions are made two
 * spans ahead, and a partition whose whole span is older than the retention is detached (concurrently: writers and
 * readers do not wait) and dropped. The last sequence removed is kept, so that a resume from before it is refused
 * rather than silently skipping what is gone.
 */
@ApplicationScoped
public class ChangeRetention {

    private static final Logger LOG = Logger.getLogger(ChangeRetention.class);
    private static final long LOCK = 7072657366L; // any fixed key, taken nowhere else
    private static final int MOST_PARTITIONS_PER_RUN = 50;
    private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss").withZone(ZoneOffset.UTC);

    private final Pool pool;
    private final Duration retention;
    private final Duration span;

    ChangeRetention(Pool pool,
            @ConfigProperty(name = "presence.history.retention", defaultValue = "400d") Duration retention,
            @ConfigProperty(name = "presence.history.partition", defaultValue = "7d") Duration span) {
        this.pool = pool;
        this.retention = retention;
        this.span = span;
    }

    /** Refuses a resume after which changes have been removed (BAD_USER_INPUT, saying from where one may resume). */
    public Uni<Void> checkResume(Long afterSequence) {
        if (afterSequence == null) {
            return Uni.createFrom().voidItem();
        }
        return pool.query("SELECT through FROM presence_change_removed").execute().invoke(rows -> rows.forEach(row -> {
            long through = row.getLong("through");
            if (afterSequence < through) {
                throw ApiException.badInput("Changes up to sequence " + through + " are no longer kept (history is kept for "
                        + retention.toDays() + " days); resume after " + through + " or later, or read the current state "
                        + "and follow from there.");
            }
        })).replaceWithVoid();
    }

    void atStart(@Observes StartupEvent event) {
        maintain().await().atMost(Duration.ofSeconds(60));
    }

    @Scheduled(every = "${presence.history.maintain-every:1m}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> everyMinute() {
        return maintain().onFailure().invoke(e -> LOG.warnf("Maintaining the change log's partitions failed; the next run "
                + "retries: %s", e.getMessage())).onFailure().recoverWithNull().replaceWithVoid();
    }

    Uni<Void> maintain() {
        return pool.withConnection(connection -> connection.preparedQuery("SELECT pg_try_advisory_lock($1) AS locked")
                .execute(Tuple.of(LOCK)).chain(rows -> {
                    if (!rows.iterator().next().getBoolean("locked")) {
                        return Uni.createFrom().voidItem(); // another replica is at it
                    }
                    return partitions(connection).chain(found -> createAhead(connection, found))
                            .chain(() -> partitions(connection)).chain(found -> dropOld(connection, found))
                            .eventually(() -> connection.preparedQuery("SELECT pg_advisory_unlock($1)").execute(Tuple.of(LOCK)));
                }));
    }

    private record Partition(String name, OffsetDateTime upper, boolean detaching, OffsetDateTime now) {
    }

    private static Uni<List<Partition>> partitions(SqlConnection connection) {
        return connection.query("""
                SELECT c.relname AS name, i.inhdetachpending AS detaching, now() AS now,
                       (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \\(''([^'']+)''\\)'))[1]::timestamptz AS upper
                FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = 'presence_change'::regclass""").execute().map(rows -> {
            List<Partition> partitions = new ArrayList<>();
            rows.forEach(row -> partitions.add(new Partition(row.getString("name"), row.getOffsetDateTime("upper"),
                    row.getBoolean("detaching"), row.getOffsetDateTime("now"))));
            return partitions;
        });
    }

    /** Partitions from the last one's end to two spans past now, on span boundaries (a gap left by a long stop: one). */
    private Uni<Void> createAhead(SqlConnection connection, List<Partition> partitions) {
        if (partitions.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Instant now = partitions.get(0).now().toInstant();
        Instant start = partitions.stream().map(p -> p.upper().toInstant()).max(Instant::compareTo).orElseThrow();
        Instant until = now.plus(span.multipliedBy(2));
        List<String> statements = new ArrayList<>();
        while (start.isBefore(until) && statements.size() < MOST_PARTITIONS_PER_RUN) {
            Instant end = nextBoundary(start.isBefore(now) ? now : start);
            statements.add("CREATE TABLE IF NOT EXISTS presence_change_" + NAME.format(start)
                    + " PARTITION OF presence_change FOR VALUES FROM ('" + start + "') TO ('" + end + "')");
            start = end;
        }
        Uni<Void> all = Uni.createFrom().voidItem();
        for (String statement : statements) {
            all = all.chain(() -> connection.query(statement).execute()).replaceWithVoid();
        }
        return all;
    }

    private Instant nextBoundary(Instant after) {
        long spanMillis = span.toMillis();
        return Instant.ofEpochMilli((after.toEpochMilli() / spanMillis + 1) * spanMillis);
    }

    /** Detaches and drops every partition whose whole span is older than the retention, noting what it held. */
    private Uni<Void> dropOld(SqlConnection connection, List<Partition> partitions) {
        Uni<Void> all = Uni.createFrom().voidItem();
        for (Partition p : partitions) {
            if (p.upper().isAfter(p.now().minus(retention))) {
                continue;
            }
            String table = '"' + p.name().replace("\"", "") + '"';
            Uni<Void> detach = p.detaching()
                    ? connection.query("ALTER TABLE presence_change DETACH PARTITION " + table + " FINALIZE").execute().replaceWithVoid()
                    : connection.query("""
                            INSERT INTO presence_change_removed (through, removed_at)
                            SELECT max(sequence), now() FROM %s HAVING max(sequence) IS NOT NULL
                            ON CONFLICT (only_row) DO UPDATE SET through = greatest(presence_change_removed.through, excluded.through),
                                removed_at = excluded.removed_at""".formatted(table)).execute()
                            .chain(() -> connection.query("ALTER TABLE presence_change DETACH PARTITION " + table + " CONCURRENTLY").execute())
                            .replaceWithVoid();
            all = all.chain(() -> detach).chain(() -> connection.query("DROP TABLE " + table).execute())
                    .invoke(() -> LOG.infof("Removed the change log partition %s (changes before %s, older than the retention)",
                            p.name(), p.upper()))
                    .replaceWithVoid();
        }
        return all;
    }
}
