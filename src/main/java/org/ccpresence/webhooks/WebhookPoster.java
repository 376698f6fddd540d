package org.ccpresence.webhooks;

import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;

/**
 * Posts one signed batch, non-blocking (Vert.x's HTTP client: it can connect to the address {@link WebhookTargets}
 * checked while keeping the URL's host for the Host header and TLS). An attempt succeeds only on a 2xx answer within
 * the timeout; redirects are not followed; at most {@link #MAX_ANSWER} bytes of the answer are read, and nothing of it
 * is kept.
 */
@ApplicationScoped
class WebhookPoster {

    static final int MAX_ANSWER = 64 * 1024;
    private static final int MAX_ERROR = 200;

    private final Vertx vertx;
    private final WebhookTargets targets;
    private final HttpClient client;
    private final long timeoutMillis;

    WebhookPoster(Vertx vertx, WebhookTargets targets,
            @ConfigProperty(name = "presence.webhooks.timeout", defaultValue = "10s") Duration timeout) {
        this.vertx = vertx;
        this.targets = targets;
        this.timeoutMillis = timeout.toMillis();
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) timeoutMillis) // the idle timeout is set per request, below
                .setMaxPoolSize(4)
                .setKeepAlive(true));
    }

    /** Null when the receiver acknowledged the batch, else why not (shortened, never the receiver's body). */
    Uni<String> post(String url, String secret, String id, String body) {
        URI uri = WebhookTargets.parse(url);
        Promise<String> outcome = Promise.promise();
        long timer = vertx.setTimer(timeoutMillis, t -> outcome.tryComplete("no answer within " + timeoutMillis / 1000 + " s"));
        targets.resolve(uri).subscribe().with(address -> {
            if (!outcome.future().isComplete()) {
                send(uri, address, secret, id, body, outcome);
            }
        }, failure -> outcome.tryComplete(shortened(failure.getMessage())));
        return Uni.createFrom().completionStage(outcome.future().onComplete(done -> vertx.cancelTimer(timer)).toCompletionStage());
    }

    private void send(URI uri, InetAddress address, String secret, String id, String body, Promise<String> outcome) {
        long timestamp = Instant.now().getEpochSecond();
        int port = uri.getPort() != -1 ? uri.getPort() : uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(uri.toString())
                .setServer(SocketAddress.inetSocketAddress(port, address.getHostAddress()))
                .setFollowRedirects(false)
                .setConnectTimeout(timeoutMillis)
                .setIdleTimeout(timeoutMillis)
                .putHeader("Content-Type", "application/json")
                .putHeader("User-Agent", "presence-service-webhooks")
                .putHeader("webhook-id", id)
                .putHeader("webhook-timestamp", Long.toString(timestamp))
                .putHeader("webhook-signature", WebhookSignature.sign(secret, id, timestamp, body));
        client.request(options).onSuccess(request -> {
            outcome.future().onComplete(done -> {
                if (done.result() != null) {
                    request.reset(); // given up (timeout, oversized answer): drop the connection, not the replica's time
                }
            });
            request.response().onSuccess(response -> {
                int status = response.statusCode();
                long[] read = { 0 };
                response.handler(chunk -> {
                    read[0] += chunk.length();
                    if (read[0] > MAX_ANSWER) {
                        outcome.tryComplete("HTTP " + status + " with an answer over " + MAX_ANSWER / 1024 + " KiB");
                    }
                });
                response.exceptionHandler(e -> outcome.tryComplete(shortened(e.getMessage())));
                response.endHandler(v -> outcome.tryComplete(status >= 200 && status < 300 ? null : "HTTP " + status
                        + (status >= 300 && status < 400 ? " (redirects are not followed)" : "")));
            }).onFailure(e -> outcome.tryComplete(shortened(e.getMessage())));
            request.end(body).onFailure(e -> outcome.tryComplete(shortened(e.getMessage())));
        }).onFailure(e -> outcome.tryComplete(shortened(e.getMessage())));
    }

    static String shortened(String error) {
        String text = error == null || error.isBlank() ? "connection failed" : error.replaceAll("\\s+", " ").strip();
        return text.length() <= MAX_ERROR ? text : text.substring(0, MAX_ERROR - 1) + "…";
    }

    @PreDestroy
    void close() {
        client.close();
    }
}
