package org.ccpresence.error;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import graphql.ExecutionResult;
import graphql.GraphQLError;
import graphql.execution.NonNullableFieldWasNullError;
import graphql.execution.instrumentation.InstrumentationState;
import graphql.execution.instrumentation.SimplePerformantInstrumentation;
import graphql.execution.instrumentation.parameters.InstrumentationExecutionParameters;

/** Rewrites every error of every execution result into a contract error (see {@link ContractErrors}). */
public final class ContractErrorInstrumentation extends SimplePerformantInstrumentation {

    @Override
    public CompletableFuture<ExecutionResult> instrumentExecutionResult(ExecutionResult result,
            InstrumentationExecutionParameters parameters, InstrumentationState state) {
        if (result.getErrors().isEmpty()) {
            return CompletableFuture.completedFuture(result);
        }
        List<GraphQLError> mapped = result.getErrors().stream().map(ContractErrors::toContractError).toList();
        List<GraphQLError> errors = mapped;
        // An argument that does not coerce (a malformed DateTime, say) is reported by SmallRye GraphQL, which then
        // leaves the field null; the null in a non-null field that follows is that input error, not a second one.
        if (mapped.stream().anyMatch(e -> e instanceof ContractError c && c.code() == ErrorCode.BAD_USER_INPUT)) {
            List<GraphQLError> original = result.getErrors();
            errors = java.util.stream.IntStream.range(0, original.size())
                    .filter(i -> !(original.get(i) instanceof NonNullableFieldWasNullError))
                    .mapToObj(mapped::get).toList();
        }
        List<GraphQLError> reported = errors;
        return CompletableFuture.completedFuture(result.transform(builder -> builder.errors(reported)));
    }
}
