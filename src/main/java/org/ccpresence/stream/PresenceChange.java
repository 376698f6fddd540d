package org.ccpresence.stream;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.function.Function;

import org.ccpresence.agent.PresenceChangeCause;
import org.ccpresence.presence.Presence;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Ignore;
import org.eclipse.microprofile.graphql.NonNull;

import io.vertx.mutiny.sqlclient.Row;

@Description("One change of one agent's presence, as stored and as streamed.")
public class PresenceChange {

    @Ignore
    public long sequenceNumber;

    @Id
    public long agentId;

    @Description("Null for the first presence an agent ever has.")
    public Presence previous;

    @NonNull
    public Presence current;

    @NonNull
    public PresenceChangeCause cause;

    @NonNull
    public OffsetDateTime at;

    @Description("The agent's version after this change.")
    public int version;

    /** The agent's workstreams when the change was read, for subscriptions filtered by workstream. */
    @Ignore
    public List<Long> workstreamIds;

    @Id
    @NonNull
    @Description("Opaque, increasing: a later change of the service has a greater sequence.")
    public String getSequence() {
        return Long.toString(sequenceNumber);
    }

    /** previous and current read by the readers of one result set (see Presence.reader). */
    static PresenceChange fromRow(Row row, Function<Row, Presence> previous, Function<Row, Presence> current) {
        PresenceChange change = new PresenceChange();
        change.sequenceNumber = row.getLong("sequence");
        change.agentId = row.getLong("agent_id");
        change.previous = previous.apply(row);
        change.current = current.apply(row);
        change.cause = PresenceChangeCause.valueOf(row.getString("cause"));
        change.at = row.getOffsetDateTime("at");
        change.version = row.getInteger("version");
        change.workstreamIds = List.of(row.getArrayOfLongs("workstream_ids"));
        return change;
    }
}
