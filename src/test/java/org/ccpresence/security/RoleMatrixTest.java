package org.ccpresence.security;

import static org.ccpresence.support.Fixtures.agentInput;
import static org.ccpresence.support.Fixtures.createWorkstream;
import static org.ccpresence.support.Fixtures.offerWork;
import static org.ccpresence.support.Fixtures.required;
import static org.ccpresence.support.Fixtures.signIn;
import static org.ccpresence.support.GraphQL.post;
import static org.ccpresence.support.GraphQL.send;
import static org.ccpresence.support.GraphQL.unique;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

import org.ccpresence.support.Tokens;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;

/**
 * Every operation × every kind of caller, with the outcome the contract's role matrix gives. "Self" is the agent the
 * operation targets, calling for themselves; "other agent" is another agent calling for them.
 */
@QuarkusTest
class RoleMatrixTest {

    enum Who { NO_TOKEN, BAD_SIGNATURE, WRONG_ISSUER, EXPIRED, AGENT_SELF, AGENT_OTHER, SUPERVISOR, ADMIN }

    enum Outcome { OK, FORBIDDEN, UNAUTHENTICATED }

    /** Fresh data for one case: the target agent (signed in, member of the workstream) and an offer to them. */
    record Scene(String selfUser, String self, String otherUser, String workstream, String presence, String offer) {
        static Scene create() {
            String ws = createWorkstream(List.of("AVAILABLE"), false, 60);
            String selfUser = unique("self");
            String self = required(post("mutation($in: AgentInput!) { createAgent(input: $in) { id } }", "in",
                    agentInput(selfUser, "Self", null, List.of(ws))), "data.createAgent.id");
            signIn(self);
            String otherUser = unique("other");
            required(post("mutation($in: AgentInput!) { createAgent(input: $in) { id } }", "in",
                    agentInput(otherUser, "Other", null, null)), "data.createAgent.id");
            String presence = required(post("mutation($in: PresenceInput!) { createPresence(input: $in) { id } }", "in",
                    Map.of("name", unique("P"), "presenceText", "p", "baseStatus", "AWAY")), "data.createPresence.id");
            String offer = required(offerWork(ws, unique("item")), "data.offerWork.id");
            return new Scene(selfUser, self, otherUser, ws, presence, offer);
        }
    }

    record Operation(String name, Function<Scene, Object[]> request, Set<Who> allowed) {
    }

    static final Set<Who> EVERYONE = Set.of(Who.AGENT_SELF, Who.AGENT_OTHER, Who.SUPERVISOR, Who.ADMIN);
    static final Set<Who> SELF_AND_STAFF = Set.of(Who.AGENT_SELF, Who.SUPERVISOR, Who.ADMIN);
    static final Set<Who> STAFF = Set.of(Who.SUPERVISOR, Who.ADMIN);
    static final Set<Who> ADMIN = Set.of(Who.ADMIN);

    static Object[] op(String query, Object... variables) {
        Object[] r = new Object[variables.length + 1];
        r[0] = query;
        System.arraycopy(variables, 0, r, 1, variables.length);
        return r;
    }

    static Map<String, Object> presenceInput() {
        return Map.of("name", unique("Mx"), "presenceText", "t", "baseStatus", "BUSY");
    }

    static Map<String, Object> workstreamInput() {
        return Map.of("name", unique("Wx"), "type", "VOICE");
    }

    static final List<Operation> OPERATIONS = List.of(
            new Operation("presences", s -> op("{ presences { id } }"), EVERYONE),
            new Operation("presence", s -> op("query($id: ID!) { presence(id: $id) { id } }", "id", s.presence()), EVERYONE),
            new Operation("createPresence", s -> op("mutation($in: PresenceInput!) { createPresence(input: $in) { id } }", "in", presenceInput()), ADMIN),
            new Operation("updatePresence", s -> op("mutation($id: ID!, $in: PresenceInput!) { updatePresence(id: $id, input: $in) { id } }",
                    "id", s.presence(), "in", presenceInput()), ADMIN),
            new Operation("deletePresence", s -> op("mutation($id: ID!) { deletePresence(id: $id) }", "id", s.presence()), ADMIN),
            new Operation("workstreams", s -> op("{ workstreams { id name } }"), EVERYONE),
            new Operation("workstream", s -> op("query($id: ID!) { workstream(id: $id) { id allowedPresences } }", "id", s.workstream()), EVERYONE),
            new Operation("Workstream.agents", s -> op("query($id: ID!) { workstream(id: $id) { agents { id } } }", "id", s.workstream()), STAFF),
            new Operation("Workstream.eligibleAgents", s -> op("query($id: ID!) { workstream(id: $id) { eligibleAgents { id } } }", "id", s.workstream()), STAFF),
            new Operation("createWorkstream", s -> op("mutation($in: WorkstreamInput!) { createWorkstream(input: $in) { id } }", "in", workstreamInput()), ADMIN),
            new Operation("updateWorkstream", s -> op("mutation($id: ID!, $in: WorkstreamInput!) { updateWorkstream(id: $id, input: $in) { id } }",
                    "id", s.workstream(), "in", workstreamInput()), ADMIN),
            new Operation("deleteWorkstream", s -> op("mutation($id: ID!) { deleteWorkstream(id: $id) }",
                    "id", createWorkstream(List.of("AVAILABLE"), false, 60)), ADMIN),
            new Operation("agents", s -> op("{ agents(first: 5) { id } }"), STAFF),
            new Operation("agent", s -> op("query($id: ID!) { agent(id: $id) { id presence { name } workstreams { id } } }", "id", s.self()), SELF_AND_STAFF),
            new Operation("me", s -> op("{ me { id } }"), EVERYONE),
            new Operation("createAgent", s -> op("mutation($in: AgentInput!) { createAgent(input: $in) { id } }", "in",
                    agentInput(unique("new"), "New", null, null)), ADMIN),
            new Operation("updateAgent", s -> op("mutation($id: ID!, $in: AgentInput!) { updateAgent(id: $id, input: $in) { id } }",
                    "id", s.self(), "in", agentInput(s.selfUser(), "Renamed", null, null)), ADMIN),
            new Operation("deleteAgent", s -> op("mutation($id: ID!) { deleteAgent(id: $id) }", "id", s.self()), ADMIN),
            new Operation("signIn", s -> op("mutation($a: ID) { signIn(agentId: $a) { id } }", "a", s.self()), SELF_AND_STAFF),
            new Operation("signOut", s -> op("mutation($a: ID) { signOut(agentId: $a) { id } }", "a", s.self()), SELF_AND_STAFF),
            new Operation("setPresence", s -> op("mutation($a: ID) { setPresence(agentId: $a, presenceId: 2) { id } }", "a", s.self()), SELF_AND_STAFF),
            new Operation("offerWork", s -> op("mutation($w: ID!) { offerWork(workstreamId: $w, workItem: \"x\") { id } }", "w",
                    createWorkstreamWithEligibleMember()), STAFF),
            new Operation("acceptOffer", s -> op("mutation($o: ID!) { acceptOffer(offerId: $o) { id } }", "o", s.offer()), SELF_AND_STAFF),
            new Operation("rejectOffer", s -> op("mutation($o: ID!) { rejectOffer(offerId: $o) { id } }", "o", s.offer()), SELF_AND_STAFF),
            new Operation("offers", s -> op("query($a: ID) { offers(agentId: $a) { id agent { id } workstream { id } } }", "a", s.self()), SELF_AND_STAFF),
            new Operation("presenceHistory", s -> op("query($a: ID!) { presenceHistory(agentId: $a) { sequence } }", "a", s.self()), SELF_AND_STAFF));

    static String createWorkstreamWithEligibleMember() {
        String ws = createWorkstream(List.of("AVAILABLE"), false, 60);
        String agent = required(post("mutation($in: AgentInput!) { createAgent(input: $in) { id } }", "in",
                agentInput(unique("m"), "M", null, List.of(ws))), "data.createAgent.id");
        signIn(agent);
        return ws;
    }

    static String token(Who who, Scene scene) {
        return switch (who) {
            case NO_TOKEN -> null;
            case BAD_SIGNATURE -> Tokens.badSignature();
            case WRONG_ISSUER -> Tokens.wrongIssuer();
            case EXPIRED -> Tokens.expired();
            case AGENT_SELF -> Tokens.agent(scene.selfUser());
            case AGENT_OTHER -> Tokens.agent(scene.otherUser());
            case SUPERVISOR -> Tokens.supervisor();
            case ADMIN -> Tokens.admin();
        };
    }

    static Outcome expected(Operation operation, Who who) {
        return switch (who) {
            case NO_TOKEN, BAD_SIGNATURE, WRONG_ISSUER, EXPIRED -> Outcome.UNAUTHENTICATED;
            default -> operation.allowed().contains(who) ? Outcome.OK : Outcome.FORBIDDEN;
        };
    }

    @TestFactory
    Stream<DynamicTest> everyOperationForEveryCaller() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Operation operation : OPERATIONS) {
            for (Who who : Who.values()) {
                tests.add(DynamicTest.dynamicTest(operation.name() + " as " + who, () -> {
                    Scene scene = Scene.create();
                    Object[] request = operation.request().apply(scene);
                    Object[] variables = new Object[request.length - 1];
                    System.arraycopy(request, 1, variables, 0, variables.length);
                    Outcome want = expected(operation, who);
                    var response = send(RestAssured.port, token(who, scene), (String) request[0], variables);
                    JsonPath body = response.extract().jsonPath();
                    switch (want) {
                        case UNAUTHENTICATED -> {
                            response.statusCode(401);
                            assertEquals("UNAUTHENTICATED", body.getString("errors[0].extensions.code"), body.prettify());
                        }
                        case FORBIDDEN -> {
                            response.statusCode(200);
                            assertEquals("FORBIDDEN", body.getString("errors[0].extensions.code"), body.prettify());
                        }
                        case OK -> {
                            response.statusCode(200);
                            assertNull(body.get("errors"), body::prettify);
                        }
                    }
                }));
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> aValidTokenWithoutAnyRoleIsForbidden() {
        String noRoles = Tokens.withRoles("nobody", Set.of("viewer"));
        return Stream.of("{ presences { id } }", "{ workstreams { id } }", "{ me { id } }").map(query -> DynamicTest.dynamicTest(query, () -> {
            JsonPath r = send(RestAssured.port, noRoles, query).statusCode(200).extract().jsonPath();
            assertEquals("FORBIDDEN", r.getString("errors[0].extensions.code"), r.prettify());
        }));
    }
}
