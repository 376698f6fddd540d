package org.ccpresence.graphql;

import java.lang.reflect.Field;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import graphql.TrivialDataFetcher;
import graphql.language.OperationDefinition;
import graphql.schema.DataFetcher;
import graphql.schema.DataFetchingEnvironment;
import graphql.schema.FieldCoordinates;
import graphql.schema.GraphQLCodeRegistry;
import graphql.schema.GraphQLFieldDefinition;
import graphql.schema.GraphQLObjectType;
import graphql.schema.GraphQLSchema;
import io.quarkus.smallrye.graphql.runtime.spi.datafetcher.AbstractAsyncDataFetcher;
import io.smallrye.graphql.execution.datafetcher.BatchDataFetcher;
import io.smallrye.graphql.execution.datafetcher.FieldDataFetcher;
import io.smallrye.graphql.execution.datafetcher.helper.ArgumentHelper;
import io.smallrye.graphql.execution.datafetcher.helper.FieldHelper;
import io.smallrye.graphql.spi.ClassloadingService;
import io.smallrye.graphql.transformation.AbstractDataFetcherException;

/**
 * Reads plain properties (a public field or a getter of a returned object) without SmallRye GraphQL's per-field
 * request context. SmallRye's {@link FieldDataFetcher} fills a fresh context for every field it reads — a copy of the
 * request's, the path as text, the selected fields as JSON, twice — which only resolvers that inject a
 * {@code Context} read, and a property is no resolver: for a report page of 1 000 agents (some 40 000 fields) that
 * was the largest cost of the answer. The value is read and then transformed or adapted exactly as SmallRye does
 * ({@link FieldHelper}), so ids, dates and formats come out the same. Batch fields and resolvers answering later
 * are handed on the same way, without a context per source and without context-propagating futures (see
 * {@link Batched}, {@link Settled}). Subscriptions keep SmallRye's fetchers.
 * <p>
 * Where SmallRye's fetcher cannot be looked into (another SmallRye version, or a native image without the reflection
 * it needs), the field keeps SmallRye's fetcher.
 */
final class PlainFields {

    private PlainFields() {
    }

    static void install(GraphQLSchema draft, GraphQLCodeRegistry.Builder codes) {
        GraphQLCodeRegistry registry = draft.getCodeRegistry();
        for (var type : draft.getAllTypesAsList()) {
            if (type instanceof GraphQLObjectType object && !object.getName().startsWith("__")) {
                for (GraphQLFieldDefinition field : object.getFieldDefinitions()) {
                    FieldCoordinates at = FieldCoordinates.coordinates(object, field);
                    DataFetcher<?> plain = plain(registry.getDataFetcher(at, field));
                    if (plain != null) {
                        codes.dataFetcher(at, plain);
                    }
                }
            }
        }
    }

    /** The plain replacement of one of SmallRye's fetchers, or null where there is none. */
    private static DataFetcher<?> plain(DataFetcher<?> smallRye) {
        if (smallRye instanceof FieldDataFetcher<?> property) {
            return Property.of(property);
        }
        if (smallRye instanceof BatchDataFetcher<?> batch) {
            return Batched.of(batch);
        }
        if (smallRye instanceof AbstractAsyncDataFetcher<?, ?>) {
            return new Settled(smallRye);
        }
        return null;
    }

    private static boolean subscription(DataFetchingEnvironment env) {
        return env.getOperationDefinition().getOperation() == OperationDefinition.Operation.SUBSCRIPTION;
    }

    /**
     * A plain fetcher in place of one of SmallRye's, for queries and mutations. Subscriptions keep SmallRye's: the live
     * path renders each event once per shape and paces its sockets by what that costs, and its overload behaviour
     * (OverloadTest) is tuned to SmallRye's fetchers.
     */
    private abstract static class Plain implements DataFetcher<Object> {

        final DataFetcher<?> smallRye;

        Plain(DataFetcher<?> smallRye) {
            this.smallRye = smallRye;
        }

        @Override
        public final Object get(DataFetchingEnvironment env) throws Exception {
            return subscription(env) ? smallRye.get(env) : answer(env);
        }

        abstract Object answer(DataFetchingEnvironment env) throws Exception;
    }

    private static Object privateField(Class<?> owner, Object of, String name) throws ReflectiveOperationException {
        Field field = owner.getDeclaredField(name);
        field.setAccessible(true);
        return field.get(of);
    }

    /**
     * A resolver returning a Uni or a CompletionStage (run by SmallRye as it is): its answer handed on in a plain
     * CompletableFuture. SmallRye's is a context-propagating one, and graphql-java derives the futures of every field
     * below it from it, each capturing and restoring the thread context for nothing — the request's context is the
     * Vert.x context the answer completes on, and Quarkus re-activates the request scope for each resolver itself.
     */
    private static final class Settled extends Plain {

        Settled(DataFetcher<?> smallRye) {
            super(smallRye);
        }

        @Override
        Object answer(DataFetchingEnvironment env) throws Exception {
            Object answer = smallRye.get(env);
            if (!(answer instanceof CompletionStage<?> stage)) {
                return answer;
            }
            CompletableFuture<Object> plain = new CompletableFuture<>();
            stage.whenComplete((value, failure) -> {
                if (failure != null) {
                    plain.completeExceptionally(failure);
                } else {
                    plain.complete(value);
                }
            });
            return plain;
        }
    }

    /**
     * A batch resolver's field ({@code @Source List}): each source handed to the request's data loader with what
     * SmallRye's batch loader reads from the first key (the arguments and the environment). SmallRye's own fetcher
     * also builds a request context per source (the loader builds it again from the first key) and wraps each load in
     * a context-propagating future.
     */
    private static final class Batched extends Plain {

        private final String loader;
        private final ArgumentHelper arguments;

        private Batched(String loader, ArgumentHelper arguments, BatchDataFetcher<?> smallRye) {
            super(smallRye);
            this.loader = loader;
            this.arguments = arguments;
        }

        static Batched of(BatchDataFetcher<?> smallRye) {
            try {
                return new Batched((String) privateField(BatchDataFetcher.class, smallRye, "batchLoaderName"),
                        (ArgumentHelper) privateField(BatchDataFetcher.class, smallRye, "argumentHelper"), smallRye);
            } catch (ReflectiveOperationException | RuntimeException notAvailable) {
                return null;
            }
        }

        @Override
        Object answer(DataFetchingEnvironment env) throws Exception {
            Map<String, Object> keyContext = new HashMap<>(4);
            keyContext.put("arguments", arguments.getArguments(env, true));
            keyContext.put("dataFetchingEnvironment", env);
            return env.getDataLoader(loader).load(env.getSource(), keyContext);
        }
    }

    /** One property of one class: read, then transformed and adapted by SmallRye's own helper. */
    private static final class Property extends Plain implements TrivialDataFetcher<Object> {

        /** Types graphql-java's scalars take as they are, when SmallRye has nothing to transform (no format). */
        private static final Set<String> AS_IS = Set.of("java.lang.String", "boolean", "java.lang.Boolean", "int",
                "java.lang.Integer", "double", "java.lang.Double");

        private interface Reader {
            Object read(Object source) throws ReflectiveOperationException;
        }

        private final Reader reader;
        /** Null: the value is answered as read. */
        private final FieldHelper helper;

        private Property(Reader reader, FieldHelper helper, FieldDataFetcher<?> smallRye) {
            super(smallRye);
            this.reader = reader;
            this.helper = helper;
        }

        static Property of(FieldDataFetcher<?> smallRye) {
            try {
                var model = (io.smallrye.graphql.schema.model.Field) privateField(FieldDataFetcher.class, smallRye, "field");
                var owner = (io.smallrye.graphql.schema.model.Reference) privateField(FieldDataFetcher.class, smallRye, "owner");
                FieldHelper helper = (FieldHelper) privateField(FieldDataFetcher.class, smallRye, "fieldHelper");
                Class<?> type = ClassloadingService.get().loadClass(owner.getClassName());
                Reader reader;
                if (model.getMethodName() == null) {
                    Field field = type.getField(model.getPropertyName());
                    reader = field::get;
                } else {
                    var getter = type.getMethod(model.getMethodName());
                    reader = getter::invoke;
                }
                boolean asIs = !model.hasWrapper() && !model.hasTransformation() && !model.isAdaptingTo()
                        && !model.isAdaptingWith() && AS_IS.contains(model.getReference().getClassName());
                return new Property(reader, asIs ? null : helper, smallRye);
            } catch (ReflectiveOperationException | RuntimeException notAvailable) {
                return null;
            }
        }

        @Override
        Object answer(DataFetchingEnvironment env) throws Exception {
            Object source = env.getSource();
            if (source == null) {
                return null;
            }
            Object value = reader.read(source);
            if (helper == null) {
                return value;
            }
            try {
                return helper.transformOrAdaptResponse(value, env);
            } catch (AbstractDataFetcherException untransformed) {
                return value; // as SmallRye's fetcher answers then
            }
        }
    }
}
