package org.ccpresence.graphql;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.ccpresence.error.ApiException;
import org.ccpresence.error.ContractErrorInstrumentation;
import org.ccpresence.security.Caller;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import graphql.ExecutionInput;
import graphql.ExecutionResult;
import graphql.GraphQL;
import graphql.GraphQLError;
import graphql.TrivialDataFetcher;
import graphql.analysis.MaxQueryComplexityInstrumentation;
import graphql.analysis.MaxQueryDepthInstrumentation;
import graphql.analysis.QueryTraverser;
import graphql.analysis.QueryVisitorFieldEnvironment;
import graphql.analysis.QueryVisitorStub;
import graphql.execution.instrumentation.ChainedInstrumentation;
import graphql.language.Argument;
import graphql.language.AstPrinter;
import graphql.language.Document;
import graphql.language.Field;
import graphql.language.OperationDefinition;
import graphql.language.VariableReference;
import graphql.parser.InvalidSyntaxException;
import graphql.parser.Parser;
import graphql.schema.DataFetcher;
import graphql.schema.FieldCoordinates;
import graphql.schema.GraphQLCodeRegistry;
import graphql.schema.GraphQLObjectType;
import graphql.schema.GraphQLSchema;
import graphql.schema.PropertyDataFetcher;

/**
 * Subscriptions without a GraphQL execution per subscriber and event. A subscription operation is run once, as a query
 * whose root field only captures its arguments ({@link #accept}): that parses, validates, bounds depth and complexity
 * and coerces the arguments exactly as for any request. Its events are then rendered by executing the same operation
 * with the event as the root ({@link Shape}), once per shape and event, however many subscribers share the shape.
 */
@ApplicationScoped
public class LiveEngine {

    private static final String ROOT = "Subscription";
    private static final int MAX_DOCUMENTS = 1000;
    private static final int MAX_SHAPES = 10_000;

    /** What the root field's fetcher saw while a subscription was being accepted. */
    private static final class Captured {
        String field;
        Map<String, Object> arguments;
    }

    /** A subscription the client may start: its field, its coerced arguments and its shape. */
    public record Accepted(LiveField field, Map<String, Object> arguments, Shape shape) {
    }

    private record ShapeKey(String query, String operationName, Map<String, Object> variables, Set<String> roles) {
    }

    private final Instance<GraphQLSchema> servedSchema;
    private final Map<String, LiveField> fields;
    private final int maxDepth;
    private final int maxComplexity;
    private final Map<String, String> asQueries = new ConcurrentHashMap<>();
    private final Map<String, String> unservable = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> filterVariables = new ConcurrentHashMap<>();
    private final Map<ShapeKey, Shape> shapes = new ConcurrentHashMap<>();
    private volatile Engines engines;

    private record Engines(GraphQLSchema schema, GraphQLCodeRegistry served, GraphQL accepting, GraphQL rendering,
            Set<FieldCoordinates> overridden) {
    }

    LiveEngine(Instance<GraphQLSchema> servedSchema, Instance<LiveField> fields,
            @ConfigProperty(name = "presence.graphql.max-depth", defaultValue = "8") int maxDepth,
            @ConfigProperty(name = "presence.graphql.max-complexity", defaultValue = "400") int maxComplexity) {
        this.servedSchema = servedSchema;
        this.fields = fields.stream().collect(Collectors.toMap(LiveField::name, Function.identity()));
        this.maxDepth = maxDepth;
        this.maxComplexity = maxComplexity;
    }

    /**
     * Checks a subscription request as the HTTP endpoint checks any request. Fails with BAD_USER_INPUT (and the
     * engine's own messages) when the operation is not a valid subscription of this schema.
     */
    public Accepted accept(Caller caller, String query, String operationName, Map<String, Object> variables) {
        Engines e = engines();
        String asQuery = asQuery(query, operationName);
        Captured captured = new Captured();
        Map<String, Object> given = variables == null ? Map.of() : variables;
        ExecutionResult result = e.accepting().execute(ExecutionInput.newExecutionInput(asQuery).operationName(operationName)
                .variables(given).graphQLContext(Map.of(Captured.class, captured)).build());
        if (!result.getErrors().isEmpty()) {
            throw new RefusedOperation(result.getErrors());
        }
        LiveField field = fields.get(captured.field);
        if (field == null) {
            throw ApiException.badInput("The subscription field " + captured.field + " is not served over WebSocket.");
        }
        String document = asQuery + '\u0000' + operationName;
        String refusal = remembered(unservable, document,
                () -> Objects.requireNonNullElse(lookupSelected(e, asQuery, operationName, given), ""));
        if (!refusal.isEmpty()) {
            throw ApiException.badInput(refusal);
        }
        Map<String, Object> shaped = new HashMap<>(given);
        remembered(filterVariables, document, () -> filterVariables(asQuery, operationName, field)).forEach(shaped::remove);
        ShapeKey key = new ShapeKey(asQuery, operationName, shaped, new TreeSet<>(caller.roles()));
        Shape shape = shapes.get(key);
        if (shape == null) {
            shape = new Shape(e.rendering(), asQuery, operationName, given);
            if (shapes.size() < MAX_SHAPES) {
                shape = Objects.requireNonNullElse(shapes.putIfAbsent(key, shape), shape);
            }
        }
        return new Accepted(field, captured.arguments, shape);
    }

    /** A request the engine refused (syntax, validation, limits), with its errors as the engine reports them. */
    public static final class RefusedOperation extends RuntimeException {
        private final transient List<GraphQLError> errors;

        RefusedOperation(List<GraphQLError> errors) {
            super(null, null, false, false);
            this.errors = errors;
        }

        public List<Map<String, Object>> errors() {
            return errors.stream().map(GraphQLError::toSpecification).toList();
        }
    }

    /** What is known of a document, remembered for the first {@value #MAX_DOCUMENTS} documents. */
    private static <T> T remembered(Map<String, T> known, String document, Supplier<T> compute) {
        T value = known.get(document);
        if (value == null) {
            value = compute.get();
            if (known.size() < MAX_DOCUMENTS) {
                known.put(document, value);
            }
        }
        return value;
    }

    /** The subscription operation with its operation type changed to query (the rest of the text is the same). */
    private String asQuery(String query, String operationName) {
        String known = asQueries.get(query);
        if (known != null) {
            return known;
        }
        Document document;
        try {
            document = Parser.parse(query);
        } catch (InvalidSyntaxException e) {
            throw ApiException.badInput("The operation does not parse: " + e.getMessage());
        }
        List<OperationDefinition> operations = document.getDefinitionsOfType(OperationDefinition.class);
        for (OperationDefinition operation : operations) {
            if ((operationName == null || operationName.equals(operation.getName()))
                    && operation.getOperation() != OperationDefinition.Operation.SUBSCRIPTION) {
                throw ApiException.badInput("Only subscriptions run over WebSocket here; send queries and mutations "
                        + "with HTTP POST /graphql.");
            }
        }
        Document asQuery = document.transform(d -> d.definitions(document.getDefinitions().stream()
                .map(definition -> definition instanceof OperationDefinition operation
                        ? operation.transform(o -> o.operation(OperationDefinition.Operation.QUERY))
                        : definition)
                .toList()));
        String text = AstPrinter.printAstCompact(asQuery);
        if (asQueries.size() < MAX_DOCUMENTS) {
            asQueries.put(query, text);
        }
        return text;
    }

    /** Names of the variables given to the root field's filter arguments. */
    private static Set<String> filterVariables(String asQuery, String operationName, LiveField field) {
        Set<String> names = new HashSet<>();
        for (OperationDefinition operation : Parser.parse(asQuery).getDefinitionsOfType(OperationDefinition.class)) {
            if (operationName != null && !operationName.equals(operation.getName())) {
                continue;
            }
            operation.getSelectionSet().getSelectionsOfType(Field.class).forEach(root -> {
                for (Argument argument : root.getArguments()) {
                    if (field.filterArguments().contains(argument.getName())
                            && argument.getValue() instanceof VariableReference variable) {
                        names.add(variable.getName());
                    }
                }
            });
        }
        return names;
    }

    /** Why the operation cannot be served (it selects a field that needs a lookup per request), or null. */
    private static String lookupSelected(Engines e, String asQuery, String operationName, Map<String, Object> variables) {
        List<String> lookups = new ArrayList<>();
        GraphQLCodeRegistry registry = e.served();
        QueryTraverser.newQueryTraverser().schema(e.schema()).document(Parser.parse(asQuery)).operationName(operationName)
                .variables(variables).build().visitPreOrder(new QueryVisitorStub() {
                    @Override
                    public void visitField(QueryVisitorFieldEnvironment env) {
                        if (env.isTypeNameIntrospectionField() || !(env.getFieldsContainer() instanceof GraphQLObjectType type)
                                || type.getName().equals(ROOT)) {
                            return;
                        }
                        FieldCoordinates at = FieldCoordinates.coordinates(type, env.getFieldDefinition());
                        DataFetcher<?> fetcher = registry.getDataFetcher(at, env.getFieldDefinition());
                        if (!(fetcher instanceof TrivialDataFetcher) && !e.overridden().contains(at)) {
                            lookups.add(type.getName() + "." + env.getFieldDefinition().getName());
                        }
                    }
                });
        return lookups.isEmpty() ? null
                : "A subscription cannot select " + String.join(", ", lookups) + " (each needs a lookup per event); "
                        + "select their ids and query them with HTTP POST /graphql.";
    }

    /** A plain property, with date-times written as SmallRye GraphQL writes them (its scalar leaves that to it). */
    private static DataFetcher<Object> property(String name) {
        PropertyDataFetcher<Object> read = new PropertyDataFetcher<>(name);
        return env -> {
            Object value = read.get(env);
            return value instanceof OffsetDateTime at ? DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(at) : value;
        };
    }

    private Engines engines() {
        Engines e = engines;
        if (e == null) {
            synchronized (this) {
                if (engines == null) {
                    engines = build(servedSchema.get());
                }
                e = engines;
            }
        }
        return e;
    }

    /**
     * The live schema: the served one with the Subscription type as the query root, its fields nullable (see
     * {@link SubscriptionErrors}) and resolved to the event (rendering) or to the captured arguments (accepting).
     */
    private Engines build(GraphQLSchema served) {
        GraphQLObjectType root = SubscriptionErrors.relaxed(served.getSubscriptionType());
        DataFetcher<Object> event = env -> {
            Captured captured = env.getGraphQlContext().get(Captured.class);
            if (captured != null) {
                captured.field = env.getFieldDefinition().getName();
                captured.arguments = env.getArguments();
                return null;
            }
            return env.getRoot();
        };
        Map<FieldCoordinates, DataFetcher<?>> overrides = new HashMap<>();
        fields.values().forEach(field -> overrides.putAll(field.fetchers()));
        // Plain properties are read directly: SmallRye GraphQL's own fetchers expect one of its requests around them.
        // graphql-java asks the default factory for every field it resolves: one fetcher per property name serves all.
        Map<String, DataFetcher<Object>> properties = new ConcurrentHashMap<>();
        GraphQLCodeRegistry registry = served.getCodeRegistry().transform(codes -> {
            codes.clearDataFetchers().defaultDataFetcher(
                    env -> properties.computeIfAbsent(env.getFieldDefinition().getName(), LiveEngine::property));
            root.getFieldDefinitions().forEach(f -> codes.dataFetcher(FieldCoordinates.coordinates(ROOT, f.getName()), event));
            overrides.forEach(codes::dataFetcher);
        });
        GraphQLSchema live = served.transform(schema -> schema.query(root).mutation((GraphQLObjectType) null)
                .subscription((GraphQLObjectType) null).codeRegistry(registry));
        DocumentCache documents = new DocumentCache(MAX_DOCUMENTS);
        GraphQL accepting = GraphQL.newGraphQL(live).preparsedDocumentProvider(documents)
                .instrumentation(new ChainedInstrumentation(new ContractErrorInstrumentation(), new IdArguments(),
                        new MaxQueryDepthInstrumentation(maxDepth), new MaxQueryComplexityInstrumentation(maxComplexity)))
                .build();
        GraphQL rendering = GraphQL.newGraphQL(live).preparsedDocumentProvider(documents)
                .instrumentation(new ContractErrorInstrumentation()).build();
        return new Engines(live, served.getCodeRegistry(), accepting, rendering, overrides.keySet());
    }
}
