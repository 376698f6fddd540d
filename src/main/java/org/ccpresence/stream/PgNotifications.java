package org.ccpresence.stream;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.ccpresence.error.Stopping;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;

/**
 * This replica's single LISTEN connection to PostgreSQL, shared by every feed. It reconnects on its own; feeds learn
 * of each (re)subscription so they can catch up from their tables, which, not the notifications, hold the truth.
 */
@ApplicationScoped
public class PgNotifications {

    private static final Logger LOG = Logger.getLogger(PgNotifications.class);

    private final PgSubscriber subscriber;

    PgNotifications(Vertx vertx,
            @ConfigProperty(name = "quarkus.datasource.reactive.url") String url,
            @ConfigProperty(name = "quarkus.datasource.username") Optional<String> user,
            @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password,
            @ConfigProperty(name = "presence.listen.reconnect-delay", defaultValue = "500ms") Duration reconnectDelay) {
        PgConnectOptions options = PgConnectOptions.fromUri(url.replaceFirst("^vertx-reactive:", ""));
        user.ifPresent(options::setUser);
        password.ifPresent(options::setPassword);
        // Reported as postgresql_*{clientName="listen"} ("prefix|client name", as Quarkus names the pool): under the
        // pool's name its gauges were refused as already registered and its requests counted as the pool's.
        options.setMetricsName("postgresql|listen");
        long delay = reconnectDelay.toMillis();
        subscriber = PgSubscriber.subscriber(vertx, options).reconnectPolicy(retries -> delay);
        subscriber.closeHandler(v -> {
            if (!Stopping.underway()) { // closed by the shutdown itself otherwise
                LOG.warn("LISTEN connection closed; reconnecting");
            }
        });
    }

    /**
     * Listens on a channel. {@code onSubscribed} runs whenever the LISTEN is (re)established, on the connection's
     * context; {@code onNotification} gets each payload.
     */
    public void listen(String channel, Consumer<String> onNotification, Runnable onSubscribed) {
        subscriber.channel(channel)
                .subscribeHandler(v -> onSubscribed.run())
                .handler(onNotification::accept);
    }

    void connect(@Observes StartupEvent event) {
        subscriber.connect().onFailure(f -> LOG.error("Cannot LISTEN to PostgreSQL; retrying", f));
    }

    void close(@Observes ShutdownEvent event) {
        subscriber.close();
    }
}
