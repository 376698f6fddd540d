package org.ccpresence.routing;

import java.time.OffsetDateTime;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Ignore;
import org.eclipse.microprofile.graphql.NonNull;

import io.vertx.mutiny.sqlclient.Row;

@Description("A work item offered to one agent, who must answer before expiresAt.")
public class Offer {

    /** What {@link #fromRow} reads, as a RETURNING list of a statement on offer. */
    static final String RETURNED = "id, workstream_id, agent_id, work_item, state, offered_at, expires_at, responded_at, "
            + "completed_at, capacity_units";
    static final String SELECT = "SELECT o.id, o.workstream_id, o.agent_id, o.work_item, o.state, o.offered_at, "
            + "o.expires_at, o.responded_at, o.completed_at, o.capacity_units FROM offer o ";

    @Id
    public long id;

    @Ignore
    public long workstreamId;

    @Ignore
    public long agentId;

    /** Units of the agent's capacity this offer holds while ACCEPTED. */
    @Ignore
    public int capacityUnits;

    @NonNull
    @Description("The caller's reference for the work item, e.g. a conversation id.")
    public String workItem;

    @NonNull
    public OfferState state;

    @NonNull
    public OffsetDateTime offeredAt;

    @NonNull
    public OffsetDateTime expiresAt;

    public OffsetDateTime respondedAt;

    @Description("When the work of an accepted offer was completed (completeWork).")
    public OffsetDateTime completedAt;

    static Offer fromRow(Row row) {
        Offer o = new Offer();
        o.id = row.getLong("id");
        o.workstreamId = row.getLong("workstream_id");
        o.agentId = row.getLong("agent_id");
        o.workItem = row.getString("work_item");
        o.state = OfferState.valueOf(row.getString("state"));
        o.offeredAt = row.getOffsetDateTime("offered_at");
        o.expiresAt = row.getOffsetDateTime("expires_at");
        o.respondedAt = row.getOffsetDateTime("responded_at");
        o.completedAt = row.getOffsetDateTime("completed_at");
        o.capacityUnits = row.getInteger("capacity_units");
        return o;
    }
}
