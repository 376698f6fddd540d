package org.ccpresence.graphql;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import org.ccpresence.error.ApiException;
import org.ccpresence.error.ContractErrors;
import org.ccpresence.graphql.LiveEngine.Accepted;
import org.ccpresence.graphql.LiveEngine.RefusedOperation;
import org.ccpresence.security.Caller;
import org.ccpresence.security.CallerContext;

import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/**
 * One GraphQL WebSocket connection: the sub-protocol's messages, the caller (from connection_init or the upgrade
 * request), its subscriptions, and the socket's writes. Every write happens on the socket's event loop, in the order
 * the subscriptions handed their events over; while the socket takes no more, events wait in each subscription's
 * bounded outbox, and a socket that takes nothing for the write timeout is closed.
 */
final class WsConnection {

    private final GraphQLWebSocket transport;
    private final ServerWebSocket socket;
    private final WsProtocol protocol;
    private final String upgradeAuthorization;
    private final String address;
    private final Context context;

    private final Set<String> ids = ConcurrentHashMap.newKeySet();
    private final Map<String, WsSubscription> subscriptions = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<WsSubscription> ready = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    /** Event loop only. */
    private final Set<WsSubscription> blocked = new LinkedHashSet<>();
    private long writeTimer = -1;
    private long initTimer;
    private long keepAliveTimer = -1;
    private long expiryTimer = -1;
    private boolean initialised;
    private volatile Uni<Caller> caller;
    /** Whether the watcher was told this socket holds open subscriptions. */
    private boolean holding;
    private volatile boolean closed;

    WsConnection(GraphQLWebSocket transport, ServerWebSocket socket, WsProtocol protocol, String upgradeAuthorization,
            String address, Context context) {
        this.transport = transport;
        this.socket = socket;
        this.protocol = protocol;
        this.upgradeAuthorization = upgradeAuthorization;
        this.address = address;
        this.context = context;
    }

    void start() {
        transport.connected();
        socket.textMessageHandler(this::onMessage);
        socket.binaryMessageHandler(b -> close(4400, "Send GraphQL messages as text frames."));
        socket.drainHandler(v -> onDrain());
        socket.closeHandler(v -> onClose());
        socket.exceptionHandler(this::onFailure);
        initTimer = transport.vertx().setTimer(transport.initTimeout().toMillis(), id -> {
            if (!initialised) {
                close(4408, "Connection initialisation timeout");
            }
        });
    }

    /** The decoder refused a frame (over 64 KiB, or malformed): its close code says why (see {@link ClosingHandshake}). */
    void refused(CorruptedWebSocketFrameException corrupted) {
        close(corrupted.closeStatus().code(), corrupted.closeStatus().code() == 1009
                ? "Frame too big: send GraphQL messages of at most 64 KiB" : corrupted.closeStatus().reasonText());
    }

    /** Vert.x refuses messages over its limit (256 KiB, in frames of up to 64 KiB) by failing the socket: 1009 says why. */
    private void onFailure(Throwable failure) {
        if (failure instanceof CorruptedWebSocketFrameException corrupted) {
            refused(corrupted);
        } else if (String.valueOf(failure.getMessage()).contains("max message size")) {
            close(1009, "Message too big: send GraphQL messages of at most 256 KiB");
        } else {
            close(1011, "Unexpected condition");
        }
    }

    WsProtocol protocol() {
        return protocol;
    }

    private void onMessage(String text) {
        JsonObject message;
        String type;
        try {
            message = new JsonObject(text);
            type = message.getString("type");
        } catch (DecodeException | ClassCastException e) {
            close(4400, "Invalid message: send a JSON object with a string \"type\".");
            return;
        }
        if (type == null) {
            close(4400, "Invalid message: no \"type\".");
        } else if (type.equals("connection_init")) {
            init(message.getValue("payload"));
        } else if (type.equals(protocol.subscribe)) {
            subscribe(message);
        } else if (type.equals(protocol.stop)) {
            stop(message.getValue("id"));
        } else if (protocol == WsProtocol.TRANSPORT_WS && type.equals("ping")) {
            write("{\"type\":\"pong\"}");
        } else if (protocol == WsProtocol.TRANSPORT_WS && type.equals("pong")) {
            // the answer to a ping of ours
        } else if (protocol == WsProtocol.LEGACY_WS && type.equals("connection_terminate")) {
            close(1000, "Terminated by the client");
        } else {
            close(4400, "Unknown message type: " + type);
        }
    }

    private void init(Object payload) {
        if (initialised) {
            close(4429, "Too many initialisation requests");
            return;
        }
        initialised = true;
        transport.initialised(address);
        transport.vertx().cancelTimer(initTimer);
        String authorization = upgradeAuthorization;
        if (payload instanceof JsonObject init) {
            Object given = init.getValue("Authorization", init.getValue("authorization"));
            if (given instanceof String value) {
                authorization = value;
            }
        }
        caller = (authorization == null ? Uni.createFrom().<Caller>failure(CallerContext.unauthenticated())
                : transport.verifier().verify(authorization)).memoize().indefinitely();
        caller.subscribe().with(verified -> context.runOnContext(v -> untilExpiry(verified)), failure -> {
        });
        write("{\"type\":\"connection_ack\"}");
        if (protocol == WsProtocol.LEGACY_WS) {
            write("{\"type\":\"ka\"}");
            keepAliveTimer = transport.vertx().setPeriodic(transport.keepAlive().toMillis(), id -> write("{\"type\":\"ka\"}"));
        }
    }

    /** When the caller's token expires, its subscriptions end and new ones are refused. */
    private void untilExpiry(Caller verified) {
        if (verified.expiresAt().equals(Instant.MAX)) {
            return;
        }
        long left = Math.max(1, Duration.between(Instant.now(), verified.expiresAt()).toMillis());
        expiryTimer = transport.vertx().setTimer(left, id -> {
            caller = Uni.createFrom().failure(CallerContext.tokenExpired());
            subscriptions.values().forEach(s -> s.fail(CallerContext.tokenExpired()));
        });
    }

    private void subscribe(JsonObject message) {
        if (!initialised) {
            close(4401, "Unauthorized: send connection_init first");
            return;
        }
        if (!(message.getValue("id") instanceof String id) || id.isEmpty()) {
            close(4400, "Invalid message: " + protocol.subscribe + " needs a string id.");
            return;
        }
        if (ids.contains(id)) {
            close(4409, "Subscriber for " + id + " already exists");
            return;
        }
        if (!(message.getValue("payload") instanceof JsonObject payload) || !(payload.getValue("query") instanceof String query)
                || !(orElse(payload.getValue("variables"), new JsonObject()) instanceof JsonObject variables)
                || !(orElse(payload.getValue("operationName"), "") instanceof String operationName)) {
            if (protocol == WsProtocol.TRANSPORT_WS) { // a message of a format the protocol does not specify
                close(4400, "Invalid message: the subscribe payload needs a query (text), and may have variables "
                        + "(an object) and an operationName (text).");
                return;
            }
            refuse(id, ApiException.badInput("The payload needs a query (text), and may have variables (an object) and "
                    + "an operationName (text)."));
            return;
        }
        if (ids.size() >= transport.maxPerConnection()) {
            refuse(id, ApiException.badInput("At most " + transport.maxPerConnection() + " subscriptions may be open on "
                    + "one connection; complete one first, or filter one subscription by several agentIds instead of "
                    + "subscribing per agent."));
            return;
        }
        if (!transport.reserve()) {
            refuse(id, transport.full());
            return;
        }
        ids.add(id);
        caller.subscribe().with(
                verified -> context.runOnContext(v -> start(id, verified, query,
                        operationName.isEmpty() ? null : operationName, variables.getMap())),
                failure -> context.runOnContext(v -> failStart(id, ContractErrors.toApiException(failure))));
    }

    /** The protocol lets a client leave out variables and operationName, or send them as null. */
    private static Object orElse(Object given, Object absent) {
        return given == null ? absent : given;
    }

    private void start(String id, Caller verified, String query, String operationName, Map<String, Object> variables) {
        if (!ids.contains(id)) {
            return; // completed by the client meanwhile
        }
        Accepted accepted;
        try {
            accepted = transport.engine().accept(verified, query, operationName, variables);
        } catch (RefusedOperation refused) {
            release(id);
            writeError(id, refused.errors());
            return;
        } catch (RuntimeException e) {
            failStart(id, ContractErrors.toApiException(e));
            return;
        }
        WsSubscription subscription = new WsSubscription(this, id, accepted.field().name(), accepted.shape(),
                transport.buffer());
        subscriptions.put(id, subscription);
        watchHolding(verified);
        Uni.createFrom().deferred(() -> accepted.field().open(verified, accepted.arguments(), subscription))
                .subscribe().with(subscription::feedStarted, failure -> context.runOnContext(v -> {
                    if (subscriptions.remove(id, subscription)) {
                        watchHolding(verified);
                        failStart(id, ContractErrors.toApiException(failure));
                    }
                }));
    }

    private void failStart(String id, ApiException error) {
        if (release(id)) {
            refuse(id, error);
        }
    }

    private void refuse(String id, ApiException error) {
        writeError(id, List.of(ContractErrors.specification(error)));
    }

    private void writeError(String id, List<Map<String, Object>> errors) {
        write("{\"id\":" + Json.encode(id) + ",\"type\":\"error\",\"payload\":" + Json.encode(errors) + "}");
    }

    private void stop(Object id) {
        if (id instanceof String key) {
            WsSubscription subscription = subscriptions.remove(key);
            release(key);
            if (subscription != null) {
                subscription.cancel();
                watchHolding(null);
            }
        }
    }

    /** Forgets a subscription that ended from the server's side, once its last frames are written. */
    void forget(WsSubscription subscription) {
        if (subscriptions.remove(subscription.id(), subscription)) {
            release(subscription.id());
            watchHolding(null);
        }
    }

    private boolean release(String id) {
        if (ids.remove(id)) {
            transport.release();
            return true;
        }
        return false;
    }

    String completeMessage(String id) {
        return "{\"id\":" + Json.encode(id) + ",\"type\":\"complete\"}";
    }

    /** A subscription has frames to write: written on the event loop, one flush for however many arrive meanwhile. */
    void ready(WsSubscription subscription) {
        ready.add(subscription);
        if (flushScheduled.compareAndSet(false, true)) {
            context.runOnContext(v -> flush());
        }
    }

    private void flush() {
        flushScheduled.set(false);
        WsSubscription subscription;
        while ((subscription = ready.poll()) != null) {
            if (closed) {
                ready.clear();
                return;
            }
            if (socketFull() || subscription.writeQueued()) {
                blocked.add(subscription);
            }
        }
        if (!blocked.isEmpty() && writeTimer < 0) {
            writeTimer = transport.vertx().setTimer(transport.writeTimeout().toMillis(), id -> {
                writeTimer = -1;
                if (!blocked.isEmpty() && socketFull()) {
                    close(1008, "The client read nothing for " + transport.writeTimeout().toSeconds()
                            + " s; reconnect and resume with afterSequence");
                }
            });
        }
    }

    private void onDrain() {
        if (writeTimer >= 0) {
            transport.vertx().cancelTimer(writeTimer);
            writeTimer = -1;
        }
        ready.addAll(blocked);
        blocked.clear();
        flush();
    }

    boolean socketFull() {
        return socket.isClosed() || socket.writeQueueFull();
    }

    /** On the event loop only. */
    void write(String text) {
        if (!closed) {
            socket.writeTextMessage(text);
        }
    }

    void delivered(long committedAt) {
        transport.delivered(committedAt);
    }

    /** Tells the watcher when this socket starts or stops holding open subscriptions ({@code caller}: who opened one). */
    private void watchHolding(Caller caller) {
        boolean now = !closed && !subscriptions.isEmpty();
        if (now != holding) {
            holding = now;
            if (now) {
                transport.watcher().holding(this, caller);
            } else {
                transport.watcher().released(this);
            }
        }
    }

    /** A close frame's reason holds at most 123 bytes; what the client sent may be quoted in it. */
    private void close(int code, String reason) {
        if (!closed) {
            String fitting = reason.length() > 123 ? reason.substring(0, 120) + "..." : reason;
            while (fitting.getBytes(StandardCharsets.UTF_8).length > 123) {
                fitting = fitting.substring(0, fitting.length() - 4) + "...";
            }
            socket.close((short) code, fitting);
        }
    }

    private void onClose() {
        closed = true;
        transport.disconnected();
        if (!initialised) {
            transport.initialised(address);
        }
        for (long timer : new long[] { initTimer, keepAliveTimer, expiryTimer, writeTimer }) {
            if (timer >= 0) {
                transport.vertx().cancelTimer(timer);
            }
        }
        subscriptions.values().forEach(WsSubscription::cancel);
        subscriptions.clear();
        watchHolding(null);
        ids.forEach(this::release);
        blocked.clear();
        ready.clear();
    }
}
