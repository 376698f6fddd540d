package org.ccpresence.routing;

import java.time.OffsetDateTime;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Ignore;
import org.eclipse.microprofile.graphql.NonNull;

import io.vertx.mutiny.sqlclient.Row;

@Description("A work item offered to one agent, who must answer before expiresAt.")
public class Offer {

    private static final String COLUMNS = "id, workstream_id, agent_id, work_item, state, offered_at, expires_at, responded_at, "
            + "completed_at, capacity_units, reject_reason, wrap_up_until, wrap_up_started_at";
    /** What {@link #fromRow} reads, as a RETURNING list of a statement on offer. */
    static final String RETURNED = COLUMNS;
    /** The same for a statement on offer {@code o} that joins other tables. */
    static final String RETURNED_FROM_O = "o." + COLUMNS.replace(", ", ", o.");
    static final String SELECT = "SELECT " + RETURNED_FROM_O + " FROM offer o ";

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

    @Description("When the offer became COMPLETED: at completeWork, or at the end of its wrap-up.")
    public OffsetDateTime completedAt;

    /** When completeWork began the offer's wrap-up; null without one. */
    @Ignore
    public OffsetDateTime wrapUpStartedAt;

    @Description("What the agent gave as the reason when rejecting; null otherwise.")
    public String rejectReason;

    @Description("While WRAP_UP: when the wrap-up ends and the offer becomes COMPLETED.")
    public OffsetDateTime wrapUpUntil;

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
        o.rejectReason = row.getString("reject_reason");
        o.wrapUpUntil = row.getOffsetDateTime("wrap_up_until");
        o.wrapUpStartedAt = row.getOffsetDateTime("wrap_up_started_at");
        return o;
    }
}
