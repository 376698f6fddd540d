package org.ccpresence.presence;

import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Table;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Ignore;
import org.eclipse.microprofile.graphql.NonNull;

import io.vertx.mutiny.sqlclient.Row;

@Entity
@Table(name = "presence")
@Description("A presence: what an agent is, as people read it (presenceText) and as routing reads it (baseStatus).")
public class Presence {

    @jakarta.persistence.Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    @org.eclipse.microprofile.graphql.Id
    @NonNull
    public Long id;

    @Column(columnDefinition = "text") // the migrations' types, so that dev mode's schema validation agrees
    @NonNull
    public String name;

    @Column(name = "presence_text", columnDefinition = "text")
    @NonNull
    public String presenceText;

    @Enumerated(EnumType.STRING)
    @Column(name = "base_status", columnDefinition = "text")
    @NonNull
    public BaseStatus baseStatus;

    @Column(columnDefinition = "text")
    public String description;

    @Enumerated(EnumType.STRING)
    @Column(name = "system_presence", columnDefinition = "text", updatable = false)
    @Description("Set on the six system presences, which can never be edited or deleted; null on custom ones.")
    public SystemPresence systemPresence;

    @Column(name = "created_at", updatable = false)
    @NonNull
    public OffsetDateTime createdAt;

    @Column(name = "updated_at")
    @NonNull
    public OffsetDateTime updatedAt;

    @Column(name = "time_limit_seconds")
    @Description("Custom presences only: after this many seconds in it an agent is moved on (cause TIME_LIMIT). Null: no limit.")
    public Integer timeLimitSeconds;

    @Column(name = "then_presence_id")
    @Ignore
    public Long thenPresenceId;

    @Description("Starts at 1; every update adds 1. Pass it as expectedVersion to update or delete only what you saw.")
    public int version = 1;

    @Column(name = "deleted_at")
    @Ignore
    public OffsetDateTime deletedAt;

    @Description("False only for Inactive: nobody can choose it by hand.")
    public boolean isAgentSelectable() {
        return systemPresence != SystemPresence.INACTIVE;
    }

    private static final String[] COLUMNS = {
            "id", "name", "presence_text", "base_status", "description", "system_presence", "created_at", "updated_at", "version",
            "time_limit_seconds", "then_presence_id" };

    /** The select list that {@link #fromRow} reads, for a presence joined as {@code alias} (columns {@code alias_…}). */
    public static String columns(String alias) {
        StringBuilder sql = new StringBuilder();
        for (String column : COLUMNS) {
            sql.append(sql.isEmpty() ? "" : ", ").append(alias).append('.').append(column)
                    .append(" AS ").append(alias).append('_').append(column);
        }
        return sql.toString();
    }

    /**
     * Reads the presences joined into the rows of one result set as {@code alias}: a report joins one of a handful of
     * presences to each of thousands of rows, and each is built once.
     */
    public static Function<Row, Presence> reader(String alias) {
        String idColumn = alias + "_id";
        Map<Long, Presence> read = new HashMap<>();
        return row -> {
            Long id = row.getLong(idColumn);
            return id == null ? null : read.computeIfAbsent(id, key -> fromRow(row, alias));
        };
    }

    /** Reads a presence joined into another feature's query, its columns prefixed (e.g. {@code p_name}). */
    public static Presence fromRow(Row row, String alias) {
        String prefix = alias + "_";
        Long id = row.getLong(prefix + "id");
        if (id == null) {
            return null;
        }
        Presence p = new Presence();
        p.id = id;
        p.name = row.getString(prefix + "name");
        p.presenceText = row.getString(prefix + "presence_text");
        p.baseStatus = BaseStatus.valueOf(row.getString(prefix + "base_status"));
        p.description = row.getString(prefix + "description");
        String system = row.getString(prefix + "system_presence");
        p.systemPresence = system == null ? null : SystemPresence.valueOf(system);
        p.createdAt = row.getOffsetDateTime(prefix + "created_at");
        p.updatedAt = row.getOffsetDateTime(prefix + "updated_at");
        p.version = row.getInteger(prefix + "version");
        p.timeLimitSeconds = row.getInteger(prefix + "time_limit_seconds");
        p.thenPresenceId = row.getLong(prefix + "then_presence_id");
        return p;
    }
}
