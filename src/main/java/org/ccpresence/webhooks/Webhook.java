package org.ccpresence.webhooks;

import java.time.OffsetDateTime;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Ignore;
import org.eclipse.microprofile.graphql.NonNull;

import io.vertx.mutiny.sqlclient.Row;

@Description("An HTTPS (or HTTP) endpoint that receives every presence change, signed, in order.")
public class Webhook {

    /** What {@link #fromRow} reads. The secret is never among them. */
    static final String COLUMNS = "id, url, workstream_id, enabled, delivered_through, failures, last_error, "
            + "last_attempt_at, created_at, version, coalesce((SELECT extract(epoch FROM now() - c.at) FROM presence_change c "
            + "WHERE c.sequence > position ORDER BY c.sequence LIMIT 1), 0)::float8 AS lag_seconds";

    @Id
    public long id;

    @NonNull
    public String url;

    @Ignore
    public Long workstreamId;

    public boolean enabled;

    @Ignore
    public Long deliveredThroughSequence;

    @Description("Failed attempts in a row of the delivery now pending; 0 when healthy.")
    public int failures;

    @Description("Why the last attempt failed (status or error, shortened); null after a success.")
    public String lastError;

    public OffsetDateTime lastAttemptAt;

    @NonNull
    public OffsetDateTime createdAt;

    public int version;

    @Description("Seconds since the oldest change the webhook has not yet passed was made; 0 when it is caught up.")
    public double lagSeconds;

    @Id
    @Description("The sequence of the last change the endpoint acknowledged; null before the first.")
    public String getDeliveredThrough() {
        return deliveredThroughSequence == null ? null : Long.toString(deliveredThroughSequence);
    }

    static Webhook fromRow(Row row) {
        Webhook w = new Webhook();
        w.id = row.getLong("id");
        w.url = row.getString("url");
        w.workstreamId = row.getLong("workstream_id");
        w.enabled = row.getBoolean("enabled");
        w.deliveredThroughSequence = row.getLong("delivered_through");
        w.failures = row.getInteger("failures");
        w.lastError = row.getString("last_error");
        w.lastAttemptAt = row.getOffsetDateTime("last_attempt_at");
        w.createdAt = row.getOffsetDateTime("created_at");
        w.version = row.getInteger("version");
        w.lagSeconds = row.getDouble("lag_seconds");
        return w;
    }
}
