package org.ccpresence.agent;

import java.time.OffsetDateTime;
import java.util.function.Function;

import org.ccpresence.presence.Presence;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Ignore;
import org.eclipse.microprofile.graphql.NonNull;

import io.vertx.mutiny.sqlclient.Row;

@Description("A representative.")
public class Agent {

    /** What {@link #reader} reads, from agent {@code a} joined with its presence {@code p}. */
    public static final String COLUMNS = "a.id, a.user_id, a.name, a.default_presence_id, a.signed_in, a.presence_since, a.version, a.capacity, "
            + "a.capacity_used, a.missed_in_a_row, "
            + "EXISTS (SELECT 1 FROM desktop_connection dc WHERE dc.agent_id = a.id) AS desktop_connected, "
            + Presence.columns("p");
    static final String FROM = " FROM agent a JOIN presence p ON p.id = a.presence_id ";
    /** Append WHERE/ORDER BY. */
    static final String SELECT = "SELECT " + COLUMNS + FROM;

    @Id
    public long id;

    @NonNull
    @Description("The identity provider's subject (the JWT `sub`) of this representative.")
    public String userId;

    @NonNull
    public String name;

    @Ignore
    public Long defaultPresenceId;

    public boolean signedIn;

    @NonNull
    public Presence presence;

    @NonNull
    public OffsetDateTime presenceSince;

    @Description("When the current time-limited presence ends; null when it has no limit.")
    public OffsetDateTime getPresenceUntil() {
        return presence.timeLimitSeconds == null ? null : presenceSince.plusSeconds(presence.timeLimitSeconds);
    }

    @Description("Offers missed in a row (on workstreams with missedNotifications) since the agent last accepted one, "
            + "chose a presence or signed in.")
    public int missedInARow;

    @Description("True while at least one WebSocket subscription made with this agent's own token is open, on any replica.")
    public boolean desktopConnected;

    @Description("Starts at 1; every change of this agent's presence or sign-in state adds 1.")
    public int version;

    @Description("Capacity units in all (default 100).")
    public int capacity;

    @Description("Capacity units held by accepted, not yet completed offers.")
    public int capacityUsed;

    static Agent fromRow(Row row) {
        return fromRow(row, presence -> Presence.fromRow(presence, "p"));
    }

    /** Reads the agents of one result set, each of their presences built once (see {@link Presence#reader}). */
    public static Function<Row, Agent> reader() {
        Function<Row, Presence> presences = Presence.reader("p");
        return row -> fromRow(row, presences);
    }

    private static Agent fromRow(Row row, Function<Row, Presence> presences) {
        Agent agent = new Agent();
        agent.id = row.getLong("id");
        agent.userId = row.getString("user_id");
        agent.name = row.getString("name");
        agent.defaultPresenceId = row.getLong("default_presence_id");
        agent.signedIn = row.getBoolean("signed_in");
        agent.presenceSince = row.getOffsetDateTime("presence_since");
        agent.version = row.getInteger("version");
        agent.capacity = row.getInteger("capacity");
        agent.capacityUsed = row.getInteger("capacity_used");
        agent.missedInARow = row.getInteger("missed_in_a_row");
        agent.desktopConnected = row.getBoolean("desktop_connected");
        agent.presence = presences.apply(row);
        return agent;
    }
}
