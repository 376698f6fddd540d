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
        List<GraphQLError> errors = result.getErrors().stream().filter(e -> !(e instanceof NonNullableFieldWasNullError))
                .map(ContractErrors::toContractError).toList();
        // An argument that does not coerce (a malformed DateTime, say) is reported by SmallRye GraphQL, which then
        // leaves the field null: the null in a non-null field that follows is that input error, not a second one.
        boolean badInput = errors.stream().anyMatch(e -> e instanceof ContractError c && c.code() == ErrorCode.BAD_USER_INPUT);
        List<GraphQLError> reported = badInput ? errors
                : result.getErrors().stream().map(ContractErrors::toContractError).toList();
        return CompletableFuture.completedFuture(result.transform(builder -> builder.errors(reported)));
    }
}
