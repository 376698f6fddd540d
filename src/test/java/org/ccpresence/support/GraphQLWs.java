package org.ccpresence.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

/**
 * A small GraphQL-over-WebSocket client for tests, speaking either sub-protocol that clients use:
 * {@code graphql-transport-ws} (subscribe/next/error/complete) or the legacy {@code graphql-ws} (start/data/error/complete).
 */
public final class GraphQLWs implements AutoCloseable {

    public enum Protocol {
        TRANSPORT_WS("graphql-transport-ws", "subscribe", "next"),
        LEGACY_WS("graphql-ws", "start", "data");

        final String name;
        final String subscribe;
        final String next;

        Protocol(String name, String subscribe, String next) {
            this.name = name;
            this.subscribe = subscribe;
            this.next = next;
        }
    }

    private final HttpClient http;
    private final WebSocket socket;
    private final Protocol protocol;
    private final Map<String, BlockingQueue<JsonObject>> byId = new ConcurrentHashMap<>();
    private final BlockingQueue<JsonObject> connection = new LinkedBlockingQueue<>();
    private final AtomicInteger ids = new AtomicInteger();
    private volatile Short closeStatus;
    private volatile String closeReason;

    private GraphQLWs(HttpClient http, WebSocket socket, Protocol protocol) {
        this.http = http;
        this.socket = socket;
        this.protocol = protocol;
        socket.textMessageHandler(text -> {
            JsonObject message = new JsonObject(text);
            String id = message.getString("id");
            if (id == null) {
                connection.add(message);
            } else {
                byId.computeIfAbsent(id, k -> new LinkedBlockingQueue<>()).add(message);
            }
        });
        socket.closeHandler(v -> {
            closeStatus = socket.closeStatusCode();
            closeReason = socket.closeReason();
            connection.add(new JsonObject().put("type", "socket-closed"));
        });
    }

    /** Opens the socket and completes the connection_init handshake (with an optional payload and upgrade headers). */
    public static GraphQLWs connect(Vertx vertx, int port, Protocol protocol, Map<String, Object> initPayload,
            Map<String, String> headers) throws Exception {
        return connect(vertx, new HttpClientOptions(), port, protocol, initPayload, headers);
    }

    /** As an administrator, with the client's own socket options (e.g. a small receive buffer). */
    public static GraphQLWs connect(Vertx vertx, HttpClientOptions socketOptions, int port, Protocol protocol) throws Exception {
        return connect(vertx, socketOptions, port, protocol, Map.of("Authorization", "Bearer " + Tokens.admin()), Map.of());
    }

    private static GraphQLWs connect(Vertx vertx, HttpClientOptions socketOptions, int port, Protocol protocol,
            Map<String, Object> initPayload, Map<String, String> headers) throws Exception {
        HttpClient http = vertx.createHttpClient(socketOptions);
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("localhost").setPort(port)
                .setURI("/graphql").setSubProtocols(List.of(protocol.name));
        headers.forEach(options::addHeader);
        CompletableFuture<WebSocket> opened = new CompletableFuture<>();
        http.webSocket(options).onSuccess(opened::complete).onFailure(opened::completeExceptionally);
        GraphQLWs client = new GraphQLWs(http, opened.get(10, TimeUnit.SECONDS), protocol);
        JsonObject init = new JsonObject().put("type", "connection_init");
        if (initPayload != null) {
            init.put("payload", new JsonObject(initPayload));
        }
        client.socket.writeTextMessage(init.encode());
        JsonObject ack = client.nextConnectionMessage(Duration.ofSeconds(10));
        if (ack == null || !"connection_ack".equals(ack.getString("type"))) {
            throw new IllegalStateException("no connection_ack, got " + ack);
        }
        return client;
    }

    /** Connects as an administrator, with the token in connection_init as browser clients send it. */
    public static GraphQLWs connect(Vertx vertx, int port, Protocol protocol) throws Exception {
        return connect(vertx, port, protocol, Map.of("Authorization", "Bearer " + Tokens.admin()), Map.of());
    }

    public Subscription subscribe(String query, Map<String, Object> variables) {
        String id = Integer.toString(ids.incrementAndGet());
        byId.computeIfAbsent(id, k -> new LinkedBlockingQueue<>());
        JsonObject payload = new JsonObject().put("query", query).put("variables", new JsonObject(variables));
        socket.writeTextMessage(new JsonObject().put("id", id).put("type", protocol.subscribe).put("payload", payload).encode());
        return new Subscription(id);
    }

    /** The next message without an id (connection_ack, ka, connection_error, or "socket-closed"), or null. */
    public JsonObject nextConnectionMessage(Duration timeout) throws InterruptedException {
        JsonObject m;
        do {
            m = connection.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } while (m != null && "ka".equals(m.getString("type")));
        return m;
    }

    public Short closeStatus() {
        return closeStatus;
    }

    public String closeReason() {
        return closeReason;
    }

    /** Stops reading from the socket, as a stalled client would: the service's writes back up. */
    public void pauseReading() {
        socket.pause();
    }

    public void resumeReading() {
        socket.resume();
    }

    /** Drops the TCP connection without a close handshake, as a network failure would. */
    public void drop() {
        socket.close((short) 1001, "test drops the connection");
    }

    @Override
    public void close() {
        socket.close();
        http.close();
    }

    public final class Subscription {
        public final String id;

        Subscription(String id) {
            this.id = id;
        }

        /** The next message of this subscription: type plus payload. Null on timeout. */
        public JsonObject nextMessage(Duration timeout) throws InterruptedException {
            return byId.get(id).poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        /** The next event's data, failing on an error, completion or timeout. */
        public JsonObject nextData(Duration timeout) throws InterruptedException {
            JsonObject m = nextMessage(timeout);
            if (m == null) {
                throw new AssertionError("no event within " + timeout);
            }
            if (!protocol.next.equals(m.getString("type"))) {
                throw new AssertionError("expected an event, got " + m.encodePrettily());
            }
            JsonObject payload = m.getJsonObject("payload");
            if (payload.getValue("errors") != null) {
                throw new AssertionError("event carries errors: " + payload.encodePrettily());
            }
            return payload.getJsonObject("data");
        }

        /**
         * The errors that ended this subscription, as JSON text: from an {@code error} message, or from a final event
         * that carries errors (how a stream that fails after it started reports it).
         */
        public String nextError(Duration timeout) throws InterruptedException {
            JsonObject m = nextMessage(timeout);
            if (m == null) {
                throw new AssertionError("no error within " + timeout);
            }
            Object payload = m.getValue("payload");
            if ("error".equals(m.getString("type"))) {
                return String.valueOf(payload);
            }
            if (protocol.next.equals(m.getString("type")) && payload instanceof JsonObject p && p.getValue("errors") != null) {
                return p.getValue("errors").toString();
            }
            throw new AssertionError("expected an error, got " + m.encodePrettily());
        }

        public List<JsonObject> take(int count, Duration timeout) throws InterruptedException {
            List<JsonObject> events = new ArrayList<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (events.size() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("got " + events.size() + " of " + count + " events within " + timeout);
                }
                events.add(nextData(Duration.ofNanos(left)));
            }
            return events;
        }

        /**
         * The next {@code count} presence changes of the given agents, in order: for unfiltered subscriptions, which
         * also see what other tests and the scheduler change meanwhile.
         */
        public List<String> agentsOfNext(int count, java.util.Set<String> agents, Duration timeout) throws InterruptedException {
            List<String> seen = new ArrayList<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (seen.size() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("got " + seen + " of " + count + " changes of " + agents + " within " + timeout);
                }
                String agent = nextData(Duration.ofNanos(left)).getJsonObject("presenceChanged").getString("agentId");
                if (agents.contains(agent)) {
                    seen.add(agent);
                }
            }
            return seen;
        }

        /** Asserts that no change of the given agents arrives within the given time (others may). */
        public void expectSilenceFrom(java.util.Set<String> agents, Duration quiet) throws InterruptedException {
            long deadline = System.nanoTime() + quiet.toNanos();
            JsonObject m;
            while ((m = nextMessage(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) != null) {
                JsonObject change = m.getJsonObject("payload").getJsonObject("data").getJsonObject("presenceChanged");
                if (agents.contains(change.getString("agentId"))) {
                    throw new AssertionError("expected nothing of " + agents + ", got " + m.encodePrettily());
                }
            }
        }

        /** Asserts that nothing arrives for this subscription within the given time. */
        public void expectSilence(Duration quiet) throws InterruptedException {
            JsonObject m = nextMessage(quiet);
            if (m != null) {
                throw new AssertionError("expected nothing, got " + m.encodePrettily());
            }
        }

        public void stop() {
            String type = protocol == Protocol.TRANSPORT_WS ? "complete" : "stop";
            socket.writeTextMessage(new JsonObject().put("id", id).put("type", type).encode());
        }
    }
}
