package org.ccpresence.workstream;

import java.util.Arrays;
import java.util.List;

import org.ccpresence.presence.BaseStatus;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.NonNull;

import io.vertx.mutiny.sqlclient.Row;

public class Workstream {

    static final String COLUMNS = "w.id, w.name, w.type, w.allowed_presences, w.missed_notifications, w.offer_timeout_seconds, "
            + "w.capacity_per_item, w.version, w.misses_to_inactive, w.misses_to_sign_out, w.wrap_up_seconds, w.presence_after_reject_id";
    /** Append WHERE/ORDER BY. */
    static final String SELECT = "SELECT " + COLUMNS + " FROM workstream w ";

    @Id
    public long id;

    @NonNull
    public String name;

    @NonNull
    public WorkstreamType type;

    @NonNull
    @Description("Work is offered only to agents whose current base status is in this list.")
    public List<@NonNull BaseStatus> allowedPresences;

    @Description("When true, an agent who lets an offer of this workstream expire is moved to Inactive.")
    public boolean missedNotifications;

    public int offerTimeoutSeconds;

    @Description("With missedNotifications: offers missed in a row that move the agent to Inactive (default 1).")
    public int missesToInactive;

    @Description("With missedNotifications: offers missed in a row that sign the agent out. Null: never.")
    public Integer missesToSignOut;

    @Description("Capacity units one accepted item of this workstream holds until it is completed (default 0).")
    public int capacityPerItem;

    @Description("Seconds of wrap-up after completeWork, during which the agent is offered nothing (0–3600; 0: none).")
    public int wrapUpSeconds;

    @org.eclipse.microprofile.graphql.Ignore
    public Long presenceAfterRejectId;

    @Description("Starts at 1; every update adds 1.")
    public int version;

    static Workstream fromRow(Row row) {
        Workstream w = new Workstream();
        w.id = row.getLong("id");
        w.name = row.getString("name");
        w.type = WorkstreamType.valueOf(row.getString("type"));
        w.allowedPresences = Arrays.stream(row.getArrayOfStrings("allowed_presences")).map(BaseStatus::valueOf).toList();
        w.missedNotifications = row.getBoolean("missed_notifications");
        w.offerTimeoutSeconds = row.getInteger("offer_timeout_seconds");
        w.capacityPerItem = row.getInteger("capacity_per_item");
        w.version = row.getInteger("version");
        w.missesToInactive = row.getInteger("misses_to_inactive");
        w.missesToSignOut = row.getInteger("misses_to_sign_out");
        w.wrapUpSeconds = row.getInteger("wrap_up_seconds");
        w.presenceAfterRejectId = row.getLong("presence_after_reject_id");
        return w;
    }
}
