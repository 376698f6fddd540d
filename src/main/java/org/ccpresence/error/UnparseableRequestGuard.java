package org.ccpresence.error;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import graphql.parser.InvalidSyntaxException;
import graphql.parser.Parser;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * Answers HTTP requests that are not GraphQL at all (no JSON, no query, a query that does not parse) with a contract
 * error. SmallRye GraphQL refuses them before graphql-java runs, where {@link ContractErrorInstrumentation} cannot see
 * them, and with a message that does not say what is wrong.
 */
@ApplicationScoped
class UnparseableRequestGuard {

    /** Clients send the same few operations over and over: parse each once. */
    private static final int MAX_REMEMBERED = 1000;
    private static final Map<String, Boolean> PARSED = new ConcurrentHashMap<>();

    /** The body limit Quarkus applies to requests with a Content-Length; chunked bodies are read here, so here too. */
    @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10M")
    MemorySize maxBodySize;

    void register(@Observes Router router) {
        router.post("/graphql").order(-90).handler(BodyHandler.create().setBodyLimit(maxBodySize.asLongValue()));
        router.post("/graphql").order(-89).handler(this::check);
    }

    private void check(RoutingContext rc) {
        String contentType = rc.request().getHeader("Content-Type");
        if (contentType == null || !contentType.startsWith("application/json")) {
            rc.next();
            return;
        }
        String problem = problem(rc);
        if (problem == null) {
            rc.next();
            return;
        }
        ContractErrors.respond(rc, 200, ApiException.badInput(problem));
    }

    private static String problem(RoutingContext rc) {
        JsonObject body;
        try {
            body = rc.body().asJsonObject();
        } catch (DecodeException | ClassCastException e) {
            return "The request body is not a JSON object; send {\"query\": \"…\", \"variables\": {…}}.";
        }
        Object query = body == null ? null : body.getValue("query");
        if (!(query instanceof String text) || text.isBlank()) {
            return "The request has no \"query\"; send {\"query\": \"…\", \"variables\": {…}}.";
        }
        if (PARSED.containsKey(text)) {
            return null;
        }
        try {
            Parser.parse(text);
            if (PARSED.size() < MAX_REMEMBERED) {
                PARSED.put(text, Boolean.TRUE);
            }
            return null;
        } catch (InvalidSyntaxException e) {
            return "The query does not parse: " + e.getMessage();
        }
    }
}
