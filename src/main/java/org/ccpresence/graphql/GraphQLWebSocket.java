package org.ccpresence.graphql;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.ccpresence.error.ApiException;
import org.ccpresence.error.ErrorCode;
import org.ccpresence.security.TokenVerifier;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Multi;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * GraphQL over WebSocket at {@code /graphql}, with both sub-protocols (graphql-transport-ws and the legacy graphql-ws),
 * served here rather than by SmallRye GraphQL's handler: a connection holds only its socket, its caller and its
 * subscriptions' filters and outboxes, and each event is rendered once per shape ({@link LiveEngine}), not once per
 * subscriber. Queries and mutations stay on HTTP, with SmallRye GraphQL.
 */
@ApplicationScoped
public class GraphQLWebSocket {

    private static final Logger LOG = Logger.getLogger(GraphQLWebSocket.class);
    /** Roughly what one open subscription costs, all included; the default replica limit is sized from it. */
    private static final long HEAP_PER_SUBSCRIPTION = 16 * 1024;

    private final Vertx vertx;
    private final LiveEngine engine;
    private final TokenVerifier verifier;
    private final int maxPerConnection;
    private final SocketWatcher watcher;
    private final int maxSubscriptions;
    private final int buffer;
    private final Duration initTimeout;
    private final Duration writeTimeout;
    private final Duration keepAlive;
    private final int maxUninitialisedPerAddress;
    /** Sockets that have not sent connection_init yet, by client address: what a client holds without a token. */
    private final Map<String, AtomicInteger> uninitialised = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();
    private final Timer delivery;

    GraphQLWebSocket(Vertx vertx, LiveEngine engine, TokenVerifier verifier, SocketWatcher watcher, MeterRegistry metrics,
            @ConfigProperty(name = "presence.graphql.max-subscriptions-per-connection", defaultValue = "100") int maxPerConnection,
            @ConfigProperty(name = "presence.graphql.max-subscriptions") Optional<Integer> maxSubscriptions,
            @ConfigProperty(name = "presence.stream.subscriber-buffer", defaultValue = "1000") int buffer,
            @ConfigProperty(name = "presence.graphql.connection-init-timeout", defaultValue = "10s") Duration initTimeout,
            @ConfigProperty(name = "presence.graphql.write-timeout", defaultValue = "30s") Duration writeTimeout,
            @ConfigProperty(name = "presence.graphql.keep-alive", defaultValue = "10s") Duration keepAlive,
            @ConfigProperty(name = "presence.graphql.max-uninitialised-per-address", defaultValue = "100") int maxUninitialisedPerAddress) {
        this.vertx = vertx;
        this.engine = engine;
        this.verifier = verifier;
        this.watcher = watcher;
        Gauge.builder("presence.subscriptions", open, AtomicInteger::get).description("Open subscriptions").register(metrics);
        Gauge.builder("presence.websocket.connections", connections, AtomicInteger::get).description("Open WebSocket connections")
                .register(metrics);
        this.delivery = Timer.builder("presence.delivery")
                .description("From a change's commit (its `at`) to its write to a subscriber's socket, live events only")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(metrics);
        this.maxPerConnection = maxPerConnection;
        this.maxSubscriptions = maxSubscriptions.orElse((int) Math.min(Integer.MAX_VALUE,
                Runtime.getRuntime().maxMemory() / HEAP_PER_SUBSCRIPTION));
        this.buffer = buffer;
        this.initTimeout = initTimeout;
        this.writeTimeout = writeTimeout;
        this.keepAlive = keepAlive;
        this.maxUninitialisedPerAddress = maxUninitialisedPerAddress;
    }

    /** What an HTTP request for a subscription gets: the {@code @Subscription} methods only declare the fields. */
    public static <T> Multi<T> onlyOverWebSocket() {
        return Multi.createFrom().failure(ApiException.badInput(
                "Subscriptions run over WebSocket at /graphql (sub-protocol graphql-transport-ws or graphql-ws)."));
    }

    void register(@Observes Router router) {
        // Before SmallRye GraphQL's own upgrade handler on the same path; plain HTTP requests pass on to it.
        router.route("/graphql").order(-140).handler(this::upgrade);
    }

    private void upgrade(RoutingContext rc) {
        if (!"websocket".equalsIgnoreCase(rc.request().getHeader("Upgrade"))) {
            rc.next();
            return;
        }
        String address = rc.request().remoteAddress() == null ? "" : rc.request().remoteAddress().hostAddress();
        AtomicInteger waiting = uninitialised.computeIfAbsent(address, a -> new AtomicInteger());
        if (waiting.incrementAndGet() > maxUninitialisedPerAddress) {
            initialised(address);
            rc.response().setStatusCode(429).putHeader("Retry-After", "10")
                    .end("Too many WebSockets from your address are waiting to send connection_init.");
            return;
        }
        String authorization = rc.request().getHeader("Authorization");
        rc.request().toWebSocket().onSuccess(socket -> {
            WsProtocol protocol = WsProtocol.of(socket.subProtocol());
            if (protocol == null) {
                initialised(address);
                socket.close((short) 4406, "Subprotocol not acceptable: use graphql-transport-ws or graphql-ws");
                return;
            }
            Context context = vertx.getOrCreateContext();
            WsConnection connection = new WsConnection(this, socket, protocol, authorization, address, context);
            ClosingHandshake.install(rc.request().connection(), refused -> context.runOnContext(v -> connection.refused(refused)));
            connection.start();
        }).onFailure(failure -> {
            initialised(address);
            LOG.debugf("WebSocket upgrade failed: %s", failure.getMessage());
        });
    }

    /** The socket from this address sent connection_init, or closed before it did. */
    void initialised(String address) {
        uninitialised.computeIfPresent(address, (a, count) -> count.decrementAndGet() <= 0 ? null : count);
    }

    boolean reserve() {
        if (open.incrementAndGet() > maxSubscriptions) {
            open.decrementAndGet();
            return false;
        }
        return true;
    }

    void release() {
        open.decrementAndGet();
    }

    void connected() {
        connections.incrementAndGet();
    }

    void disconnected() {
        connections.decrementAndGet();
    }

    /** An event committed at {@code committedAt} (epoch ms) was just written to a socket. */
    void delivered(long committedAt) {
        delivery.record(Math.max(0, System.currentTimeMillis() - committedAt), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    ApiException full() {
        return new ApiException(ErrorCode.INTERNAL, "This replica holds as many subscriptions as it may ("
                + maxSubscriptions + "); subscribe through another replica, or retry later.");
    }

    Vertx vertx() {
        return vertx;
    }

    SocketWatcher watcher() {
        return watcher;
    }

    LiveEngine engine() {
        return engine;
    }

    TokenVerifier verifier() {
        return verifier;
    }

    int maxPerConnection() {
        return maxPerConnection;
    }

    int buffer() {
        return buffer;
    }

    Duration initTimeout() {
        return initTimeout;
    }

    Duration writeTimeout() {
        return writeTimeout;
    }

    Duration keepAlive() {
        return keepAlive;
    }
}
