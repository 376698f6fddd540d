package org.ccpresence.graphql;

import java.util.List;
import java.util.Map;

import org.ccpresence.error.ContractErrors;
import java.util.concurrent.CompletableFuture;

import graphql.ExecutionInput;
import graphql.GraphQL;
import io.vertx.core.json.Json;

/**
 * One way of rendering a subscription's events: an operation, the variables that are not filters, and the roles of
 * the callers. Every subscriber of a shape gets the same {@code payload} text for an event, rendered once.
 */
public final class Shape {

    private final GraphQL renderer;
    private final String query;
    private final String operationName;
    private final Map<String, Object> variables;

    Shape(GraphQL renderer, String query, String operationName, Map<String, Object> variables) {
        this.renderer = renderer;
        this.query = query;
        this.operationName = operationName;
        this.variables = variables;
    }

    /**
     * The GraphQL response for one event ({@code {"data": …}}), as JSON text. Never fails: what goes wrong becomes the
     * response's INTERNAL error, so that one subscriber's shape cannot stop the feed that serves the others.
     */
    public CompletableFuture<String> render(Object event) {
        ExecutionInput input = ExecutionInput.newExecutionInput(query).operationName(operationName).variables(variables)
                .root(event).build();
        try {
            return renderer.executeAsync(input).thenApply(result -> Json.encode(result.toSpecification()))
                    .exceptionally(Shape::internalError);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(internalError(e));
        }
    }

    private static String internalError(Throwable failure) {
        return Json.encode(Map.of("data", Map.of(), "errors", List.of(ContractErrors.specification(ContractErrors.toApiException(failure)))));
    }

    /**
     * For events whose fields are all plain properties (no fetcher that waits): graphql-java then completes the
     * execution on the calling thread, so this never blocks.
     */
    public String renderNow(Object event) {
        return render(event).join();
    }
}
