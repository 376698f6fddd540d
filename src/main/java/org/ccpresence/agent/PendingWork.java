package org.ccpresence.agent;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;

/** What routing does when an agent signs out, inside the sign-out transaction. */
public interface PendingWork {

    Uni<Void> releaseOnSignOut(SqlClient tx, java.util.List<Long> agentIds);
}
