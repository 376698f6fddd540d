package org.ccpresence.support;

import static org.ccpresence.support.GraphQL.post;
import static org.ccpresence.support.GraphQL.unique;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.restassured.path.json.JsonPath;

/** Builds test data through the public API. */
public final class Fixtures {

    public static final String AGENT_FIELDS = "id userId name signedIn presenceSince presence { id name baseStatus } defaultPresence { id }";

    private Fixtures() {
    }

    public static Map<String, Object> agentInput(String userId, String name, Object defaultPresenceId, List<?> workstreamIds) {
        Map<String, Object> in = new HashMap<>();
        in.put("userId", userId);
        in.put("name", name);
        in.put("defaultPresenceId", defaultPresenceId);
        in.put("workstreamIds", workstreamIds);
        return in;
    }

    public static String createAgent(Object defaultPresenceId, List<?> workstreamIds) {
        String userId = unique("user");
        JsonPath r = post("mutation($in: AgentInput!) { createAgent(input: $in) { id } }",
                "in", agentInput(userId, "Agent " + userId, defaultPresenceId, workstreamIds));
        return required(r, "data.createAgent.id");
    }

    public static String createAgent() {
        return createAgent(null, null);
    }

    public static String signedInAgent() {
        String id = createAgent();
        signIn(id);
        return id;
    }

    public static JsonPath signIn(String agentId) {
        return post("mutation($a: ID) { signIn(agentId: $a) { " + AGENT_FIELDS + " } }", "a", agentId);
    }

    public static JsonPath signOut(String agentId) {
        return post("mutation($a: ID) { signOut(agentId: $a) { " + AGENT_FIELDS + " } }", "a", agentId);
    }

    public static JsonPath setPresence(String agentId, Object presenceId) {
        return post("mutation($a: ID, $p: ID!) { setPresence(agentId: $a, presenceId: $p) { " + AGENT_FIELDS + " } }",
                "a", agentId, "p", presenceId);
    }

    public static String createPresence(String baseStatus) {
        String name = unique("Custom");
        JsonPath r = post("mutation($in: PresenceInput!) { createPresence(input: $in) { id } }", "in",
                Map.of("name", name, "presenceText", name, "baseStatus", baseStatus));
        return required(r, "data.createPresence.id");
    }

    public static String createWorkstream(List<String> allowed, boolean missedNotifications, int timeoutSeconds) {
        return createWorkstream(Map.of("allowedPresences", allowed, "missedNotifications", missedNotifications,
                "offerTimeoutSeconds", timeoutSeconds));
    }

    /** A MESSAGING workstream with a unique name and the given input fields. */
    public static String createWorkstream(Map<String, Object> fields) {
        Map<String, Object> in = new HashMap<>();
        in.put("name", unique("Workstream"));
        in.put("type", "MESSAGING");
        in.putAll(fields);
        return required(post("mutation($in: WorkstreamInput!) { createWorkstream(input: $in) { id } }", "in", in),
                "data.createWorkstream.id");
    }

    public static String signedInMember(String workstreamId) {
        String agent = createAgent(null, List.of(workstreamId));
        signIn(agent);
        return agent;
    }

    public static final String OFFER_FIELDS = "id workItem state offeredAt expiresAt respondedAt agent { id } workstream { id }";

    public static JsonPath offerWork(String workstreamId, String workItem) {
        return post("mutation($w: ID!, $i: String!) { offerWork(workstreamId: $w, workItem: $i) { " + OFFER_FIELDS + " } }",
                "w", workstreamId, "i", workItem);
    }

    public static List<Map<String, Object>> history(String agentId) {
        return post("query($a: ID!) { presenceHistory(agentId: $a) { sequence agentId cause previous { id } current { id baseStatus } at } }",
                "a", agentId).getList("data.presenceHistory");
    }

    public static String required(JsonPath r, String path) {
        if (r.get("errors") != null) {
            throw new AssertionError(r.prettify());
        }
        return r.getString(path);
    }
}
