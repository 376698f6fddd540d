package org.ccpresence.graphql;

import java.lang.reflect.Field;

import graphql.TrivialDataFetcher;
import graphql.language.OperationDefinition;
import graphql.schema.DataFetcher;
import graphql.schema.DataFetchingEnvironment;
import graphql.schema.FieldCoordinates;
import graphql.schema.GraphQLCodeRegistry;
import graphql.schema.GraphQLFieldDefinition;
import graphql.schema.GraphQLObjectType;
import graphql.schema.GraphQLSchema;
import io.smallrye.graphql.execution.datafetcher.FieldDataFetcher;
import io.smallrye.graphql.execution.datafetcher.helper.FieldHelper;
import io.smallrye.graphql.spi.ClassloadingService;
import io.smallrye.graphql.transformation.AbstractDataFetcherException;

/**
 * Reads plain properties (a public field or a getter of a returned object) without SmallRye GraphQL's per-field
 * request context. SmallRye's {@link FieldDataFetcher} fills a fresh context for every field it reads — a copy of the
 * request's, the path as text, the selected fields as JSON, twice — which only resolvers that inject a
 * {@code Context} read, and a property is no resolver: for a report page of 1 000 agents (some 40 000 fields) that
 * was the largest cost of the answer. The value is read and then transformed or adapted exactly as SmallRye does
 * ({@link FieldHelper}), so ids, dates and formats come out the same. Subscriptions keep SmallRye's fetcher.
 * <p>
 * Where SmallRye's fetcher cannot be looked into (another SmallRye version, or a native image without the reflection
 * it needs), the field keeps SmallRye's fetcher.
 */
final class PlainFields {

    private PlainFields() {
    }

    static void install(GraphQLSchema.Builder builder) {
        GraphQLSchema draft = builder.build();
        GraphQLCodeRegistry registry = draft.getCodeRegistry();
        builder.codeRegistry(registry.transform(codes -> {
            for (var type : draft.getAllTypesAsList()) {
                if (type instanceof GraphQLObjectType object && !object.getName().startsWith("__")) {
                    for (GraphQLFieldDefinition field : object.getFieldDefinitions()) {
                        FieldCoordinates at = FieldCoordinates.coordinates(object, field);
                        if (registry.getDataFetcher(at, field) instanceof FieldDataFetcher<?> smallRye) {
                            Property plain = Property.of(smallRye);
                            if (plain != null) {
                                codes.dataFetcher(at, plain);
                            }
                        }
                    }
                }
            }
        }));
    }

    /** One property of one class: read, then transformed and adapted by SmallRye's own helper. */
    private static final class Property implements DataFetcher<Object>, TrivialDataFetcher<Object> {

        private interface Reader {
            Object read(Object source) throws ReflectiveOperationException;
        }

        private final Reader reader;
        private final FieldHelper helper;
        private final FieldDataFetcher<?> smallRye;

        private Property(Reader reader, FieldHelper helper, FieldDataFetcher<?> smallRye) {
            this.reader = reader;
            this.helper = helper;
            this.smallRye = smallRye;
        }

        static Property of(FieldDataFetcher<?> smallRye) {
            try {
                var model = (io.smallrye.graphql.schema.model.Field) privateField(smallRye, "field");
                var owner = (io.smallrye.graphql.schema.model.Reference) privateField(smallRye, "owner");
                FieldHelper helper = (FieldHelper) privateField(smallRye, "fieldHelper");
                Class<?> type = ClassloadingService.get().loadClass(owner.getClassName());
                Reader reader;
                if (model.getMethodName() == null) {
                    Field field = type.getField(model.getPropertyName());
                    reader = field::get;
                } else {
                    var getter = type.getMethod(model.getMethodName());
                    reader = getter::invoke;
                }
                return new Property(reader, helper, smallRye);
            } catch (ReflectiveOperationException | RuntimeException notAvailable) {
                return null;
            }
        }

        private static Object privateField(Object of, String name) throws ReflectiveOperationException {
            Field field = FieldDataFetcher.class.getDeclaredField(name);
            field.setAccessible(true);
            return field.get(of);
        }

        @Override
        public Object get(DataFetchingEnvironment env) throws Exception {
            if (env.getOperationDefinition().getOperation() == OperationDefinition.Operation.SUBSCRIPTION) {
                // the live path renders each event once per shape and paces its sockets by what that costs: its
                // overload behaviour (OverloadTest) is tuned to SmallRye's fetcher, and stays with it for now
                return smallRye.get(env);
            }
            Object source = env.getSource();
            if (source == null) {
                return null;
            }
            Object value = reader.read(source);
            try {
                return helper.transformOrAdaptResponse(value, env);
            } catch (AbstractDataFetcherException untransformed) {
                return value; // as SmallRye's fetcher answers then
            }
        }
    }
}
