package org.ccpresence.error;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import graphql.ExecutionResult;
import graphql.GraphQLError;
import graphql.execution.ExecutionContext;
import graphql.execution.instrumentation.InstrumentationState;
import graphql.execution.instrumentation.SimplePerformantInstrumentation;
import graphql.execution.instrumentation.parameters.InstrumentationCreateStateParameters;
import graphql.execution.instrumentation.parameters.InstrumentationExecutionParameters;
import graphql.language.OperationDefinition.Operation;

/**
 * Rewrites every error of every execution result into a contract error (see {@link ContractErrors}). A subscription
 * event that carries an error (the stream failed: refused, too slow, token expired) carries no data: SmallRye GraphQL
 * would repeat the previous event's data in it.
 */
public final class ContractErrorInstrumentation extends SimplePerformantInstrumentation {

    /** Whether the execution is a subscription, known once its operation is. */
    private static final class Execution implements InstrumentationState {
        volatile boolean subscription;
    }

    @Override
    public InstrumentationState createState(InstrumentationCreateStateParameters parameters) {
        return new Execution();
    }

    @Override
    public ExecutionContext instrumentExecutionContext(ExecutionContext context, InstrumentationExecutionParameters parameters,
            InstrumentationState state) {
        if (state instanceof Execution execution) {
            execution.subscription = context.getOperationDefinition().getOperation() == Operation.SUBSCRIPTION;
        }
        return context;
    }

    @Override
    public CompletableFuture<ExecutionResult> instrumentExecutionResult(ExecutionResult result,
            InstrumentationExecutionParameters parameters, InstrumentationState state) {
        if (result.getErrors().isEmpty()) {
            return CompletableFuture.completedFuture(result);
        }
        List<GraphQLError> errors = result.getErrors().stream().map(ContractErrors::toContractError).toList();
        boolean failedEvent = state instanceof Execution execution && execution.subscription && result.getData() instanceof Map;
        return CompletableFuture.completedFuture(result.transform(builder -> {
            builder.errors(errors);
            if (failedEvent) {
                builder.data(withoutValues(result.getData()));
            }
        }));
    }

    private static Map<String, Object> withoutValues(Map<String, Object> data) {
        Map<String, Object> nulls = new LinkedHashMap<>();
        data.keySet().forEach(field -> nulls.put(field, null));
        return nulls;
    }
}
