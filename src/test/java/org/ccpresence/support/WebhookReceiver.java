package org.ccpresence.support;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

/**
 * A real HTTP receiver for webhook tests, on 127.0.0.1: records every request (headers and body) and answers as the
 * test says, request by request (a status, a delay, a redirect, a huge body, or no answer at all). It also notes
 * whether two requests were ever in progress at once.
 */
public final class WebhookReceiver implements AutoCloseable {

    /** How to answer the n-th request (from 1). */
    public sealed interface Answer {
        record Status(int code) implements Answer {
        }

        record Hang() implements Answer {
        }

        record HugeBody(int bytes) implements Answer {
        }

        record Delayed(int code, long millis) implements Answer {
        }
    }

    public record Received(String id, String timestamp, String signature, String contentType, String body, long receivedAt) {
        public JsonObject json() {
            return new JsonObject(body);
        }
    }

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger inProgress = new AtomicInteger();
    private volatile boolean overlapped;
    private volatile IntFunction<Answer> answers = n -> new Answer.Status(200);

    public WebhookReceiver() throws Exception {
        server = vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    public String url() {
        return "http://127.0.0.1:" + server.actualPort() + "/hooks/presence";
    }

    public void answer(IntFunction<Answer> answers) {
        this.answers = answers;
    }

    public List<Received> received() {
        return new ArrayList<>(received);
    }

    public boolean overlapped() {
        return overlapped;
    }

    private void handle(HttpServerRequest request) {
        if (inProgress.incrementAndGet() > 1) {
            overlapped = true;
        }
        request.body().onSuccess(body -> {
            received.add(new Received(request.getHeader("webhook-id"), request.getHeader("webhook-timestamp"),
                    request.getHeader("webhook-signature"), request.getHeader("Content-Type"),
                    body.toString(StandardCharsets.UTF_8), System.currentTimeMillis()));
            Answer answer = answers.apply(received.size());
            if (answer instanceof Answer.Hang) {
                request.connection().closeHandler(v -> inProgress.decrementAndGet());
                return;
            }
            if (answer instanceof Answer.Delayed delayed) {
                vertx.setTimer(delayed.millis(), t -> {
                    inProgress.decrementAndGet();
                    request.response().setStatusCode(delayed.code()).end();
                });
                return;
            }
            inProgress.decrementAndGet();
            if (answer instanceof Answer.HugeBody huge) {
                request.response().setStatusCode(200).end(io.vertx.core.buffer.Buffer.buffer(new byte[huge.bytes()]));
            } else {
                int code = ((Answer.Status) answer).code();
                var response = request.response().setStatusCode(code);
                if (code >= 300 && code < 400) {
                    response.putHeader("Location", url() + "/elsewhere");
                }
                response.end("{\"answer\":" + code + "}");
            }
        });
    }

    /** The Standard Webhooks signature, computed here independently of the service's code. */
    public static String sign(String secret, String id, String timestamp, String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
        return "v1," + Base64.getEncoder().encodeToString(mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
    }

    public static String newSecret() {
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        return "whsec_" + Base64.getEncoder().encodeToString(key);
    }

    public static Map<String, Object> input(String url, String secret) {
        Map<String, Object> in = new java.util.HashMap<>();
        in.put("url", url);
        in.put("secret", secret);
        return in;
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
