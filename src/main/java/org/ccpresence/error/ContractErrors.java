package org.ccpresence.error;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jboss.logging.Logger;

import graphql.ErrorClassification;
import graphql.ErrorType;
import graphql.ExceptionWhileDataFetching;
import graphql.GraphQLError;
import graphql.execution.AbortExecutionException;
import io.vertx.core.json.Json;
import io.vertx.ext.web.RoutingContext;

/**
 * The one place where failures become contract errors: every error leaving the API gets an {@code extensions.code}
 * from {@link ErrorCode} and a message meant for the caller. Anything unexpected is logged with a reference and
 * reaches the client only as {@code INTERNAL} with that reference.
 */
public final class ContractErrors {

    private static final Logger LOG = Logger.getLogger(ContractErrors.class);

    private ContractErrors() {
    }

    public static GraphQLError toContractError(GraphQLError error) {
        if (error instanceof ExceptionWhileDataFetching fetching) {
            ApiException api = toApiException(fetching.getException());
            return rebuild(error, api.code(), api.getMessage());
        }
        if (error instanceof AbortExecutionException) {
            return rebuild(error, ErrorCode.BAD_USER_INPUT, "Request refused: " + error.getMessage()
                    + ". Ask for fewer nested fields or split the request.");
        }
        if (error instanceof ContractError) {
            return error;
        }
        ErrorClassification type = error.getErrorType();
        if (type == ErrorType.InvalidSyntax || type == ErrorType.ValidationError || type == ErrorType.OperationNotSupported) {
            // graphql-java's messages for these describe the request, never the server.
            return rebuild(error, ErrorCode.BAD_USER_INPUT, error.getMessage());
        }
        // e.g. a null in a non-null field: a bug of ours, not something the caller can fix.
        return rebuild(error, ErrorCode.INTERNAL, internal(new IllegalStateException(error.getMessage())));
    }

    /**
     * Ends an HTTP request that never reaches the GraphQL engine (it does not parse, or is not authenticated) with a
     * GraphQL response carrying the contract error.
     */
    public static void respond(RoutingContext rc, int status, ApiException error) {
        rc.response().setStatusCode(status)
                .putHeader("Content-Type", "application/graphql-response+json; charset=utf-8")
                .end(Json.encode(Map.of("errors", List.of(specification(error)))));
    }

    /** The error as it appears in a GraphQL response's {@code errors}. */
    public static Map<String, Object> specification(ApiException error) {
        return new ContractError(error.code(), error.getMessage(), List.of(), null).toSpecification();
    }

    /** Maps any failure to the exception the client may see. */
    public static ApiException toApiException(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ApiException api) {
                return api;
            }
        }
        return DatabaseErrors.translate(failure)
                .or(() -> SecurityErrors.translate(failure))
                .orElseGet(() -> new ApiException(ErrorCode.INTERNAL, internal(failure)));
    }

    private static String internal(Throwable failure) {
        String reference = UUID.randomUUID().toString();
        LOG.errorf(failure, "Internal error, reference %s", reference);
        return "Internal error (reference " + reference + "). Retry later; if it persists, give the reference to the operator.";
    }

    private static GraphQLError rebuild(GraphQLError original, ErrorCode code, String message) {
        return new ContractError(code, message, original.getLocations(), original.getPath());
    }
}
